package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/rules"
	"github.com/channelguard/channelguard/rules/policy"
	"github.com/channelguard/channelguard/scanner/capture"
)

func newRulesCmd(stdout io.Writer) *cobra.Command {
	var config, policyFile string
	cmd := &cobra.Command{
		Use:   "rules [RULE-ID]",
		Short: "List the detection rules and the role policy, or show one rule",
		Long: `Without an argument, list every rule: the secret rules (id, severity,
short description; LINE rules first), the rules for API captures, and the
role policy: its roles by rank and, per policy rule, the fields roles below
its minimum role must not receive. With a rule id (a secret rule, a capture
rule or a policy rule), print its full description and the remediation
channelguard attaches to its findings.`,
		Example: `  channelguard rules
  channelguard rules line-channel-secret
  channelguard rules channel-secret
  channelguard rules --config .channelguard.toml --policy console-policy.toml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := rules.Load(config)
			if err != nil {
				return &exitCode{code: exitError, err: err}
			}
			pol, err := loadPolicy(policyFile)
			if err != nil {
				return &exitCode{code: exitError, err: err}
			}
			all := append(set.Rules(), capture.Rules()...)
			if len(args) == 1 {
				for _, r := range all {
					if r.ID == args[0] {
						printRule(stdout, r)
						return nil
					}
				}
				if r, ok := pol.Rule(args[0]); ok {
					printPolicyRule(stdout, pol, r)
					return nil
				}
				return &exitCode{code: exitError, err: fmt.Errorf("unknown rule %q (run 'channelguard rules' for the list)", args[0])}
			}
			tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tSOURCE\tDESCRIPTION")
			for _, r := range all {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Origin, r.Title)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "\n%d rules.\n\nRole policy (%s)\n\nRoles, highest first:", len(all), pol.Source)
			for _, r := range pol.Roles {
				fmt.Fprintf(stdout, " %s (%d)", r.Name, r.Rank)
			}
			fmt.Fprint(stdout, "\n\n")
			tw = tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "POLICY RULE\tRESERVED FOR\tENDPOINTS\tDESCRIPTION")
			for _, r := range pol.Rules {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.MinRole, endpoints(&r), r.Title)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "\n%d policy rules, reported as %s. 'channelguard rules ID' shows one rule's remediation.\n", len(pol.Rules), capture.RuleRoleField)
			if slices.ContainsFunc(pol.Rules, func(r policy.Rule) bool { return len(r.Words) > 0 }) {
				fmt.Fprintf(stdout, "\n%s\n", wordsHelp)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&config, "config", "c", "", "include the rules of a channelguard config `FILE`")
	cmd.Flags().StringVar(&policyFile, "policy", "", "include a role policy `FILE` (TOML)")
	return cmd
}

func printRule(w io.Writer, r finding.Rule) {
	fmt.Fprintf(w, "%s — %s\n\n", r.ID, r.Title)
	if score := r.Severity.Score(); score != "" {
		fmt.Fprintf(w, "Severity:  %s (security-severity %s)\n", r.Severity, score)
	} else {
		fmt.Fprintf(w, "Severity:  %s\n", r.Severity)
	}
	if r.CWE > 0 {
		fmt.Fprintf(w, "CWE:       CWE-%d\n", r.CWE)
	}
	fmt.Fprintf(w, "Precision: %s\n", r.Precision)
	fmt.Fprintf(w, "Source:    %s\n", r.Origin)
	fmt.Fprintf(w, "Help:      %s\n\n", r.HelpURI)
	fmt.Fprintf(w, "%s\n\nRemediation\n\n%s\n", r.Summary, r.Remediation)
}

func printPolicyRule(w io.Writer, p *policy.Policy, r *policy.Rule) {
	fmt.Fprintf(w, "%s — %s\n\n", r.ID, r.Title)
	fmt.Fprintf(w, "Policy:       %s\n", p.Source)
	fmt.Fprintf(w, "Reported as:  %s (severity %s; critical when the value is a detected secret)\n", capture.RuleRoleField, orDefault(r.Severity, "high"))
	fmt.Fprintf(w, "Reserved for: %s and above\n", r.MinRole)
	fmt.Fprintf(w, "Endpoints:    %s\n", endpoints(r))
	if len(r.Fields) > 0 {
		fmt.Fprintf(w, "Fields:       %s\n", strings.Join(r.Fields, ", "))
	}
	if len(r.Names) > 0 {
		fmt.Fprintf(w, "Names:        %s (any depth, case and separators ignored)\n", strings.Join(r.Names, ", "))
	}
	if len(r.Words) > 0 {
		fmt.Fprintf(w, "Words:        %s (names ending in them, at any depth; not look-alikes)\n", strings.Join(r.Words, ", "))
	}
	if len(r.ExceptNames) > 0 {
		fmt.Fprintf(w, "Except names: %s\n", strings.Join(r.ExceptNames, ", "))
	}
	switch r.Values {
	case policy.ValuesString:
		fmt.Fprintf(w, "Values:       strings only\n")
	case policy.ValuesSecret:
		fmt.Fprintf(w, "Values:       strings that could be secrets: not booleans, numbers, dates or short words (%s)\n", strings.Join(enumExamples, ", "))
	}
	if r.HelpURI != "" {
		fmt.Fprintf(w, "Help:         %s\n", r.HelpURI)
	}
	if len(r.Words) > 0 {
		fmt.Fprintf(w, "\n%s\n", wordsHelp)
	}
	fmt.Fprintf(w, "\n%s\n\nRemediation\n\n%s\n", r.Description, r.Remediation)
}

// Examples for the word matcher's help, worked out by the matcher itself.
var (
	splitExamples     = []string{"secretToken", "LINE_CHANNEL_SECRET", "APIKey", "clientSECRET", "personal-access-token"}
	lookAlikeExamples = []string{"tokenType", "expiresIn", "tokenExpiresAt", "nextPageToken", "continuationToken", "csrfTokenName", "publicKey", "keyId", "secretIssuedAt", "hasSecret", "secretsCount", "tokenEndpoint"}
	enumExamples      = []string{"Bearer", "ENABLED", "hmac-sha256"}
	wordsHelp         = wordsHelpText()
)

// wordsHelpText explains word matching with examples the policy package
// computes, so the help cannot drift from what is matched.
func wordsHelpText() string {
	var b strings.Builder
	b.WriteString("Word matching (policy rules with words): a field name is split into words at\n" +
		"camelCase, snake_case, kebab-case, acronyms and digits:\n")
	for _, n := range splitExamples {
		fmt.Fprintf(&b, "  %-22s → %s\n", n, strings.Join(policy.Words(n), " "))
	}
	b.WriteString("A rule's words match when the name ends in them (\"private key\": privateKey,\n" +
		"rsa_private_key; \"token\": secretToken, personalAccessToken; not tokenType).\n" +
		"Look-alike names never match:")
	col := 80
	for _, n := range lookAlikeExamples {
		if !policy.LookAlikeName(n) {
			continue
		}
		if col+len(n)+2 > 78 {
			b.WriteString("\n ")
			col = 1
		}
		b.WriteString(" " + n + ",")
		col += len(n) + 2
	}
	b.WriteString(" …\nSee rules/policy/README.md (Words).")
	return b.String()
}

func endpoints(r *policy.Rule) string {
	m, p := r.Method, r.Path
	if m == "" {
		m = "any method"
	}
	if p == "" {
		p = "any path"
	}
	return m + " " + p
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
