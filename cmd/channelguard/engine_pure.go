//go:build gore2regex && !re2_cgo

package main

// regexEngine says which RE2 runs the rules (in `--version`).
const regexEngine = "RE2 compiled to WebAssembly and translated to Go (go-re2's wasm2go; pure Go build: build with -tags gore2regex,re2_cgo and libre2-dev for native RE2, a few per cent faster)"
