// Package input reads what users give the tool (values by file:PATH, settings files,
// manifests, stdin, the config file, CA files) with a size limit, refusing what is not a
// regular file before opening it, so that /dev/zero cannot exhaust memory and a FIFO with no
// writer cannot hang a command.
package input

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Limits on what is read from user input: a value given as file:PATH (the longest value a
// field takes), and a whole settings file, manifest or config file (stdin included).
const (
	MaxValueBytes    = 1 << 20
	MaxDocumentBytes = 16 << 20
)

// ReadFile reads the regular file at path, refusing anything else (a directory, a FIFO, a
// device such as /dev/zero) and anything longer than limit bytes. The check comes before the
// open, and the open does not block, so a FIFO with no writer cannot hang the command.
func ReadFile(path string, limit int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if err := regular(st); err != nil {
		return nil, err
	}
	if st.Size() > limit {
		return nil, tooLarge(st.Size(), limit)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	defer f.Close()
	// The path may have been swapped since the Stat: check what was opened.
	if st, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := regular(st); err != nil {
		return nil, err
	}
	return ReadAll(f, limit)
}

func regular(st fs.FileInfo) error {
	switch m := st.Mode(); {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return errors.New("it is a directory, not a file")
	case m&fs.ModeNamedPipe != 0:
		return errors.New("it is a named pipe (FIFO), not a regular file")
	case m&fs.ModeDevice != 0 || m&fs.ModeCharDevice != 0:
		return errors.New("it is a device, not a regular file")
	}
	return errors.New("it is not a regular file")
}

// ReadAll reads r to its end, failing once it yields more than limit bytes.
func ReadAll(r io.Reader, limit int64) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) > limit {
		return nil, tooLarge(-1, limit)
	}
	return raw, nil
}

func tooLarge(size, limit int64) error {
	if size >= 0 {
		return fmt.Errorf("it is %d bytes; the limit is %s", size, byteSize(limit))
	}
	return fmt.Errorf("it is longer than the limit of %s", byteSize(limit))
}

func byteSize(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// unwrapPathError drops the operation and path an *os.PathError repeats, for messages that
// already name the file.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
