package sarif

import (
	"bytes"
	"net/url"
	"path"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fuzzcorpus"
	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
)

// FuzzSARIF writes a report built from fuzzed strings and numbers (rule
// ids, paths with odd characters, messages, regions, severities, capture
// fields). The writer must either fail with an error (no rule id, a path
// outside the repository) or write a log that go-sarif reads back and
// validates against the SARIF 2.1.0 schema, whose location URI decodes back
// to the path, and that is the same bytes when written again.
//
// Seeds: testdata/fuzz/sarif/FuzzSARIF/ at the repository root.
func FuzzSARIF(f *testing.F) {
	fuzzcorpus.Add(f, "sarif")
	f.Add("line-channel-secret", "LINE channel secret", "LINE channel secret found in app.py:3.", "app.py", "https://example.com/r",
		3, 10, 3, 42, int(finding.Critical), "abcd… (32 chars)", "0123456789ab", "8f14e45fceea167a5a36dedd4bea2543", "$.channel['channelSecret']", "/api/v1/channels/1", "v1.2.3", true)
	f.Fuzz(func(t *testing.T, ruleID, title, msg, p, helpURI string, line, col, endLine, endCol, sev int,
		preview, hash, sha, field, reqPath, version string, capture bool) {
		rule := finding.Rule{
			ID: ruleID, Title: title, Summary: msg, Severity: finding.Severity(sev),
			CWE: sev, Precision: version, HelpURI: helpURI, Remediation: msg + "\n\n[" + title + "](" + helpURI + ")",
			Origin: "config",
		}
		loc := finding.Location{Path: p, StartLine: line, StartColumn: col, EndLine: endLine, EndColumn: endCol}
		c := &finding.Commit{SHA: sha, Author: title, Email: msg, Date: version}
		fd := finding.Finding{
			RuleID: ruleID, Severity: finding.Severity(sev), Title: title, Message: msg,
			Location: loc, Commit: c, SecretPreview: preview, SecretSHA256: hash,
			Exposure:    finding.Exposure{FirstCommit: c, RemovedIn: c, StillAtHead: capture},
			Occurrences: []finding.Occurrence{{Location: loc, Commit: c}},
			AlsoMatched: []string{title}, SameAs: []string{field}, Confirmed: msg, Remediation: msg,
			MoreOccurrences: endCol,
		}
		if capture {
			fd.Capture = &finding.Capture{
				File: p, Entry: line, Role: title, Method: sha, URL: "https://api.line.me" + reqPath,
				Template: reqPath, Path: reqPath, Status: endCol, Part: version, Field: field, Time: version,
			}
			fd.PolicyRule = ruleID
			fd.Verification = &finding.Verification{Status: preview, Detail: msg, BotName: title, ChannelID: field}
		}
		// A second finding of an uncatalogued rule with the same id.
		other := fd
		other.RuleID = ruleID + "-" + title
		r := &finding.Report{
			Tool:     finding.Tool{Name: title, Version: version, InformationURI: helpURI},
			Target:   p,
			Rules:    []finding.Rule{rule, rule},
			Findings: []finding.Finding{fd, other},
			Stats:    finding.Stats{Commits: line, Files: col, Bytes: endCol},
		}

		var buf bytes.Buffer
		err := WriteWith(&buf, r, Options{Category: field})
		clean, outside := fuzzCleanPath(p)
		if err != nil {
			if strings.TrimSpace(ruleID) != "" && !outside {
				t.Fatalf("rule %q, path %q: unexpected error: %v", ruleID, p, err)
			}
			return
		}
		if strings.TrimSpace(ruleID) == "" || outside {
			t.Fatalf("rule %q, path %q: written without error", ruleID, p)
		}
		out := buf.Bytes()
		log, err := gosarif.FromBytes(out)
		if err != nil {
			t.Fatalf("FromBytes: %v\n%s", err, out)
		}
		if err := log.Validate(); err != nil {
			t.Fatalf("schema validation: %v\n%s", err, out)
		}
		if len(log.Runs) != 1 || len(log.Runs[0].Results) != 2 {
			t.Fatalf("want 1 run with 2 results:\n%s", out)
		}
		for _, res := range log.Runs[0].Results {
			if len(res.Locations) != 1 {
				t.Fatalf("result has %d locations", len(res.Locations))
			}
			al := res.Locations[0].PhysicalLocation.ArtifactLocation
			uri := *al.URI
			if abs := strings.HasPrefix(clean, "/"); abs {
				uri = strings.TrimPrefix(uri, "file://")
			} else if al.URIBaseID == nil || *al.URIBaseID != SrcRoot {
				t.Fatalf("relative path %q without %s", p, SrcRoot)
			}
			got, err := url.PathUnescape(uri)
			if err != nil || got != clean {
				t.Fatalf("path %q: uri %q decodes to %q (%v), want %q", p, *al.URI, got, err, clean)
			}
			if u, err := url.Parse(*al.URI); err != nil || (!strings.HasPrefix(clean, "/") && u.IsAbs()) {
				t.Fatalf("path %q: uri %q is not a relative reference (%v)", p, *al.URI, err)
			}
		}
		var again bytes.Buffer
		if err := WriteWith(&again, r, Options{Category: field}); err != nil || !bytes.Equal(out, again.Bytes()) {
			t.Fatalf("second write differs (%v)", err)
		}
	})
}

// fuzzCleanPath says, independently of artifactURI, which repository path
// a finding's path names and whether it lies outside the repository.
func fuzzCleanPath(p string) (clean string, outside bool) {
	p = strings.TrimSpace(strings.ReplaceAll(p, "\\", "/"))
	if p == "" {
		return "", true
	}
	clean = path.Clean(p)
	if strings.HasPrefix(clean, "/") {
		return clean, false
	}
	return clean, clean == "." || clean == ".." || strings.HasPrefix(clean, "../")
}
