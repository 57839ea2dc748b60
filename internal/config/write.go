package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/forgekit/integrations/internal/input"
	"go.yaml.in/yaml/v3"
)

// SetHostToken writes (or with an empty token removes) hosts.<host>.token in the config file at
// path, keeping everything else, comments and key order included: the file's node tree is
// edited in place, not decoded into a map. The file is written 0600 through a rename, so a
// crash leaves the old or the new file, never half of one.
func SetHostToken(path, host, token string) error {
	doc, err := readDoc(path)
	if err != nil {
		return err
	}
	root := doc.Content[0]
	hosts := mapping(root, "hosts", token != "")
	var entry *yaml.Node
	if hosts != nil {
		entry = mapping(hosts, host, token != "")
	}
	switch {
	case entry == nil:
		// Nothing to remove.
	case token == "":
		remove(entry, "token")
		if len(entry.Content) == 0 {
			remove(hosts, host)
		}
		if len(hosts.Content) == 0 {
			remove(root, "hosts")
		}
	default:
		if v := value(entry, "token"); v != nil {
			v.Kind, v.Tag, v.Value, v.Style = yaml.ScalarNode, "!!str", token, 0
		} else {
			entry.Content = append(entry.Content, scalar("token"), scalar(token))
		}
	}
	var buf bytes.Buffer
	if len(root.Content) > 0 || root.HeadComment != "" || root.FootComment != "" {
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(doc); err != nil {
			return err
		}
		if err := enc.Close(); err != nil {
			return err
		}
	}
	return writeFile(path, buf.Bytes())
}

// readDoc reads the config file as a node tree whose root is a mapping; a missing or empty
// file is an empty mapping.
func readDoc(path string) (*yaml.Node, error) {
	empty := &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
	raw, err := input.ReadFile(path, input.MaxDocumentBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return empty, nil
	}
	if err != nil {
		return nil, &Error{fmt.Errorf("reading config %s: %w", path, err)}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, &Error{fmt.Errorf("reading config %s: %w", path, err)}
	}
	if len(doc.Content) == 0 {
		// Only comments, or nothing: keep the comments above a new mapping.
		empty.Content[0].HeadComment = doc.HeadComment
		return empty, nil
	}
	if doc.Content[0].Kind != yaml.MappingNode {
		return nil, &Error{fmt.Errorf("reading config %s: want a mapping of settings", path)}
	}
	return &doc, nil
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

func value(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// mapping returns the mapping under key, creating it when create is set. A key holding
// something else (null, a scalar) is replaced by a mapping only when creating.
func mapping(m *yaml.Node, key string, create bool) *yaml.Node {
	v := value(m, key)
	switch {
	case v != nil && v.Kind == yaml.MappingNode:
		return v
	case !create:
		return nil
	case v != nil:
		v.Kind, v.Tag, v.Value, v.Content, v.Style = yaml.MappingNode, "!!map", "", nil, 0
		return v
	}
	v = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	m.Content = append(m.Content, scalar(key), v)
	return v
}

func remove(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

func writeFile(path string, out []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".config-*.yaml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(out); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
