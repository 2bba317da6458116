package teamreport_test

import (
	"bytes"
	"sort"
	"strings"
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/reporters/jsonreport"
	"github.com/channelguard/channelguard/teamreport"
	"github.com/channelguard/channelguard/teamreport/teamreporttest"
)

func jsonBytes(t *testing.T, r *finding.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jsonreport.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// shard splits whole by repository into n reports, as `org --shard I/N`
// would have written them: each with its repositories, their findings,
// their fixed findings and their share of the stats.
func shard(whole *finding.Report, n int) []*finding.Report {
	parts := make([]*finding.Report, n)
	which := map[string]int{}
	for i, r := range whole.Repositories {
		which[r.Name] = (len(whole.Repositories) - 1 - i) % n // not in sorted order
	}
	for i := range parts {
		parts[i] = &finding.Report{Tool: whole.Tool, Target: whole.Target, Rules: whole.Rules, Findings: []finding.Finding{}}
		if whole.Changes != nil {
			parts[i].Changes = &finding.Changes{Previous: whole.Changes.Previous, Fixed: []finding.Finding{}}
		}
	}
	for _, r := range whole.Repositories {
		parts[which[r.Name]].Repositories = append(parts[which[r.Name]].Repositories, r)
	}
	for _, f := range whole.Findings {
		p := parts[which[f.Repository]]
		p.Findings = append([]finding.Finding{f}, p.Findings...) // reversed
	}
	for _, f := range whole.Changes.Fixed {
		p := parts[which[f.Repository]]
		p.Changes.Fixed = append(p.Changes.Fixed, f)
	}
	// Stats: give everything to shard 0 except what the others read.
	parts[0].Stats = whole.Stats
	for i := 1; i < n; i++ {
		parts[i].Stats = finding.Stats{Commits: i, Files: i, Bytes: 10 * i}
		parts[0].Stats.Commits -= i
		parts[0].Stats.Files -= i
		parts[0].Stats.Bytes -= 10 * i
	}
	return parts
}

func TestMergeEqualsOnePiece(t *testing.T) {
	whole := teamreporttest.Report()
	want := jsonBytes(t, whole)
	parts := shard(teamreporttest.Report(), 3)
	for _, order := range [][]int{{0, 1, 2}, {2, 1, 0}, {1, 2, 0}} {
		in := []*finding.Report{parts[order[0]], parts[order[1]], parts[order[2]]}
		got, err := teamreport.Merge(in...)
		if err != nil {
			t.Fatal(err)
		}
		if g := jsonBytes(t, got); !bytes.Equal(g, want) {
			t.Errorf("order %v: merged report differs from the one-piece report:\n%s\nwant:\n%s", order, g, want)
		}
		if len(got.Rules) != len(whole.Rules) {
			t.Errorf("rules: %d, want %d", len(got.Rules), len(whole.Rules))
		}
	}
}

// A shard given twice (a re-run job uploading again, an artifact downloaded
// twice) changes nothing: findings, repositories, changes and stats. Every
// shard of the split carries stats, so counting any one twice shows.
func TestMergeShardTwice(t *testing.T) {
	want := jsonBytes(t, teamreporttest.Report())
	parts := shard(teamreporttest.Report(), 3)
	for i, p := range parts {
		if p.Stats == (finding.Stats{}) {
			t.Fatalf("shard %d has no stats: the test would prove nothing", i)
		}
	}
	// a copy with the same content, decoded from its own JSON as a second
	// file would be
	cp, err := jsonreport.Read(bytes.NewReader(jsonBytes(t, parts[1])))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   []*finding.Report
	}{
		{"last twice", []*finding.Report{parts[0], parts[1], parts[2], parts[2]}},
		{"first twice, apart", []*finding.Report{parts[0], parts[1], parts[0], parts[2]}},
		{"a copy of the same content", []*finding.Report{parts[1], parts[0], cp, parts[2]}},
		{"every shard twice", []*finding.Report{parts[2], parts[1], parts[0], parts[0], parts[1], parts[2]}},
		{"three times", []*finding.Report{parts[1], parts[1], parts[0], parts[1], parts[2]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := teamreport.Merge(tt.in...)
			if err != nil {
				t.Fatal(err)
			}
			if g := jsonBytes(t, got); !bytes.Equal(g, want) {
				t.Errorf("a duplicated shard changed the report (stats %+v, want %+v)", got.Stats, teamreporttest.Report().Stats)
			}
		})
	}
	// the parts are not modified
	if again := shard(teamreporttest.Report(), 3); !bytes.Equal(jsonBytes(t, again[0]), jsonBytes(t, parts[0])) {
		t.Error("Merge modified a part")
	}
}

// One shard listing a repository twice, identically, is not two shards.
func TestMergeRepositoryTwiceInOneShard(t *testing.T) {
	want := jsonBytes(t, teamreporttest.Report())
	parts := shard(teamreporttest.Report(), 2)
	parts[0].Repositories = append(parts[0].Repositories, parts[0].Repositories[0])
	got, err := teamreport.Merge(parts...)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(jsonBytes(t, got), want) {
		t.Error("merged report differs from the one-piece report")
	}
}

func TestMergeErrors(t *testing.T) {
	base := func() []*finding.Report { return shard(teamreporttest.Report(), 2) }
	tests := []struct {
		name   string
		mutate func(p []*finding.Report) []*finding.Report
		want   string
	}{
		{"nothing", func([]*finding.Report) []*finding.Report { return nil }, "no reports"},
		{"repo disagrees", func(p []*finding.Report) []*finding.Report {
			r := p[0].Repositories[0]
			r.Commits++
			p[1].Repositories = append(p[1].Repositories, r)
			return p
		}, "disagree about repository " + p0Name()},
		{"finding disagrees", func(p []*finding.Report) []*finding.Report {
			f := p[0].Findings[0]
			f.Location.StartLine++
			p[1].Findings = append(p[1].Findings, f)
			return p
		}, "disagree about repository"},
		{"repository in two different shards", func(p []*finding.Report) []*finding.Report {
			// listed identically, but the shards differ: their stats cannot
			// be split by repository, so the merge would count it twice
			p[1].Repositories = append(p[1].Repositories, p[0].Repositories[0])
			return p
		}, "both list repository " + p0Name()},
		{"other target", func(p []*finding.Report) []*finding.Report {
			p[1].Target = "github.com/other"
			return p
		}, "different targets"},
		{"other previous", func(p []*finding.Report) []*finding.Report {
			p[1].Changes.Previous = "older.json"
			return p
		}, "different previous"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := teamreport.Merge(tt.mutate(base())...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// p0Name is the first repository of shard 0 of 2 of the sample.
func p0Name() string { return shard(teamreporttest.Report(), 2)[0].Repositories[0].Name }

func TestDiff(t *testing.T) {
	f := func(repo, fp string) finding.Finding {
		return finding.Finding{Repository: repo, RuleID: "r", Severity: finding.High, Fingerprint: fp, Location: finding.Location{Path: fp}}
	}
	ok := func(name string) finding.RepoScan { return finding.RepoScan{Name: name, Status: "ok"} }
	failed := func(name string) finding.RepoScan { return finding.RepoScan{Name: name, Status: "failed", Error: "x"} }
	tests := []struct {
		name      string
		prev, cur *finding.Report
		changes   map[string]string // repo/fp → change of cur's finding
		fixed     []string          // repo/fp
		nNew      int
		nOpen     int
	}{
		{
			name: "new, open, fixed",
			prev: &finding.Report{Findings: []finding.Finding{f("a/x", "1"), f("a/x", "2")}},
			cur: &finding.Report{Findings: []finding.Finding{f("a/x", "2"), f("a/x", "3")},
				Repositories: []finding.RepoScan{ok("a/x")}},
			changes: map[string]string{"a/x/2": "open", "a/x/3": "new"},
			fixed:   []string{"a/x/1"},
			nNew:    1, nOpen: 1,
		},
		{
			name:    "failed repository fixes nothing",
			prev:    &finding.Report{Findings: []finding.Finding{f("a/x", "1"), f("a/y", "2")}},
			cur:     &finding.Report{Findings: []finding.Finding{}, Repositories: []finding.RepoScan{ok("a/x"), failed("a/y")}},
			changes: map[string]string{},
			fixed:   []string{"a/x/1"},
		},
		{
			name:    "repository not scanned fixes nothing",
			prev:    &finding.Report{Findings: []finding.Finding{f("a/gone", "1")}},
			cur:     &finding.Report{Repositories: []finding.RepoScan{ok("a/x")}},
			changes: map[string]string{},
		},
		{
			name:    "same fingerprint, other repository: new",
			prev:    &finding.Report{Findings: []finding.Finding{f("a/x", "1")}},
			cur:     &finding.Report{Findings: []finding.Finding{f("a/fork", "1")}, Repositories: []finding.RepoScan{ok("a/x"), ok("a/fork")}},
			changes: map[string]string{"a/fork/1": "new"},
			fixed:   []string{"a/x/1"},
			nNew:    1,
		},
		{
			name:    "single-repository reports (no repository list)",
			prev:    &finding.Report{Findings: []finding.Finding{f("", "1"), f("", "2")}},
			cur:     &finding.Report{Findings: []finding.Finding{f("", "1")}},
			changes: map[string]string{"/1": "open"},
			fixed:   []string{"/2"},
			nOpen:   1,
		},
		{
			name:    "no previous report",
			prev:    nil,
			cur:     &finding.Report{Findings: []finding.Finding{f("", "1")}},
			changes: map[string]string{"/1": "new"},
			nNew:    1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var prevJSON []byte
			if tt.prev != nil {
				prevJSON = jsonBytes(t, tt.prev)
			}
			got := teamreport.Diff(tt.prev, tt.cur, "last.json")
			if got != tt.cur {
				t.Error("Diff must return cur")
			}
			if tt.prev != nil && !bytes.Equal(prevJSON, jsonBytes(t, tt.prev)) {
				t.Error("Diff modified prev")
			}
			for _, f := range got.Findings {
				if want := tt.changes[f.Repository+"/"+f.Fingerprint]; f.Change != want {
					t.Errorf("%s/%s: change %q, want %q", f.Repository, f.Fingerprint, f.Change, want)
				}
			}
			c := got.Changes
			if c == nil || c.Previous != "last.json" || c.New != tt.nNew || c.Open != tt.nOpen {
				t.Fatalf("changes %+v, want new %d open %d", c, tt.nNew, tt.nOpen)
			}
			var fixed []string
			for _, f := range c.Fixed {
				if f.Change != "fixed" {
					t.Errorf("fixed finding has change %q", f.Change)
				}
				fixed = append(fixed, f.Repository+"/"+f.Fingerprint)
			}
			if strings.Join(fixed, ",") != strings.Join(tt.fixed, ",") {
				t.Errorf("fixed %v, want %v", fixed, tt.fixed)
			}
		})
	}
}

// Sort is the order `channelguard org` writes: Report.Sort, then a stable
// sort by repository.
func TestSortIsOrgOrder(t *testing.T) {
	r := teamreporttest.Report()
	for i, j := 0, len(r.Findings)-1; i < j; i, j = i+1, j-1 {
		r.Findings[i], r.Findings[j] = r.Findings[j], r.Findings[i]
	}
	org := &finding.Report{Findings: append([]finding.Finding(nil), r.Findings...)}
	org.Sort()
	sort.SliceStable(org.Findings, func(i, j int) bool { return org.Findings[i].Repository < org.Findings[j].Repository })
	teamreport.Sort(r)
	for i := range r.Findings {
		if teamreport.Key(&r.Findings[i]) != teamreport.Key(&org.Findings[i]) {
			t.Fatalf("finding %d: %s, org order has %s", i, r.Findings[i].Location, org.Findings[i].Location)
		}
	}
}

func TestMergeEmptyShard(t *testing.T) {
	parts := shard(teamreporttest.Report(), 3)
	empty := &finding.Report{Target: "api.example.com/acme", Findings: []finding.Finding{}, Stats: finding.Stats{}}
	got, err := teamreport.Merge(empty, parts[0], parts[1], parts[2])
	if err != nil {
		t.Fatal(err)
	}
	if got.Target != teamreporttest.Report().Target {
		t.Errorf("target %q", got.Target)
	}
}
