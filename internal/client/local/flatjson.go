package local

import (
	"encoding/json"
	"strings"
)

// The settings columns hold what json.Marshal writes of a map[string]string (properties), a
// map[string]bool (events) or a []string (secret keys). An export reads them for every scope,
// twice: decoding them through reflection was a third of its time. The readers below decode
// what json.Marshal writes of plain ASCII without reflection, the strings sharing the column's
// memory, and leave anything else (an escape, a byte outside printable ASCII, spacing, null) to
// json.Unmarshal, which gives the same result.

// unmarshalStrings decodes a properties column as json.Unmarshal does.
func unmarshalStrings(doc string) (map[string]string, error) {
	return unmarshalFlat(doc, func(j *flatJSON) (string, bool) { return j.str() })
}

// unmarshalBools decodes an events column as json.Unmarshal does.
func unmarshalBools(doc string) (map[string]bool, error) {
	return unmarshalFlat(doc, (*flatJSON).bool)
}

// unmarshalList decodes a secret keys column as json.Unmarshal does.
func unmarshalList(doc string) ([]string, error) {
	if out, ok := readList(doc); ok {
		return out, nil
	}
	var out []string
	err := json.Unmarshal([]byte(doc), &out)
	return out, err
}

func unmarshalFlat[V any](doc string, value func(*flatJSON) (V, bool)) (map[string]V, error) {
	if out, ok := readFlat(doc, value); ok {
		return out, nil
	}
	var out map[string]V
	err := json.Unmarshal([]byte(doc), &out)
	return out, err
}

// readFlat reads an object with string keys, false for what it leaves to json.Unmarshal.
func readFlat[V any](doc string, value func(*flatJSON) (V, bool)) (map[string]V, bool) {
	j := &flatJSON{doc: doc}
	if !j.eat('{') {
		return nil, false
	}
	out := make(map[string]V, strings.Count(doc, ",")+1)
	if j.eat('}') {
		return out, j.at == len(doc)
	}
	for {
		k, ok := j.str()
		if !ok || !j.eat(':') {
			return nil, false
		}
		if out[k], ok = value(j); !ok {
			return nil, false
		}
		if !j.eat(',') {
			return out, j.eat('}') && j.at == len(doc)
		}
	}
}

// readList reads an array of strings, false for what it leaves to json.Unmarshal.
func readList(doc string) ([]string, bool) {
	j := &flatJSON{doc: doc}
	if !j.eat('[') {
		return nil, false
	}
	out := make([]string, 0, strings.Count(doc, ",")+1)
	if j.eat(']') {
		return out, j.at == len(doc)
	}
	for {
		s, ok := j.str()
		if !ok {
			return nil, false
		}
		out = append(out, s)
		if !j.eat(',') {
			return out, j.eat(']') && j.at == len(doc)
		}
	}
}

// flatJSON is a position in a column's JSON.
type flatJSON struct {
	doc string
	at  int
}

func (j *flatJSON) eat(c byte) bool {
	if j.at < len(j.doc) && j.doc[j.at] == c {
		j.at++
		return true
	}
	return false
}

// str reads a string of printable ASCII without escapes.
func (j *flatJSON) str() (string, bool) {
	if !j.eat('"') {
		return "", false
	}
	for i := j.at; i < len(j.doc); i++ {
		switch c := j.doc[i]; {
		case c == '"':
			s := j.doc[j.at:i]
			j.at = i + 1
			return s, true
		case c == '\\' || c < ' ' || c > '~':
			return "", false
		}
	}
	return "", false
}

func (j *flatJSON) bool() (bool, bool) {
	switch rest := j.doc[j.at:]; {
	case strings.HasPrefix(rest, "true"):
		j.at += len("true")
		return true, true
	case strings.HasPrefix(rest, "false"):
		j.at += len("false")
		return false, true
	}
	return false, false
}
