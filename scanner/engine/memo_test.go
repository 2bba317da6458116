package engine

import (
	"testing"

	"github.com/zricethezav/gitleaks/v8/report"
	"github.com/zricethezav/gitleaks/v8/sources"
)

// TestMemoKeyIs128Bits: two keys that share one 64-bit half are different
// texts to the memo.
func TestMemoKeyIs128Bits(t *testing.T) {
	m := newMemo()
	if m == nil {
		t.Fatal("no memo")
	}
	m.store(memoKey{1, 2}, sourcesFragment("a"), nil)
	if _, ok := m.lookup(memoKey{1, 3}, sourcesFragment("b")); ok {
		t.Error("a key with the same first half found another text's entry")
	}
	if _, ok := m.lookup(memoKey{1, 2}, sourcesFragment("a")); !ok {
		t.Error("the stored key is not found")
	}
}

// TestMemoMovesLinesNotPathFindings: a text seen again at another line
// moves its findings there, but a finding by path alone (pkcs12-file) stays
// at line 0, as gitleaks reports it and as its fingerprint says.
func TestMemoMovesLinesNotPathFindings(t *testing.T) {
	m := newMemo()
	first := sources.Fragment{Raw: "x", StartLine: 1, FilePath: "a.p12"}
	m.store(memoKey{7, 7}, first, []report.Finding{
		{RuleID: "pkcs12-file", Match: "file detected: a.p12", StartLine: 0, EndLine: 0},
		{RuleID: "generic-api-key", Secret: "s", Match: "key=s", StartLine: 1, EndLine: 1},
	})
	again := sources.Fragment{Raw: "x", StartLine: 5, FilePath: "b.p12", CommitSHA: "c"}
	got, ok := m.lookup(memoKey{7, 7}, again)
	if !ok || len(got) != 2 {
		t.Fatalf("lookup: %d findings, ok %v", len(got), ok)
	}
	if got[0].StartLine != 0 || got[0].EndLine != 0 {
		t.Errorf("path finding moved to line %d-%d, want 0", got[0].StartLine, got[0].EndLine)
	}
	if got[1].StartLine != 5 || got[1].File != "b.p12" || got[1].Commit != "c" {
		t.Errorf("value finding at %s:%d in %q, want b.p12:5 in c", got[1].File, got[1].StartLine, got[1].Commit)
	}
}
