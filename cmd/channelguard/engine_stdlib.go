//go:build !gore2regex

package main

// regexEngine says which regular expression engine runs the rules (in
// `--version`). Without -tags gore2regex gitleaks compiles its rules with
// Go's regexp package: `go install` and pre-commit's golang hooks build
// this way, as they pass no build tags.
const regexEngine = "Go's regexp package (built without -tags gore2regex, e.g. by go install or pre-commit; the released binaries use RE2)"
