// Package teamreporttest builds a small team report for tests of the
// reporters and of `channelguard report`: three repositories (one failed,
// one whose name and paths are hostile to HTML, Markdown and spreadsheets),
// findings of every kind of exposure and a comparison with a previous
// report. Its values are made up; none is a real credential.
package teamreporttest

import "github.com/channelguard/channelguard/finding"

// Hostile strings a reporter must escape.
const (
	HostileRepo = `acme/<script>alert("repo")</script>`
	HostilePath = "cfg/<script>alert(\"path\")</script>|`x`.env"
	// FormulaPath starts like a spreadsheet formula.
	FormulaPath = `=HYPERLINK("evil")`
	// NewestDate is the newest commit date in Report: the reference time
	// of exposure ages.
	NewestDate = "2025-11-25T09:00:00Z"
	// HelpURI is the help link of the line-channel-secret rule in Report.
	HelpURI = "https://developers.line.biz/en/docs/basics/channel-access-token/"
)

func commit(sha, date string) *finding.Commit {
	return &finding.Commit{SHA: sha, Author: "Dev", Email: "dev@example.com", Date: date}
}

func mk(repo, rule string, sev finding.Severity, path string, line int, hash string) finding.Finding {
	return finding.Finding{
		Repository:    repo,
		RuleID:        rule,
		Severity:      sev,
		Title:         rule,
		Location:      finding.Location{Path: path, StartLine: line, StartColumn: 5, EndLine: line, EndColumn: 37},
		SecretPreview: "c3d7… (32 chars)",
		SecretSHA256:  hash,
		Fingerprint:   finding.Fingerprint(rule, path, hash),
	}
}

// Report returns a new copy of the sample team report, sorted as
// teamreport.Sort sorts.
func Report() *finding.Report {
	secret := mk("acme/bot", "line-channel-secret", finding.Critical, "bot/app.py", 7, "869a194bd246")
	secret.Message = "LINE channel secret in bot/app.py:7 (committed in 1a2b3c4d on 2024-05-01, still at HEAD): reissue the channel secret in the LINE Developers console."
	secret.Action = "reissue the channel secret in the LINE Developers console."
	secret.Commit = commit("1a2b3c4d5e6f", "2024-05-01T10:00:00Z")
	secret.Exposure = finding.Exposure{FirstCommit: commit("1a2b3c4d5e6f", "2024-05-01T10:00:00Z"), StillAtHead: true, InWorkingTree: true}
	secret.Occurrences = []finding.Occurrence{{Location: secret.Location, Commit: secret.Commit}}
	secret.Verification = &finding.Verification{Status: finding.VerifiedLive, CheckedAt: "2025-11-25T10:00:00Z", BotName: "Acme Bot"}
	secret.Change = "open"

	hostile := mk(HostileRepo, "line-channel-access-token", finding.High, HostilePath, 2, "0a1b2c3d4e5f")
	hostile.Message = "LINE channel access token in " + HostilePath + ":2 (committed in 9f8e7d6c on 2025-11-01, still at HEAD): reissue the token."
	hostile.Action = "reissue the token."
	hostile.Commit = commit("9f8e7d6c5b4a", "2025-11-01T08:00:00Z")
	hostile.Exposure = finding.Exposure{FirstCommit: hostile.Commit, StillAtHead: true}
	hostile.Change = "new"

	formula := mk(HostileRepo, "generic-api-key", finding.Medium, FormulaPath, 1, "111122223333")
	formula.SecretPreview = "=cmd… (20 chars)"
	formula.Message = "-generic API key in a file named like a formula: rotate it."
	formula.Action = "rotate it."
	formula.Commit = commit("aaaabbbbcccc", "2025-11-20T12:00:00Z")
	formula.Exposure = finding.Exposure{FirstCommit: formula.Commit, RemovedIn: commit("ddddeeeeffff", NewestDate)}
	formula.Change = "new"

	notify := mk("acme/bot", "line-notify-token", finding.Low, "bot/note.sh", 1, "abcdefabcdef")
	notify.Message = "LINE Notify token in bot/note.sh:1 (committed in 2b3c4d5e on 2025-10-20, removed): revoke it."
	notify.Action = "revoke it."
	notify.Commit = commit("2b3c4d5e6f70", "2025-10-20T00:00:00Z")
	notify.Exposure = finding.Exposure{FirstCommit: notify.Commit}
	notify.Change = "open"

	gap := mk("acme/bot", "capture-coverage-gap", finding.Info, "console.har", 12, "")
	gap.SecretPreview = ""
	gap.Message = "Response body missing from the capture: not checked."
	gap.Action = "not checked."
	gap.Change = "open"

	fixed := mk("acme/bot", "line-channel-secret", finding.Medium, "old.env", 1, "fedcbafedcba")
	fixed.Message = "LINE channel secret in old.env:1: reissue it."
	fixed.Action = "reissue it."
	fixed.Exposure = finding.Exposure{FirstCommit: commit("0102030405", "2023-01-01T00:00:00Z")}
	fixed.Change = "fixed"

	return &finding.Report{
		Tool:   finding.Tool{Name: "channelguard", Version: "1.0.0", InformationURI: "https://github.com/channelguard/channelguard"},
		Target: "github.com/acme",
		Rules: []finding.Rule{{
			ID: "line-channel-secret", Name: "LineChannelSecret", Title: "LINE channel secret", Severity: finding.Critical,
			HelpURI: HelpURI, Remediation: "Reissue the channel secret.", Origin: "line",
		}, {
			ID: "line-notify-token", Name: "LineNotifyToken", Title: "LINE Notify token", Severity: finding.Low,
			HelpURI: "javascript:alert(1)", Origin: "line", // never a link
		}},
		Findings: []finding.Finding{hostile, formula, secret, notify, gap},
		Stats:    finding.Stats{Commits: 40, Files: 12, Bytes: 4096},
		Repositories: []finding.RepoScan{
			{Name: HostileRepo, Status: "ok", Commits: 10, Findings: 2, HeadSHA: "9f8e7d6c5b4a"},
			{Name: "acme/bot", Status: "ok", Commits: 30, Findings: 3, HeadSHA: "1a2b3c4d5e6f"},
			{Name: "acme/web", Status: "failed", Error: "clone: authentication required <b>"},
		},
		Changes: &finding.Changes{Previous: "reports/2025-11-18.json", New: 2, Open: 3, Fixed: []finding.Finding{fixed}},
	}
}
