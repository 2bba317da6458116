package ghapi

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"testing"
)

type cf struct {
	Filename         string `json:"filename"`
	Status           string `json:"status"`
	PreviousFilename string `json:"previous_filename,omitempty"`
	Patch            string `json:"patch,omitempty"`
}

func lineSet(m map[int]bool) []int {
	var out []int
	for l, ok := range m {
		if ok {
			out = append(out, l)
		}
	}
	sort.Ints(out)
	return out
}

func TestAddPatch(t *testing.T) {
	tests := []struct {
		name         string
		patch        string
		added, inDif []int
	}{
		{
			name: "two hunks",
			patch: "@@ -1,3 +1,4 @@ package x\n" +
				" a\n" + // 1
				"+b\n" + // 2
				" c\n" + // 3
				" d\n" + // 4
				"@@ -20,4 +21,3 @@ func f() {\n" +
				" x\n" + // 21
				"-y\n" +
				"-z\n" +
				"+Z\n" + // 22
				" w", // 23
			added: []int{2, 22},
			inDif: []int{1, 2, 3, 4, 21, 22, 23},
		},
		{
			name:  "new file, header without counts, no newline marker",
			patch: "@@ -0,0 +1,2 @@\n+one\n+two\n\\ No newline at end of file",
			added: []int{1, 2},
			inDif: []int{1, 2},
		},
		{
			name:  "single line ranges",
			patch: "@@ -5 +5 @@\n-old\n+new",
			added: []int{5},
			inDif: []int{5},
		},
		{
			name:  "only deletions",
			patch: "@@ -3,2 +2,0 @@\n-gone\n-gone too",
		},
		{
			name: "blank context line with its space stripped, trailing newline",
			patch: "@@ -1,3 +1,4 @@\n" +
				" a\n" + // 1
				"\n" + // 2 (context "" )
				"+b\n" + // 3
				" c\n", // 4
			added: []int{3},
			inDif: []int{1, 2, 3, 4},
		},
		{
			name:  "line starting with +++ or --- inside a hunk is content",
			patch: "@@ -1,1 +1,2 @@\n--- a\n+++ b\n+c",
			added: []int{1, 2},
			inDif: []int{1, 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDiff()
			if err := d.AddPatch("f.go", tt.patch); err != nil {
				t.Fatal(err)
			}
			if got := lineSet(d.Added["f.go"]); !reflect.DeepEqual(got, tt.added) {
				t.Errorf("added = %v, want %v", got, tt.added)
			}
			if got := lineSet(d.InDiff["f.go"]); !reflect.DeepEqual(got, tt.inDif) {
				t.Errorf("inDiff = %v, want %v", got, tt.inDif)
			}
		})
	}
	if err := NewDiff().AddPatch("f", "@@ bogus @@\n+x"); err == nil {
		t.Error("bad hunk header accepted")
	}
}

func TestPRDiff(t *testing.T) {
	f := newFake(t)
	var files []cf
	for i := 0; i < 205; i++ { // three pages
		files = append(files, cf{Filename: fmt.Sprintf("gen/f%03d.txt", i), Status: "added", Patch: "@@ -0,0 +1 @@\n+x"})
	}
	files[0] = cf{Filename: "main.go", Status: "modified", Patch: "@@ -10,3 +10,4 @@ func main() {\n a\n+b\n c\n d\n@@ -40,2 +41,2 @@\n-e\n+E\n f"}
	files[101] = cf{Filename: "new/name.go", PreviousFilename: "old/name.go", Status: "renamed", Patch: "@@ -1,2 +1,2 @@\n-k := 1\n+k := 2\n ctx"}
	files[102] = cf{Filename: "pure/rename.go", PreviousFilename: "pure/old.go", Status: "renamed"} // no patch
	files[203] = cf{Filename: "logo.png", Status: "added"}                                          // binary: no patch
	files[204] = cf{Filename: "gone.go", Status: "removed", Patch: "@@ -1,2 +0,0 @@\n-a\n-b"}
	f.handle("GET /repos/o/r/pulls/9/files", func(w http.ResponseWriter, r *http.Request) { pageOf(w, r, files) })

	d, err := f.client().PRDiff(context.Background(), Repo{"o", "r"}, 9)
	if err != nil {
		t.Fatal(err)
	}
	assertLines(t, f.lines(), []string{
		"GET /repos/o/r/pulls/9/files?page=1&per_page=100",
		"GET /repos/o/r/pulls/9/files?page=2&per_page=100",
		"GET /repos/o/r/pulls/9/files?page=3&per_page=100",
	})
	check := func(path string, added, inDiff []int) {
		t.Helper()
		if got := lineSet(d.Added[path]); !reflect.DeepEqual(got, added) {
			t.Errorf("%s added = %v, want %v", path, got, added)
		}
		if got := lineSet(d.InDiff[path]); !reflect.DeepEqual(got, inDiff) {
			t.Errorf("%s inDiff = %v, want %v", path, got, inDiff)
		}
	}
	check("main.go", []int{11, 41}, []int{10, 11, 12, 13, 41, 42})
	check("new/name.go", []int{1}, []int{1, 2})
	check("old/name.go", nil, nil)
	check("pure/rename.go", nil, nil)
	check("logo.png", nil, nil)
	check("gone.go", nil, nil)
	check("gen/f202.txt", []int{1}, []int{1})
	if got := len(d.InDiff); got != 202 { // 205 files, less 2 without a patch and 1 removed
		t.Errorf("files with lines: %d, want 202", got)
	}
	if !d.Contains("main.go", 12) || d.IsAdded("main.go", 12) || !d.IsAdded("main.go", 41) {
		t.Error("Contains/IsAdded disagree with the maps")
	}
	var nilDiff *Diff
	if nilDiff.Contains("main.go", 11) || nilDiff.IsAdded("main.go", 11) {
		t.Error("nil Diff must contain nothing")
	}
}

func TestPRCommits(t *testing.T) {
	f := newFake(t)
	f.handle("GET /repos/o/r/pulls/9", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, r, 200, map[string]any{"number": 9, "commits": 42}, 0, 0)
	})
	n, err := f.client().PRCommits(context.Background(), Repo{"o", "r"}, 9)
	if err != nil || n != 42 {
		t.Fatalf("PRCommits = %d, %v", n, err)
	}
	assertLines(t, f.lines(), []string{"GET /repos/o/r/pulls/9"})
}
