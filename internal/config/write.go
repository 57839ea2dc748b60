package config

import (
	"fmt"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// SetHostToken writes (or with an empty token removes) hosts.<host>.token in the config file at
// path, keeping everything else. The file is written 0600 through a rename, so a crash leaves
// the old or the new file, never half of one.
func SetHostToken(path, host, token string) error {
	doc := map[string]any{}
	if raw, err := os.ReadFile(path); err == nil {
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			return &Error{fmt.Errorf("reading config %s: %w", path, err)}
		}
		if doc == nil {
			doc = map[string]any{}
		}
	} else if !os.IsNotExist(err) {
		return err
	}
	hosts, _ := doc["hosts"].(map[string]any)
	if hosts == nil {
		hosts = map[string]any{}
	}
	entry, _ := hosts[host].(map[string]any)
	if entry == nil {
		entry = map[string]any{}
	}
	if token == "" {
		delete(entry, "token")
	} else {
		entry["token"] = token
	}
	if len(entry) == 0 {
		delete(hosts, host)
	} else {
		hosts[host] = entry
	}
	if len(hosts) == 0 {
		delete(doc, "hosts")
	} else {
		doc["hosts"] = hosts
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return err
	}
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
