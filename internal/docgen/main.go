// Command docgen writes docs/ (the command reference and one page per integration) and
// completions/ (bash, zsh, fish, powershell). `go generate ./...` runs it from the repository
// root; CI fails when the committed files differ from what it writes.
package main

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/forgekit/integrations/cmd"
	"github.com/forgekit/integrations/internal/client"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/forms"
	"github.com/forgekit/integrations/internal/integrations"
	"github.com/forgekit/integrations/internal/iostreams"
	"github.com/forgekit/integrations/internal/output"
	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

func main() {
	if err := run("."); err != nil {
		log.Fatal(err)
	}
}

func run(root string) error {
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{
		IOStreams: ios,
		Output:    &output.Options{},
		Backend:   func() (client.Backend, error) { return nil, fmt.Errorf("docgen has no backend") },
		Prompter:  func() forms.Prompter { return forms.NoPrompt{} },
	}
	rootCmd := cmd.NewCmdRoot(f, &cobra.Command{})
	rootCmd.DisableAutoGenTag = true

	cmdDir := filepath.Join(root, "docs", "commands")
	if err := reset(cmdDir); err != nil {
		return err
	}
	if err := doc.GenMarkdownTree(rootCmd, cmdDir); err != nil {
		return err
	}
	intDir := filepath.Join(root, "docs", "integrations")
	if err := reset(intDir); err != nil {
		return err
	}
	if err := writeIntegrationPages(intDir); err != nil {
		return err
	}
	hookDir := filepath.Join(root, "docs", "hooks")
	if err := reset(hookDir); err != nil {
		return err
	}
	if err := writeHookPages(hookDir); err != nil {
		return err
	}
	return writeCompletions(rootCmd, filepath.Join(root, "completions"))
}

// reset empties dir so that pages of removed commands do not linger.
func reset(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.MkdirAll(dir, 0o755)
}

func writeCompletions(root *cobra.Command, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	gens := map[string]func(*bytes.Buffer) error{
		"integrations.bash": func(b *bytes.Buffer) error { return root.GenBashCompletionV2(b, true) },
		"_integrations":     func(b *bytes.Buffer) error { return root.GenZshCompletion(b) },
		"integrations.fish": func(b *bytes.Buffer) error { return root.GenFishCompletion(b, true) },
		"integrations.ps1":  func(b *bytes.Buffer) error { return root.GenPowerShellCompletionWithDesc(b) },
	}
	for name, gen := range gens {
		var b bytes.Buffer
		if err := gen(&b); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func writeIntegrationPages(dir string) error {
	var index bytes.Buffer
	index.WriteString("# Integrations\n\nEvery integration kind in the catalog, generated from its field metadata by `go generate ./...`.\n\n")
	index.WriteString("| name | title | category | levels | status |\n|---|---|---|---|---|\n")
	for _, d := range integrations.Catalog() {
		status := string(d.Status)
		if d.DevOnly {
			status += " (GitLab development builds only)"
		}
		fmt.Fprintf(&index, "| [%s](%s.md) | %s | %s | %s | %s |\n", d.Name, d.Name, d.Title, d.Category, strings.Join(d.LevelNames(), ", "), status)
		if err := os.WriteFile(filepath.Join(dir, d.Name+".md"), page(d), 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "README.md"), index.Bytes(), 0o644)
}

func page(d integrations.Definition) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s (`%s`)\n\n%s\n\n", d.Title, d.Name, d.Description)
	fmt.Fprintf(&b, "- Category: %s\n- Levels: %s\n", d.Category, strings.Join(d.LevelNames(), ", "))
	if d.APISlug != "" {
		fmt.Fprintf(&b, "- API: `PUT /projects/:id/integrations/%s`", d.APISlug)
		if d.SupportsLevel(integrations.Group) {
			fmt.Fprintf(&b, ", `PUT /groups/:id/integrations/%s` (GitLab 17.9 and later)", d.APISlug)
		}
		b.WriteString("\n")
	} else {
		b.WriteString("- API: none; GitLab's REST API does not expose this integration\n")
	}
	if d.LegacyType != "" {
		fmt.Fprintf(&b, "- Also accepted as: `%s`\n", d.LegacyType)
	}
	switch {
	case d.Removed():
		fmt.Fprintf(&b, "- Status: removed from GitLab%s; kept for older servers\n", map[bool]string{true: " in " + d.RemovedIn, false: ""}[d.RemovedIn != ""])
	case d.Deprecated != "":
		fmt.Fprintf(&b, "- Status: %s\n", d.Deprecated)
	}
	if d.EEOnly {
		b.WriteString("- Edition: GitLab EE only\n")
	}
	if d.NoAPICreate {
		b.WriteString("- GitLab refuses to create it through the API; set it up in GitLab first\n")
	}
	if d.NoAPIDisable {
		b.WriteString("- GitLab refuses to disable it through the API\n")
	}
	if len(d.Fields) > 0 {
		b.WriteString("\n## Fields\n\n| field | type | required | secret | choices | default | GitLab API | description |\n|---|---|---|---|---|---|---|---|\n")
		for _, f := range d.Fields {
			req := yes(f.Required)
			if f.RequiredWhen != "" {
				req = f.RequiredWhen
			}
			help := f.Title
			if f.Help != "" {
				help += ": " + f.Help
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s | %s | %s |\n", f.Key, f.Kind, req, yes(f.Masked()), choices(f), code(f.Default),
				apiVersions(d.FieldAPI(f.Key)), cell(help))
		}
	}
	if events := d.SupportedEvents(""); len(events) > 0 {
		b.WriteString("\n## Events\n\n| event | API flag | on by default | levels | GitLab API |\n|---|---|---|---|---|\n")
		for _, name := range events {
			ev, _ := integrations.LookupEvent(name)
			where := "all"
			if !slices.Contains(d.Events, name) {
				where = "group only"
				if slices.Contains(d.EEEvents, name) {
					where = "GitLab EE"
				}
			}
			fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s | %s |\n", ev.Name, ev.APIFlag, yes(d.DefaultEventState(name)), where, apiVersions(d.EventAPI(name)))
		}
	}
	if !d.Removed() {
		fmt.Fprintf(&b, "\n## Example\n\n```sh\n%s\n```\n", example(d))
	}
	if d.Test.What != "" {
		fmt.Fprintf(&b, "\n## Testing\n\n%s\n", d.Test.What)
	}
	return b.Bytes()
}

// apiVersions says which GitLab versions' API declares a field or event: "all" when every
// version the catalog knows does.
func apiVersions(a integrations.Availability) string {
	if d := a.Describe(); d != "" {
		return d
	}
	return "all"
}

// example is a configure command line that sets every required field; secrets come from the
// environment so they never appear on a command line.
func example(d integrations.Definition) string {
	flag := "-p acme/web"
	if !d.SupportsLevel(integrations.Project) {
		flag = "--instance"
	}
	parts := []string{"integrations configure " + d.Name + " " + flag}
	for _, f := range d.Fields {
		if !f.Required {
			continue
		}
		parts = append(parts, "--set "+f.Key+"="+exampleValue(d, f))
	}
	return strings.Join(parts, " \\\n  ")
}

func exampleValue(d integrations.Definition, f integrations.Field) string {
	switch {
	case f.Masked():
		return "env:" + strings.ToUpper(d.Name+"_"+f.Key)
	case f.Default != "":
		return f.Default
	case len(f.Choices) > 0:
		return f.Choices[0].Value
	case f.Kind == integrations.Checkbox:
		return "true"
	case f.Placeholder != "" && !strings.ContainsAny(f.Placeholder, " …"):
		return f.Placeholder
	case f.URL:
		return "https://example.com"
	}
	return "VALUE"
}

func choices(f integrations.Field) string {
	var parts []string
	for _, c := range f.Choices {
		if c.Value == "" {
			parts = append(parts, "(blank): "+c.Label)
			continue
		}
		part := "`" + c.Value + "`"
		if d := c.API.Describe(); d != "" {
			part += " (" + d + ")"
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, ", ")
}

func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + s + "`"
}

func cell(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", "\\|"), "\n", " ") }

func yes(b bool) string {
	if b {
		return "yes"
	}
	return ""
}
