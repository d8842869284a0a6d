// Command deepnmf fits nonnegative matrix factorizations, shallow and deep,
// to data matrices and graphs, and evaluates the clusterings they give.
// Run "deepnmf --help" for the commands.
package main

import (
	"os"

	"github.com/deepnmf/deepnmf/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
