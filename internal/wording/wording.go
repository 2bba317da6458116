// Package wording holds the few text helpers every layer's messages use,
// written once: a value on one line (an error message, a table cell, a
// console's answer quoted in a note) and a counted noun.
package wording

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// OneLine puts s on one line: every run of white space (line breaks
// included) becomes one space, and the ends are trimmed. With max > 0, a
// longer result is cut to max characters (never inside one) and marked
// with "…".
func OneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if max > 0 && utf8.RuneCountInString(s) > max {
		n := 0
		for i := range s {
			if n == max {
				return s[:i] + "…"
			}
			n++
		}
	}
	return s
}

// FirstLine is the first line of s, trimmed: what a one-line error shows
// of a tool's longer message.
func FirstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// Plural counts a noun: "1 commit", "2 commits", "3 entries", "2 keys".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if stem, ok := strings.CutSuffix(noun, "y"); ok && stem != "" && !isVowel(stem[len(stem)-1]) {
		return strconv.Itoa(n) + " " + stem + "ies"
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func isVowel(b byte) bool {
	return strings.IndexByte("aeiou", byte(unicode.ToLower(rune(b)))) >= 0
}

// List joins items as a sentence does: "a", "a and b", "a, b and c".
func List(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// Age says a number of days the way a reader counts them, rounded down:
// "< 1 day", "12 days" (under 60), "5 months" (30 days each, under a
// year), "1 year 2 months".
func Age(days int) string {
	switch {
	case days < 1:
		return "< 1 day"
	case days < 60:
		return Plural(days, "day")
	case days < 365:
		return Plural(min(days/30, 11), "month")
	}
	years, months := days/365, min((days%365)/30, 11)
	if months == 0 {
		return Plural(years, "year")
	}
	return Plural(years, "year") + " " + Plural(months, "month")
}
