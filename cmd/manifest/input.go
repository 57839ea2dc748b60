package manifest

import (
	"errors"
	"io"
	"os"

	"github.com/forgekit/integrations/internal/iostreams"
)

func readAll(ios *iostreams.IOStreams) ([]byte, error) {
	return io.ReadAll(io.LimitReader(ios.In, 16<<20))
}

func unwrap(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
