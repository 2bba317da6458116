//go:build gore2regex && re2_cgo

package main

// regexEngine says which RE2 runs the rules (in `--version`).
const regexEngine = "native RE2 through cgo (libre2)"
