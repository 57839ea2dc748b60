package cmd

import (
	"github.com/MakeNowJust/heredoc"
	"github.com/forgekit/integrations/internal/cmdutil"
	"github.com/forgekit/integrations/internal/quote"
	"github.com/spf13/cobra"
)

func newCmdCompletion(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "completion <bash|zsh|fish|powershell>",
		Short: "Print a shell completion script",
		Long: heredoc.Doc(`
			Print a completion script for your shell. Completion of integration names, fields,
			choices and events comes from the catalog and never touches the network.
		`),
		Example: heredoc.Doc(`
			$ integrations completion bash > ~/.local/share/bash-completion/completions/integrations
			$ integrations completion zsh > "${fpath[1]}/_integrations"
			$ integrations completion fish > ~/.config/fish/completions/integrations.fish
			PS> integrations completion powershell | Out-String | Invoke-Expression
		`),
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		Args:      cmdutil.ExactArgs(1, "the shell: bash, zsh, fish or powershell"),
		RunE: func(cmd *cobra.Command, args []string) error {
			root, w := cmd.Root(), f.IOStreams.Out
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(w, true)
			case "zsh":
				return root.GenZshCompletion(w)
			case "fish":
				return root.GenFishCompletion(w, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(w)
			}
			return cmdutil.FlagErrorf("unsupported shell %s: use bash, zsh, fish or powershell", quote.Value(args[0]))
		},
	}
}
