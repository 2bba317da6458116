// Package fakecred generates fake LINE credentials for tests: seeded SHA-256
// output shaped like the real formats, so they pass entropy checks without
// being anyone's secret. The same seed always gives the same value.
package fakecred

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// Bytes returns n pseudo-random bytes derived from seed.
func Bytes(seed string, n int) []byte {
	var out []byte
	for i := 0; len(out) < n; i++ {
		sum := sha256.Sum256([]byte(fmt.Sprintf("channelguard-fake-%s-%d", seed, i)))
		out = append(out, sum[:]...)
	}
	return out[:n]
}

// ChannelSecret is 32 lowercase hex characters.
func ChannelSecret(seed string) string { return hex.EncodeToString(Bytes(seed, 16)) }

// AccessToken is a long-lived channel access token: 128 bytes in standard
// base64, 172 characters ending in "=".
func AccessToken(seed string) string { return base64.StdEncoding.EncodeToString(Bytes(seed, 128)) }

// NotifyToken is a LINE Notify token: 43 alphanumerics.
func NotifyToken(seed string) string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var b strings.Builder
	for _, c := range Bytes(seed, 43) {
		b.WriteByte(alnum[int(c)%len(alnum)])
	}
	return b.String()
}

// Hex is n bytes as lowercase hex (git SHAs, checksums, ids).
func Hex(seed string, n int) string { return hex.EncodeToString(Bytes(seed, n)) }
