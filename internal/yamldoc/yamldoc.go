// Package yamldoc parses the YAML (and JSON) documents users give: settings files and
// manifests. Parsing into a node tree keeps line numbers for messages, but accepts a key given
// twice; Parse refuses that, so that a value is never silently overridden by a later one.
package yamldoc

import (
	"fmt"
	"strings"

	"github.com/forgekit/integrations/internal/quote"
	"go.yaml.in/yaml/v3"
)

// Error is a document that cannot be used; it names the file and, where known, the line.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// Parse reads one document. It returns nil for an empty one.
func Parse(name string, raw []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, &Error{File: name, Msg: "not valid YAML or JSON: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	if err := duplicates(name, doc.Content[0]); err != nil {
		return nil, err
	}
	return doc.Content[0], nil
}

func duplicates(name string, n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if first, ok := seen[k.Value]; ok {
				return &Error{File: name, Line: k.Line, Msg: fmt.Sprintf("key %s is given twice (first at line %d)", quote.Value(k.Value), first)}
			}
			seen[k.Value] = k.Line
		}
	}
	for _, c := range n.Content {
		if err := duplicates(name, c); err != nil {
			return err
		}
	}
	return nil
}

// CheckKeys refuses a key of mapping n that is not among allowed.
func CheckKeys(name string, n *yaml.Node, where string, allowed ...string) error {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		known := false
		for _, a := range allowed {
			known = known || k.Value == a
		}
		if !known {
			return &Error{File: name, Line: k.Line, Msg: fmt.Sprintf("%sunknown key %s (want %s)", where, quote.Value(k.Value), strings.Join(allowed, ", "))}
		}
	}
	return nil
}
