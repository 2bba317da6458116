// Package release holds no code. Its tests check the files that package
// and distribute channelguard, at the repository's root, against each other
// and the README: .goreleaser.yaml, the Dockerfile and .pre-commit-hooks.yaml
// build and run channelguard as the README says (the same build tags, the
// same hook command), `goreleaser check` passes where goreleaser is
// installed, and the image builds and scans where Docker runs.
package release
