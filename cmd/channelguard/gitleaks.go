package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/channelguard/channelguard/internal/wording"
	"github.com/channelguard/channelguard/rules"
	"github.com/channelguard/channelguard/scanner/gitleaksignore"
)

// gitleaksFlags are the flags a project coming from gitleaks brings.
type gitleaksFlags struct {
	ignorePath string
}

func (g *gitleaksFlags) register(f *pflag.FlagSet) {
	f.StringVar(&g.ignorePath, "gitleaks-ignore-path", "", "also read the .gitleaksignore `FILE` (or the one in a directory); PATH/.gitleaksignore is always read")
}

// scanSetup is what a scan reads before it starts besides its inputs: the
// config (a .channelguard.toml or a gitleaks config) and .gitleaksignore.
type scanSetup struct {
	plan   *rules.Plan // nil: the built-in rules
	ignore *gitleaksignore.Set
	// configPath is the config's file ("" for none, or one from the
	// environment); inputs a digest of everything else both depend on.
	configPath, inputs string
}

// loadRules builds the rules the setup names.
func (s scanSetup) loadRules() (*rules.Set, error) {
	if s.plan == nil {
		return rules.Builtin()
	}
	return s.plan.Load()
}

// prepareScan finds and reads the config and .gitleaksignore of a scan of
// path, as gitleaks would find them (see rules.Discover), and says on
// stderr which gitleaks config is used and what gitleaks would warn about.
func prepareScan(path string, captures bool, fl scanFlags, logf func(string, ...any), stderr io.Writer) (scanSetup, error) {
	var st scanSetup
	say := func(format string, a ...any) {
		if !fl.quiet {
			fmt.Fprintf(stderr, "channelguard: "+format+"\n", a...)
		}
	}
	f, shadowed, err := rules.Discover(fl.config, path, captures, os.Getenv)
	if err != nil {
		return st, err
	}
	if f != nil {
		if st.plan, err = rules.Prepare(*f); err != nil {
			return st, err
		}
		st.configPath, st.inputs = f.Path, st.plan.Digest()
		if f.Kind == rules.KindGitleaks {
			say("using %s", st.plan.Summary())
		} else {
			logf("using %s", st.plan.Summary())
		}
		for _, w := range st.plan.Warnings {
			say("warning: %s", wording.OneLine(w, 300))
		}
		if shadowed != "" {
			say("note: %s is not read: %s takes precedence", shadowed, st.plan.Name())
		}
	}
	dir := path
	if dir == "" && !captures {
		dir = "."
	}
	files, err := gitleaksignore.Find(dir, fl.gitleaks.ignorePath)
	if err != nil {
		return st, err
	}
	if st.ignore, err = gitleaksignore.Load(files...); err != nil {
		return st, err
	}
	for _, w := range st.ignore.Warnings {
		say("warning: %s", wording.OneLine(w, 300))
	}
	if len(files) > 0 {
		logf("%s: %d fingerprints", wording.Plural(len(files), gitleaksignore.Name+" file"), st.ignore.Len())
		st.inputs += "\nignore " + st.ignore.Digest()
	}
	return st, nil
}

// printIgnored says what .gitleaksignore dropped.
func printIgnored(stderr io.Writer, findings, occurrences int) {
	if occurrences == 0 {
		return
	}
	fmt.Fprintf(stderr, "channelguard: %s suppressed by %s (%s not reported at all)\n",
		wording.Plural(occurrences, "occurrence"), gitleaksignore.Name, wording.Plural(findings, "finding"))
}
