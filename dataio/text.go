package dataio

import (
	"bufio"
	"compress/gzip"
	"io"
	"strconv"
	"strings"
)

// maxLine is the longest line a text input may have.
const maxLine = 1 << 28

// decompress returns r, decompressed if it starts with the gzip magic.
func decompress(r io.Reader, name string) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, readErr(name, 0, err)
		}
		return zr, nil
	}
	return br, nil
}

// lineScanner reads a text input line by line, counting lines.
type lineScanner struct {
	sc   *bufio.Scanner
	name string
	line int    // number of the current line
	text string // the current line, trimmed
}

func newLineScanner(r io.Reader, name string) (*lineScanner, error) {
	r, err := decompress(r, name)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), maxLine)
	return &lineScanner{sc: sc, name: name}, nil
}

// scan advances to the next line, which may be blank or a comment.
func (l *lineScanner) scan() bool {
	if !l.sc.Scan() {
		return false
	}
	l.line++
	l.text = strings.TrimSpace(l.sc.Text())
	return true
}

// next advances to the next line that is neither blank nor a comment
// (starting with # or %).
func (l *lineScanner) next() bool {
	for l.scan() {
		if l.text != "" && l.text[0] != '#' && l.text[0] != '%' {
			return true
		}
	}
	return false
}

// err returns the error that stopped the scan, if any.
func (l *lineScanner) err() error {
	if err := l.sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			return inputErr(l.name, l.line+1, "line longer than %d bytes", maxLine)
		}
		return readErr(l.name, l.line+1, err)
	}
	return nil
}

// errorf returns an InputError at the current line.
func (l *lineScanner) errorf(format string, args ...any) error {
	return inputErr(l.name, l.line, format, args...)
}

// intValues returns the elements of s as integers, or nil if any is not
// a decimal integer.
func intValues(s []string) []int64 {
	v := make([]int64, len(s))
	for i, x := range s {
		var err error
		if v[i], err = strconv.ParseInt(x, 10, 64); err != nil {
			return nil
		}
	}
	return v
}
