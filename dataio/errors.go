package dataio

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// InputError reports a problem with the contents of an input file.
type InputError struct {
	File string // the file name as given
	Line int    // 1-based line number, or 0 where it does not apply
	Msg  string
	Err  error // the cause, such as memory.ErrTooLarge, or nil; see Unwrap
}

// Error returns "file:line: message", or "file: message" without a line.
func (e *InputError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// Unwrap returns Err.
func (e *InputError) Unwrap() error { return e.Err }

func inputErr(file string, line int, format string, args ...any) error {
	return &InputError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// readErr turns an error met while reading file into one that names it.
// Errors from the operating system already do and are returned as they
// are; anything else (a corrupt gzip stream, a truncated file) is a problem
// with the input.
func readErr(file string, line int, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return inputErr(file, line, "unexpected end of file")
	}
	return inputErr(file, line, "%v", err)
}
