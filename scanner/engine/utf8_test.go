package engine

import (
	"testing"

	"github.com/channelguard/channelguard/finding"
	"github.com/channelguard/channelguard/internal/fakecred"
)

// A secret next to bytes that are not UTF-8 is found: RE2 (gore2regex)
// matches nothing at an invalid byte, so `…=SECRET\xff` was missed.
func TestInvalidUTF8AroundASecret(t *testing.T) {
	secret := fakecred.ChannelSecret("invalid-utf8")
	want := "line-channel-secret:" + finding.SecretHash(secret)
	for name, text := range map[string]string{
		"after":  "LINE_CHANNEL_SECRET=" + secret + "\xff\n",
		"around": "\xff\xfe\xc3(LINE_CHANNEL_SECRET=" + secret + "\xc3\xff\n",
		"lines":  "\x80\x81\nLINE_CHANNEL_SECRET=" + secret + "\xff\xc3\n\xfe\n",
	} {
		got := engineFind(t, text)
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s: got %v, want [%s]", name, got, want)
		}
	}
}
