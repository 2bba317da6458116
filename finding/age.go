package finding

import (
	"path/filepath"
	"time"
)

// ExposedDays is how many whole days the secret had been in the history on
// the day asOf (a date; its time of day is ignored): from the day of the
// first commit that added it. ok is false when there is no dated first
// commit (uncommitted files, captures). A first commit dated after asOf
// gives a negative count.
func (f *Finding) ExposedDays(asOf time.Time) (days int, ok bool) {
	c := f.Exposure.FirstCommit
	if c == nil {
		return 0, false
	}
	first, err := time.Parse("2006-01-02", c.Day())
	if err != nil {
		return 0, false
	}
	day := time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
	return int(day.Sub(first).Hours() / 24), true
}

// Subject is what a report's title names: its Name, else its Target when
// that says more than "." (an older report of the current directory says
// nothing), else "".
func (r *Report) Subject() string {
	if r.Name != "" {
		return r.Name
	}
	switch filepath.Clean(r.Target) {
	case ".", "..", string(filepath.Separator):
		return ""
	}
	return r.Target
}

// NewestCommitDate is the newest commit date anywhere in the report (its
// findings and the fixed ones): what exposure ages are counted to when no
// day is given, so that a report renders the same whenever it is rendered.
func (r *Report) NewestCommitDate() (time.Time, bool) {
	var newest time.Time
	found := false
	see := func(c *Commit) {
		if c == nil {
			return
		}
		if t, ok := parseDate(c.Date); ok && (!found || t.After(newest)) {
			newest, found = t, true
		}
	}
	visit := func(fs []Finding) {
		for i := range fs {
			f := &fs[i]
			see(f.Commit)
			see(f.Exposure.FirstCommit)
			see(f.Exposure.RemovedIn)
			for j := range f.Occurrences {
				see(f.Occurrences[j].Commit)
			}
		}
	}
	visit(r.Findings)
	if r.Changes != nil {
		visit(r.Changes.Fixed)
	}
	return newest, found
}

func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
