// Package cli is the deepnmf command line: it parses flags, loads inputs,
// calls the library and writes results. Every behaviour here is reachable
// from the Go API; the package only wires it together.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/deepnmf/deepnmf/backend"
	"github.com/deepnmf/deepnmf/dataio"
	"github.com/deepnmf/deepnmf/model"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFailure     = 1
	exitBadInput    = 2
	exitInterrupted = 130 // 128 + SIGINT; a signal s gives 128 + s
)

// Interrupt is the cause of a context cancelled by a signal (see
// context.WithCancelCause): a run stopped by it writes its results so far
// and Main returns 128 + the signal's number, 130 for SIGINT and 143 for
// SIGTERM, as a shell reports a process the signal ended.
type Interrupt struct{ Signal syscall.Signal }

func (i Interrupt) Error() string { return "interrupted by " + i.Signal.String() }

// errInterrupted is returned after an interrupted run has written its
// results.
var errInterrupted = errors.New("interrupted: results so far were written")

// usageError marks a bad command line.
type usageError struct{ error }

// Main runs the command line with args and returns the exit status.
// Cancelling ctx (the command wires it to Ctrl-C) stops a fit cleanly: its
// results so far are written and the status is 130.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root, stopProfile := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if perr := stopProfile(); err == nil {
		err = perr
	}
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "deepnmf: %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
	code := exitCode(err)
	var sig Interrupt
	if code == exitInterrupted && errors.As(context.Cause(ctx), &sig) {
		code = 128 + int(sig.Signal)
	}
	return code
}

func exitCode(err error) int {
	var ie *dataio.InputError
	var ue usageError
	var pe *os.PathError
	switch {
	case errors.Is(err, errInterrupted):
		return exitInterrupted
	case errors.As(err, &ie), errors.As(err, &ue), errors.As(err, &pe), errors.Is(err, model.ErrInvalid):
		return exitBadInput
	}
	return exitFailure
}

// newRoot returns the command line, and the function that ends the CPU
// profile --cpuprofile started (a no-op without it), to call once the
// command has run, whether it succeeded or not.
func newRoot(stdout, stderr io.Writer) (*cobra.Command, func() error) {
	var backendName, cpuProfile string
	var profile *os.File
	stopProfile := func() error {
		if profile == nil {
			return nil
		}
		pprof.StopCPUProfile()
		err := profile.Close()
		profile = nil
		return err
	}
	root := &cobra.Command{
		Use:   "deepnmf",
		Short: "Nonnegative matrix factorization, shallow and deep, for data and graphs",
		Long: `deepnmf fits nonnegative matrix factorizations (NMF) — classic NMF with
Frobenius, KL and β-divergence losses, and the shallow and deep models listed
by "deepnmf models" — to data matrices and graphs, clusters samples and nodes,
and scores the result against ground truth.`,
		Example: `  deepnmf demo
  deepnmf fit --model nmf --input digits.csv --label-column -1 --rank 10 --json
  deepnmf models`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err != nil {
					return err
				}
				if err := pprof.StartCPUProfile(f); err != nil {
					f.Close()
					return fmt.Errorf("--cpuprofile: %w", err)
				}
				profile = f
			}
			if backendName == "" {
				if err := backend.FromEnv(); err != nil {
					return usageError{err}
				}
				return nil
			}
			if err := backend.Use(backendName); err != nil {
				return usageError{err}
			}
			return nil
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&backendName, "backend", "",
		"BLAS backend: gonum, openblas or auto (default: $DEEPNMF_BACKEND, else auto)")
	root.PersistentFlags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the command to this file (go tool pprof reads it)")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newFit(), newComplete(), newLinkpred(), newAtlas(), newTransform(), newSelectFeatures(), newEval(), newModels(), newDemo(), newBench(), newVersion())
	return root, stopProfile
}

func newVersion() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version, the Go runtime and the BLAS backend in use",
		Example: "  deepnmf version\n  DEEPNMF_BACKEND=gonum deepnmf version",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := "(devel)"
			if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
				v = bi.Main.Version
			}
			fmt.Fprintf(cmd.OutOrStdout(), "deepnmf %s\ngo %s %s/%s, GOMAXPROCS %d\nbackend %s\n",
				v, runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), backend.Current())
			return nil
		},
	}
}

func newModels() *cobra.Command {
	return &cobra.Command{
		Use:     "models",
		Short:   "List every model with its objective, parameters, defaults and reference",
		Example: "  deepnmf models",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			for _, s := range model.All() {
				fmt.Fprintf(w, "%s (%s input)\n  objective: %s\n  reference: %s\n", s.Name, s.Kind, s.Objective, s.Reference)
				tol := "off"
				if t := s.Settings.Tol; t != nil && *t > 0 {
					tol = fmt.Sprint(*t)
				}
				fmt.Fprintf(w, "  defaults:  --max-iter %d --tol %s", s.Settings.MaxIter, tol)
				if inits := s.Inits(); len(inits) == 1 {
					fmt.Fprintf(w, " --init %s", inits[0])
				} else if len(inits) > 1 {
					fmt.Fprintf(w, " --init %s (or %s)", inits[0], strings.Join(inits[1:], ", "))
				}
				fmt.Fprintln(w)
				for _, p := range s.Params() {
					fmt.Fprintf(w, "  --param %-28s %s\n", p, p.Help)
				}
				fmt.Fprintln(w)
			}
			return nil
		},
	}
}
