package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/scanner/credential"
	"github.com/channelguard/channelguard/verify"
)

// verifyFlags are --verify and its companions, shared by scan and pr.
type verifyFlags struct {
	verify     bool
	lineAPIURL string
	channelID  string
}

func (v *verifyFlags) register(f *pflag.FlagSet) {
	f.BoolVar(&v.verify, "verify", false, "ask LINE's API whether each LINE credential found is live (sends each one to api.line.me over TLS, nowhere else; see README)")
	f.StringVar(&v.lineAPIURL, "line-api-url", "", "LINE API base `URL` for --verify (default https://api.line.me; tests and proxies)")
	f.StringVar(&v.channelID, "channel-id", "", "channel `ID` to check channel secrets with when none is found near them (--verify)")
}

// verifier turns the flags into the scanner's hook; nil without --verify.
func (v *verifyFlags) verifier(logf func(string, ...any)) (credential.VerifyFunc, error) {
	if !v.verify {
		if v.lineAPIURL != "" || v.channelID != "" {
			return nil, errors.New("--line-api-url and --channel-id need --verify")
		}
		return nil, nil
	}
	if v.channelID != "" && !isChannelID(v.channelID) {
		return nil, fmt.Errorf("--channel-id %q: a channel id is 10 digits", v.channelID)
	}
	ver, err := verify.New(verify.Options{BaseURL: v.lineAPIURL, Logf: logf})
	if err != nil {
		return nil, fmt.Errorf("--line-api-url: %w", err)
	}
	return func(ctx context.Context, cs []credential.Credential) []finding.Verification {
		in := make([]verify.Candidate, len(cs))
		for i, c := range cs {
			in[i] = verify.Candidate{Rule: c.Rule, Value: c.Value, ChannelID: c.ChannelID}
		}
		out := make([]finding.Verification, len(cs))
		for i, r := range ver.VerifyAll(ctx, in) {
			out[i] = finding.Verification{
				Status:    string(r.Status),
				ChannelID: r.ChannelID,
				BotName:   r.BotName,
				BasicID:   r.BasicID,
				ExpiresIn: r.ExpiresIn,
				Detail:    r.Detail,
			}
			if !r.CheckedAt.IsZero() {
				out[i].CheckedAt = r.CheckedAt.UTC().Format(time.RFC3339)
			}
		}
		return out
	}, nil
}

func isChannelID(s string) bool {
	if len(s) != 10 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
