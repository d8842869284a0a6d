// Command deepnmf fits nonnegative matrix factorizations, shallow and deep,
// to data matrices and graphs, and evaluates the clusterings they give.
// Run "deepnmf --help" for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/deepnmf/deepnmf/internal/cli"
)

func main() {
	// The first SIGINT or SIGTERM stops a run cleanly (it writes its
	// results so far); a second one ends the process at once.
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		signal.Stop(sigs)
		cancel(cli.Interrupt{Signal: s.(syscall.Signal)})
	}()
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	cancel(nil)
	os.Exit(code)
}
