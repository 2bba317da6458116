package pathless

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
)

func TestErr(t *testing.T) {
	_, statErr := os.Stat("/no/such/channelguard/file")
	other := errors.New("other")
	tests := []struct {
		in, want error
	}{
		{statErr, fs.ErrNotExist},
		{&os.LinkError{Op: "rename", Old: "a", New: "b", Err: fs.ErrPermission}, fs.ErrPermission},
		{other, other},
	}
	for _, tt := range tests {
		if got := Err(tt.in); !errors.Is(got, tt.want) || strings.Contains(got.Error(), "/") {
			t.Errorf("Err(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
