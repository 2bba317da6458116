package finding

import (
	"testing"
	"time"
)

func TestExposedDays(t *testing.T) {
	asOf := time.Date(2026, 12, 5, 23, 59, 0, 0, time.UTC)
	for _, tt := range []struct {
		first *Commit
		days  int
		ok    bool
	}{
		{&Commit{Date: "2026-12-05T00:00:01Z"}, 0, true},
		{&Commit{Date: "2026-12-04T23:59:59Z"}, 1, true},
		{&Commit{Date: "2025-12-05T10:00:00Z"}, 365, true},
		{&Commit{Date: "2026-12-08T00:00:00Z"}, -3, true},
		{&Commit{Date: "not a date"}, 0, false},
		{nil, 0, false},
	} {
		f := Finding{Exposure: Exposure{FirstCommit: tt.first}}
		days, ok := f.ExposedDays(asOf)
		if days != tt.days || ok != tt.ok {
			t.Errorf("%+v: %d, %v; want %d, %v", tt.first, days, ok, tt.days, tt.ok)
		}
	}
}

func TestSubject(t *testing.T) {
	for _, tt := range []struct{ name, target, want string }{
		{"acme/api", ".", "acme/api"},
		{"", ".", ""},
		{"", "./", ""},
		{"", "github.com/acme", "github.com/acme"},
		{"", "a.har, b.har", "a.har, b.har"},
	} {
		r := &Report{Name: tt.name, Target: tt.target}
		if got := r.Subject(); got != tt.want {
			t.Errorf("Subject(%q, %q) = %q, want %q", tt.name, tt.target, got, tt.want)
		}
	}
}
