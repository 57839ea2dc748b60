package output

import (
	"bufio"
	"encoding/json"
	"io"
	"reflect"
)

// Streamer is data that writes its own JSON, byte for byte as json.MarshalIndent(v, "", "  ")
// would, without holding all of it: bulk reports over tens of thousands of targets.
type Streamer interface {
	StreamJSON(w io.Writer) error
}

// streamJSON writes data as writeJSON does without a filter, one element at a time where it
// can: a Streamer writes itself, a slice is written element by element.
func streamJSON(w io.Writer, data any) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var err error
	if s, ok := data.(Streamer); ok {
		err = s.StreamJSON(bw)
	} else if v := reflect.ValueOf(data); v.Kind() == reflect.Slice && !v.IsNil() {
		err = StreamArray(bw, "", v.Len(), func(i int) any { return v.Index(i).Interface() })
	} else {
		var raw []byte
		if raw, err = json.MarshalIndent(data, "", "  "); err == nil {
			_, err = bw.Write(raw)
		}
	}
	if err != nil {
		return err
	}
	if _, err := bw.WriteString("\n"); err != nil {
		return err
	}
	return bw.Flush()
}

// StreamArray writes n elements as a JSON array indented by two spaces after prefix, as
// json.MarshalIndent does for an array nested under prefix.
func StreamArray(w io.Writer, prefix string, n int, elem func(i int) any) error {
	if n == 0 {
		_, err := io.WriteString(w, "[]")
		return err
	}
	inner := prefix + "  "
	if _, err := io.WriteString(w, "[\n"+inner); err != nil {
		return err
	}
	for i := range n {
		raw, err := json.MarshalIndent(elem(i), inner, "  ")
		if err != nil {
			return err
		}
		if _, err := w.Write(raw); err != nil {
			return err
		}
		sep := ",\n" + inner
		if i == n-1 {
			sep = "\n" + prefix + "]"
		}
		if _, err := io.WriteString(w, sep); err != nil {
			return err
		}
	}
	return nil
}
