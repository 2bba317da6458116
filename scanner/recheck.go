package scanner

import (
	"context"
	"errors"

	"github.com/zricethezav/gitleaks/v8/sources"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/scanner/engine"
)

// recheck looks for earlier findings again, each in the file it stood in,
// at HEAD: the file is scanned with the same rules and the secrets' hashes
// compared, so no raw value has to be kept between scans. A finding whose
// secret is gone is no longer at HEAD (its removing commit is among the
// new commits, which the incremental scan read).
func recheck(ctx context.Context, eng *engine.Engine, p *plan, old []finding.Finding) ([]finding.Finding, error) {
	if p.repo == nil || p.headRev == "" {
		return nil, errors.New("scanner: Recheck needs a git repository with commits")
	}
	blobs, err := p.repo.NewBlobReader(ctx)
	if err != nil {
		return nil, err
	}
	defer blobs.Close()
	type key struct{ rule, path, hash string }
	where := map[key]finding.Location{}
	read := map[string]bool{}
	for _, f := range old {
		path := f.Location.Path
		if read[path] {
			continue
		}
		read[path] = true
		data, ok, err := blobs.Read(p.headRev, path)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		for _, r := range eng.Detect(ctx, sources.Fragment{Raw: string(data), FilePath: path}) {
			if engine.ByPathAlone(r) {
				where[key{r.RuleID, path, ""}] = fileStart(path)
				continue
			}
			if r.Secret == "" {
				continue
			}
			l, found := locateIn(path, string(data), r.Secret)
			if !found {
				l = locate(r)
			}
			k := key{r.RuleID, path, finding.SecretHash(r.Secret)}
			if _, seen := where[k]; !seen {
				where[k] = l.loc
			}
		}
	}
	out := make([]finding.Finding, len(old))
	for i, f := range old {
		loc, at := where[key{f.RuleID, f.Location.Path, f.SecretSHA256}]
		for _, also := range f.AlsoMatched {
			if at {
				break
			}
			loc, at = where[key{also, f.Location.Path, f.SecretSHA256}]
		}
		if at {
			f.Location = loc
		}
		f.Exposure.StillAtHead = at
		out[i] = f
	}
	return out, nil
}
