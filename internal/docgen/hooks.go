package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/manifest"
)

// writeHookPages writes one page per webhook kind from the same metadata that drives the hooks
// commands' --set, form and completion.
func writeHookPages(dir string) error {
	var index bytes.Buffer
	index.WriteString("# Webhooks\n\nThe webhook kinds `integrations hooks` manages, generated from their field metadata by `go generate ./...`.\n\n")
	index.WriteString("Each kind's page lists its fields and events, and how it is written in a manifest (`export`, `plan`, `apply`).\n\n")
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
	b.WriteString(hookManifest(d))
	return b.Bytes()
}

// hookManifest documents the kind in a manifest, its example encoded as export writes one.
func hookManifest(d integrations.Definition) string {
	scope := map[integrations.Level]string{integrations.Project: "project:acme/web", integrations.Group: "group:acme", integrations.Instance: "instance"}[d.Levels[0]]
	example := &manifest.HookSettings{
		Kind:          d,
		Values:        map[string]string{integrations.HookName: "ci", integrations.HookURL: "https://{host}/hook", integrations.HookToken: "env:HOOK_TOKEN", "enable_ssl_verification": "true"},
		URLVariables:  map[string]string{"host": "env:HOOK_HOST"},
		CustomHeaders: map[string]string{"X-Api-Key": "env:HOOK_API_KEY"},
		Events:        d.Events[:2],
	}
	file := manifest.File{Version: manifest.Version, Scopes: map[string]*manifest.ScopeSettings{scope: {Hooks: []*manifest.HookSettings{example}}}}
	raw, err := manifest.Encode(file, "plan and apply it with: integrations apply -f FILE")
	if err != nil {
		panic(err)
	}
	// Markdown's backquotes cannot sit in a Go raw string: the text writes them as ‹›.
	text := strings.NewReplacer("‹", "`", "›", "`").Replace(`
## In a manifest

‹export› writes a scope's hooks under ‹hooks:›, beside its integrations, and ‹plan› and ‹apply› read them:

‹‹‹yaml
` + string(raw) + `‹‹‹

- A hook is identified by its ‹name›, or by its ‹url› when it has none: apply updates the hook with the same name or URL (or leaves it alone) and never adds a second one.
- The keys are the fields above and ‹events›, the list of events switched on (every other one is off). A key left out keeps what the hook has; ‹url_variables› and ‹custom_headers›, when given, are the whole set (names not listed are removed). Unknown keys, wrong types and events this kind lacks are refused with the file and line, before anything is written.
- Secrets (‹token›, ‹signing_token›, URL variable and header values) are only references, ‹env:NAME› or ‹file:PATH›. Export names them ‹INTEGRATIONS_<SCOPE>_HOOK_<NAME or ID>_<FIELD>›, and writes a reference only for a secret the backend says is set. A ‹url› with credentials or a token parameter in clear is refused (export writes such a URL masked): write those parts as ‹{NAME}› and give them in ‹url_variables›.
- ‹--prune› removes the hooks the file does not list at the scopes that have a ‹hooks:› key (‹hooks: []› removes them all); a scope without one keeps its hooks.
- On GitLab a URL change clears the token and every custom header. Apply sends them again from the file; when the file lacks them, plan shows ‹(needed: add it to the file)› and apply refuses (exit 2) with nothing written.
`)
	return text
}
