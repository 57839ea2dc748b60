package cmdutil

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/forgekit/integrations/internal/integrations"
)

// Limits on what is read from user input: a value given as file:PATH, and a whole settings
// file or manifest (stdin included).
const (
	MaxValueFileBytes = integrations.MaxValueBytes
	MaxInputBytes     = 16 << 20
)

// ReadLimited reads the regular file at path, refusing anything else (a directory, a FIFO, a
// device such as /dev/zero) and anything longer than limit bytes. The check comes before the
// open, and the open does not block, so a FIFO with no writer cannot hang the command.
func ReadLimited(path string, limit int64) ([]byte, error) {
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
	return readAtMost(f, limit)
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

// readAtMost reads r to its end, failing once it yields more than limit bytes.
func readAtMost(r io.Reader, limit int64) ([]byte, error) {
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
