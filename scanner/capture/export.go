package capture

// Helpers other input sources (scanner/replay) share with the capture
// scanner, so that they judge values and name fields exactly as its
// findings do.

// SecretShaped reports whether a value looks like a credential whatever it
// is called: long, from a token alphabet, mixing letters and digits, with
// high entropy, and not a public id.
func SecretShaped(s string) bool { return secretShaped(s) }

// RedactPath is a URL path as reports show it: any segment that looks like
// a credential replaced by {redacted}; ids stay.
func RedactPath(path string) string { return endpoint{path: path}.resource() }

// Wildcard turns a normalized JSONPath's array indices into [*]
// ($['roles'][3]['email'] → $['roles'][*]['email']): every element of a
// list is one field, as findings name it.
func Wildcard(path string) string { return wildcard(path) }

// DecodeJSON decodes a body that is exactly one JSON object or array (an
// anti-XSSI prefix such as ")]}'" allowed), numbers as json.Number; ok is
// false for anything else, a body cut short included.
func DecodeJSON(text string) (any, bool) { return decodeJSON(text) }
