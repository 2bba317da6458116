package policy

import "testing"

func TestMatchPath(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"", "/anything/at/all", true},
		{"/api/**", "/api/v1/channels/1656789012", true},
		{"/api/**", "/api", true},
		{"/api/**", "/apix/v1", false},
		{"/api/v1/channels/{id}", "/api/v1/channels/1656789012", true},
		{"/api/v1/channels/{id}", "/api/v1/channels/1656789012/roles", false},
		{"/api/v1/channels/{id}", "/api/v1/channels/", false},
		{"/api/v1/channels/{id}/roles", "/api/v1/channels/1656789012/roles?page=2", true},
		{"**/channel*/**", "/api/v1/channels/1656789012/secret", true},
		{"**/channel*/**", "/api/channels", true},
		{"**/channel*/**", "/channel", true},
		{"**/channel*/**", "/api/v1/providers/1", false},
		{"**/channel*/**", "/api/mychannels", false},
		{"**/bot*/**", "/v2/bot/insight/followers", true},
		{"**/channel*/**|**/bot*/**", "/v2/bot/info", true},
		{"**/channel*/**|**/bot*/**", "/api/me", false},
		{"**", "/", true},
		{"**", "", true},
		{"/", "/", true},
		{"/", "/a", false},
		{"/a/**/b", "/a/b", true},
		{"/a/**/b", "/a/x/y/b", true},
		{"/a/**/b", "/a/x/y/c", false},
		{"/a/**/**/b", "/a/b", true},
		{"/a/*", "/a/b/c", false},
		{"/a/b", "/a/b/", true},
		{"/a/[bc]", "/a/c", true},
		{"/api/v?/me", "/api/v2/me", true},
		{"/api/v?/me", "/api/v10/me", false},
		{"/A/b", "/a/b", false}, // paths are case-sensitive
		{"**/channel*/**/role*/**", "/api/v1/channels/1/roles", true},
		{"**/channel*/**/role*/**", "/api/v1/channels/1/settings", false},
	}
	for _, tt := range tests {
		alts, err := compilePath(tt.pattern)
		if err != nil {
			t.Errorf("compilePath(%q): %v", tt.pattern, err)
			continue
		}
		if got := matchPath(alts, tt.path); got != tt.want {
			t.Errorf("match(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

func TestCompilePathErrors(t *testing.T) {
	for _, pattern := range []string{"/a/[b", "/a/b**", "/a||/b", "|", "/a/\\"} {
		if _, err := compilePath(pattern); err == nil {
			t.Errorf("compilePath(%q): no error", pattern)
		}
	}
}

func TestRuleApplies(t *testing.T) {
	r := Rule{ID: "x", Method: "get", Path: "/api/**", Names: []string{"a"}, MinRole: "admin"}
	tests := []struct {
		method, path string
		want         bool
	}{
		{"GET", "/api/x", true},
		{"get", "/api/x", true},
		{"POST", "/api/x", false},
		{"GET", "/other", false},
	}
	for _, tt := range tests {
		if got := r.Applies(tt.method, tt.path); got != tt.want {
			t.Errorf("Applies(%q, %q) = %v, want %v", tt.method, tt.path, got, tt.want)
		}
	}
}

func TestTemplate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"/", "/"},
		{"/api/v1/channels/1656789012/roles", "/api/v1/channels/{id}/roles"},
		{"/api/v1/channels/1656789012/", "/api/v1/channels/{id}/"},
		{"/api/v1/channels", "/api/v1/channels"},
		{"/v2/bot/profile/U4af4980629a0123456789abcdef01234", "/v2/bot/profile/{id}"},
		{"/v2/bot/group/Ca56f94637cc4347f90a25382909b24b9/summary", "/v2/bot/group/{id}/summary"},
		{"/v2/bot/room/Ra8dbf4673c4c812cd491258042226c99/members", "/v2/bot/room/{id}/members"},
		{"/items/123e4567-e89b-12d3-a456-426614174000", "/items/{id}"},
		{"/items/123E4567-E89B-12D3-A456-426614174000", "/items/{id}"},
		{"/blobs/0123456789abcdef", "/blobs/{id}"},
		{"/blobs/0123456789abcde", "/blobs/0123456789abcde"}, // 15 hex: kept
		{"/objects/01ARZ3NDEKTSV4RRFFQ69G5FAV", "/objects/{id}"},
		{"/objects/01arz3ndektsv4rrffq69g5fav", "/objects/{id}"},
		{"/words/notificationsubscriptionx", "/words/notificationsubscriptionx"},
		{"/liff/v1/apps/1656789012-AbCdEfGh", "/liff/v1/apps/1656789012-AbCdEfGh"},
		{"/v2/bot/insight/followers", "/v2/bot/insight/followers"},
		{"/a/face/b", "/a/face/b"}, // short hex word kept
		{"//1//", "//{id}//"},
		{"1", "{id}"},
		{"/api/v1", "/api/v1"},
		{"/users/U4af4980629a0123456789abcdef0123", "/users/U4af4980629a0123456789abcdef0123"}, // 31 hex: kept
	}
	for _, tt := range tests {
		if got := Template(tt.in); got != tt.want {
			t.Errorf("Template(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
