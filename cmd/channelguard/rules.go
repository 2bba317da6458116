package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/channelguard/channelguard/rules"
)

func newRulesCmd(stdout io.Writer) *cobra.Command {
	var config string
	cmd := &cobra.Command{
		Use:   "rules [RULE-ID]",
		Short: "List the detection rules, or show one rule's help and remediation",
		Long: `Without an argument, list every rule: id, severity and short description,
LINE rules first. With a rule id, print its full description, CWE, help link
and the remediation steps channelguard attaches to its findings.`,
		Example: `  channelguard rules
  channelguard rules line-channel-secret
  channelguard rules --config .channelguard.toml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := rules.Load(config)
			if err != nil {
				return &exitCode{code: exitError, err: err}
			}
			if len(args) == 1 {
				r, ok := set.Rule(args[0])
				if !ok {
					return &exitCode{code: exitError, err: fmt.Errorf("unknown rule %q (run 'channelguard rules' for the list)", args[0])}
				}
				fmt.Fprintf(stdout, "%s — %s\n\n", r.ID, r.Title)
				fmt.Fprintf(stdout, "Severity:  %s (security-severity %s)\n", r.Severity, r.Severity.Score())
				fmt.Fprintf(stdout, "CWE:       CWE-%d\n", r.CWE)
				fmt.Fprintf(stdout, "Precision: %s\n", r.Precision)
				fmt.Fprintf(stdout, "Source:    %s\n", r.Origin)
				fmt.Fprintf(stdout, "Help:      %s\n\n", r.HelpURI)
				fmt.Fprintf(stdout, "%s\n\nRemediation\n\n%s\n", r.Summary, r.Remediation)
				return nil
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tSOURCE\tDESCRIPTION")
			all := set.Rules()
			for _, r := range all {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Origin, r.Title)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "\n%d rules. 'channelguard rules ID' shows one rule's remediation.\n", len(all))
			return nil
		},
	}
	cmd.Flags().StringVarP(&config, "config", "c", "", "include the rules of a channelguard config `FILE`")
	return cmd
}
