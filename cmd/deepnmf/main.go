// Command deepnmf fits nonnegative matrix factorizations, shallow and deep,
// to data matrices and graphs, and evaluates the clusterings they give.
// Run "deepnmf --help" for the commands.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/deepnmf/deepnmf/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
