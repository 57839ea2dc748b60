package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/forgekit/integrations/internal/integrations"
)

// writeHookPages writes one page per webhook kind from the same metadata that drives the hooks
// commands' --set, form and completion.
func writeHookPages(dir string) error {
	var index bytes.Buffer
	index.WriteString("# Webhooks\n\nThe webhook kinds `integrations hooks` manages, generated from their field metadata by `go generate ./...`.\n\n")
	index.WriteString("| kind | title | scope flag |\n|---|---|---|\n")
	for _, d := range integrations.HookKinds() {
		fmt.Fprintf(&index, "| [%s](%s.md) | %s | `%s` |\n", d.Name, d.Name, d.Title, hookScopeFlag(d))
		if err := os.WriteFile(filepath.Join(dir, d.Name+".md"), hookPage(d), 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "README.md"), index.Bytes(), 0o644)
}

func hookScopeFlag(d integrations.Definition) string {
	switch d.Levels[0] {
	case integrations.Project:
		return "-p PROJECT"
	case integrations.Group:
		return "-g GROUP"
	}
	return "--instance"
}

func hookPage(d integrations.Definition) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s (`%s`)\n\n%s\n\n- Scope: `%s`\n", d.Title, d.Name, d.Description, hookScopeFlag(d))
	b.WriteString("- Identified by its ID, its name, or its URL when it has no name\n")
	b.WriteString("\n## Fields\n\nSecret values are write-only on GitLab, encrypted in the local store and never printed. ")
	b.WriteString("`url_variables` and `custom_headers` hold `NAME=VALUE` entries; `--set url_variables.NAME=VALUE` sets one, an empty value removes it; in `--from-file` they are a mapping of `NAME: VALUE` or `NAME=VALUE` lines.\n\n")
	b.WriteString("| field | type | required | secret | choices | default | description |\n|---|---|---|---|---|---|---|\n")
	for _, f := range d.Fields {
		help := f.Title
		if f.Help != "" {
			help += ": " + f.Help
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s | %s |\n", f.Key, f.Kind, yes(f.Required), yes(f.Masked()), choices(f), code(f.Default), cell(help))
	}
	b.WriteString("\n## Events\n\n| event | API flag | on by default |\n|---|---|---|\n")
	for _, name := range d.Events {
		ev, _ := integrations.LookupHookEvent(name)
		fmt.Fprintf(&b, "| `%s` | `%s` | %s |\n", ev.Name, ev.APIFlag, yes(d.DefaultEventState(name)))
	}
	flag := strings.Replace(hookScopeFlag(d), "PROJECT", "acme/web", 1)
	flag = strings.Replace(flag, "GROUP", "acme", 1)
	fmt.Fprintf(&b, "\n## Example\n\n```sh\nintegrations hooks add %s \\\n  --set name=ci \\\n  --set 'url=https://{host}/hook' \\\n  --set url_variables.host=env:HOOK_HOST \\\n  --set token=env:HOOK_TOKEN \\\n  --events %s\n```\n", flag, strings.Join(d.Events[:2], ","))
	return b.Bytes()
}
