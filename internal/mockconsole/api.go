package mockconsole

import (
	"encoding/json"
	"hash/fnv"
	"net/http"
	"regexp"
)

// GET /api/v1/me: the user's own profile, own e-mail included (every role
// may receive it).
func (s *server) me(w http.ResponseWriter, r *http.Request, u User) {
	type membership struct {
		ProviderID string `json:"providerId"`
		ChannelID  string `json:"channelId"`
		Role       Role   `json:"role"`
	}
	var ms []membership
	for _, c := range channels {
		ms = append(ms, membership{ProviderID, c.ID, u.Role})
	}
	writeJSON(w, http.StatusOK, struct {
		UserID          string       `json:"userId"`
		DisplayName     string       `json:"displayName"`
		Email           string       `json:"email"`
		Locale          string       `json:"locale"`
		PictureURL      *string      `json:"pictureUrl"`
		TwoFactorAuth   bool         `json:"twoFactorAuthEnabled"`
		DeveloperSince  string       `json:"developerSince"`
		LastLoginAt     int64        `json:"lastLoginAt"`
		Memberships     []membership `json:"memberships"`
		UnreadNewsCount int          `json:"unreadNewsCount"`
	}{u.ID, u.Name, u.Email, u.Locale, nil, u.Role == Admin, "2018-04-02", 1763971200000, ms, 3})
}

type providerSummary struct {
	ProviderID   string `json:"providerId"`
	Name         string `json:"name"`
	IconURL      string `json:"iconUrl"`
	MyRole       Role   `json:"myRole"`
	ChannelCount int    `json:"channelCount"`
	Verified     bool   `json:"verified"`
}

// GET /api/v1/providers
func (s *server) providers(w http.ResponseWriter, r *http.Request, u User) {
	writeJSON(w, http.StatusOK, map[string]any{
		"providers": []providerSummary{{
			ProviderID: ProviderID, Name: "Example Café Inc.",
			IconURL: "https://profile.line-scdn.example/0hmock-provider-icon/preview",
			MyRole:  u.Role, ChannelCount: len(channels), Verified: false,
		}},
		"next": nil,
	})
}

// GET /api/v1/providers/{providerId}/channels
func (s *server) providerChannels(w http.ResponseWriter, r *http.Request, u User) {
	if r.PathValue("providerId") != ProviderID {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "Provider not found.")
		return
	}
	type item struct {
		ChannelID string `json:"channelId"`
		Name      string `json:"name"`
		Type      string `json:"type"`
		IconURL   string `json:"iconUrl"`
		Status    string `json:"status"`
		MyRole    Role   `json:"myRole"`
		UpdatedAt int64  `json:"updatedAt"`
	}
	var items []item
	for i, c := range channels {
		status := "PUBLISHED"
		if c.Type == "LINE_LOGIN" {
			status = "DEVELOPING"
		}
		items = append(items, item{c.ID, c.Name, c.Type, c.IconURL, status, u.Role, 1752000000000 + int64(i)*86400000})
	}
	writeJSON(w, http.StatusOK, map[string]any{"providerId": ProviderID, "channels": items, "total": len(items), "next": nil})
}

// secretField is the channelSecret value for u: the secret in the buggy
// console and for admins; absent (or null, per channel) for others when
// fixed.
func (s *server) secretField(u User, c channel) json.RawMessage {
	if !s.opts.Fixed || u.Role == Admin {
		b, _ := json.Marshal(c.Secret)
		return b
	}
	if c.secretNull {
		return json.RawMessage("null")
	}
	return nil
}

type category struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

type basicSettings struct {
	ChannelID   string          `json:"channelId"`
	ChannelType string          `json:"channelType"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	IconURL     string          `json:"iconUrl"`
	Provider    providerRef     `json:"provider"`
	Region      string          `json:"region"`
	Category    *category       `json:"category"`
	Subcategory *category       `json:"subcategory"`
	Email       string          `json:"contactEmail"`
	PrivacyURL  *string         `json:"privacyPolicyUrl"`
	TermsURL    *string         `json:"termsOfUseUrl"`
	AppTypes    []string        `json:"appTypes"`
	Permissions []string        `json:"permissions"`
	Secret      json.RawMessage `json:"channelSecret,omitempty"`
	YourUserID  string          `json:"yourUserId"`
	EmailPerm   emailPermission `json:"emailAddressPermission"`
	LinkedBot   *linkedBot      `json:"linkedOaBot"`
	Localized   []localization  `json:"localizations"`
	CreatedAt   int64           `json:"createdAt"`
	UpdatedAt   int64           `json:"updatedAt"`
}

type providerRef struct {
	ProviderID string `json:"providerId"`
	Name       string `json:"name"`
}

type emailPermission struct {
	Status    string `json:"status"`
	Applied   bool   `json:"applied"`
	AppliedAt *int64 `json:"appliedAt"`
}

type linkedBot struct {
	ChannelID  string `json:"channelId"`
	BasicID    string `json:"basicId"`
	Aggressive bool   `json:"botPromptNormal"`
}

type localization struct {
	Locale      string `json:"locale"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// GET /api/v1/channels/{channelId}: the Basic settings tab.
func (s *server) basicSettings(w http.ResponseWriter, r *http.Request, u User, c channel) {
	if s.opts.Fixed && u.Role == Tester {
		// Testers see the channel name only.
		writeJSON(w, http.StatusOK, struct {
			ChannelID   string `json:"channelId"`
			ChannelType string `json:"channelType"`
			Name        string `json:"name"`
			IconURL     string `json:"iconUrl"`
		}{c.ID, c.Type, c.Name, c.IconURL})
		return
	}
	privacy := "https://cafe.example.com/privacy"
	b := basicSettings{
		ChannelID: c.ID, ChannelType: c.Type, Name: c.Name, Description: c.Description,
		IconURL:  c.IconURL,
		Provider: providerRef{ProviderID, "Example Café Inc."},
		Region:   "JP",
		Email:    "support@cafe.example.com",
		Secret:   s.secretField(u, c),
		// Your user ID: the viewer's own user id for this channel's
		// provider (public).
		YourUserID: u.ID,
		CreatedAt:  1698796800000,
		UpdatedAt:  1752000000000,
	}
	switch c.Type {
	case "MESSAGING_API":
		b.Category = &category{98, "Restaurants & cafés"}
		b.Subcategory = &category{981, "Café"}
		b.PrivacyURL = &privacy
		b.AppTypes = []string{"BOT"}
		b.Permissions = []string{"PROFILE", "CHAT_MESSAGE.WRITE"}
		b.EmailPerm = emailPermission{Status: "NOT_APPLIED"}
		b.Localized = []localization{}
	case "LINE_LOGIN":
		applied := int64(1700006400000)
		b.AppTypes = []string{"WEB", "NATIVE_APP"}
		b.Permissions = []string{"PROFILE", "OPENID_CONNECT", "EMAIL"}
		b.EmailPerm = emailPermission{Status: "APPROVED", Applied: true, AppliedAt: &applied}
		b.LinkedBot = &linkedBot{ChannelID: MessagingChannelID, BasicID: botBasicID, Aggressive: true}
		b.Localized = []localization{{Locale: "ja", Name: "エグザンプルカフェ ログイン", Description: "LINEでログインしてウェブショップを使う"}}
	}
	writeJSON(w, http.StatusOK, b)
}

const botBasicID = "@512wxyzk"

// GET /api/v1/channels/{channelId}/messaging-api: the Messaging API tab.
func (s *server) messagingAPI(w http.ResponseWriter, r *http.Request, u User, c channel) {
	if c.Type != "MESSAGING_API" {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "This channel has no Messaging API settings.")
		return
	}
	if s.opts.Fixed && u.Role == Tester {
		writeError(w, http.StatusForbidden, "FORBIDDEN", "Your role on this channel does not allow this.")
		return
	}
	type webhook struct {
		URL              string `json:"webhookUrl"`
		Use              bool   `json:"useWebhook"`
		Redelivery       bool   `json:"webhookRedelivery"`
		ErrorStatistics  bool   `json:"errorStatisticsAggregation"`
		LastVerifiedAt   *int64 `json:"lastVerifiedAt"`
		LastVerifyStatus string `json:"lastVerifyStatus"`
	}
	type assertionKey struct {
		Kid          string `json:"kid"`
		Algorithm    string `json:"algorithm"`
		RegisteredAt int64  `json:"registeredAt"`
	}
	verified := int64(1751950000000)
	resp := struct {
		ChannelID      string          `json:"channelId"`
		BotBasicID     string          `json:"botBasicId"`
		BotPremiumID   *string         `json:"botPremiumId"`
		BotUserID      string          `json:"botUserId"`
		QRCodeURL      string          `json:"qrCodeUrl"`
		Webhook        webhook         `json:"webhook"`
		JoinGroups     bool            `json:"allowBotToJoinGroupChats"`
		AutoReply      string          `json:"autoReplyMessages"`
		Greeting       string          `json:"greetingMessages"`
		Token          json.RawMessage `json:"channelAccessToken,omitempty"`
		TokenIssuedAt  int64           `json:"channelAccessTokenIssuedAt"`
		AssertionKeys  []assertionKey  `json:"assertionSigningKeys"`
		MonthlyQuota   int             `json:"monthlyMessageQuota"`
		QuotaUsed      int             `json:"monthlyMessageQuotaUsed"`
		OfficialAcctID string          `json:"officialAccountManagerUrl"`
	}{
		ChannelID: c.ID, BotBasicID: botBasicID, BotUserID: BotUserID,
		QRCodeURL: "https://qr-official.line.example/sid/L/512wxyzk.png",
		Webhook: webhook{
			URL: "https://bot.example.test/callback", Use: true, Redelivery: false,
			ErrorStatistics: true, LastVerifiedAt: &verified, LastVerifyStatus: "SUCCESS",
		},
		JoinGroups: false, AutoReply: "DISABLED", Greeting: "ENABLED",
		TokenIssuedAt: 1700000000000,
		AssertionKeys: []assertionKey{{Kid: "4f6a1c0e-2b7d-4c33-9a51-0d8e5b2f7c16", Algorithm: "RS256", RegisteredAt: 1700100000000}},
		MonthlyQuota:  5000, QuotaUsed: 1287,
		OfficialAcctID: "https://manager.line.example/account/@512wxyzk",
	}
	if !s.opts.Fixed || u.Role == Admin {
		resp.Token, _ = json.Marshal(MessagingAccessToken)
	}
	writeJSON(w, http.StatusOK, resp)
}

// GET /api/v1/channels/{channelId}/roles: the Roles tab.
func (s *server) roles(w http.ResponseWriter, r *http.Request, u User, c channel) {
	if s.opts.Fixed && u.Role != Admin {
		writeError(w, http.StatusForbidden, "FORBIDDEN", "Only channel admins can view roles.")
		return
	}
	type role struct {
		UserID string `json:"userId"`
		Name   string `json:"name"`
		Email  string `json:"email"`
		Role   Role   `json:"role"`
	}
	var rs []role
	for _, x := range Users {
		rs = append(rs, role{x.ID, x.Name, x.Email, x.Role})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"channelId":          c.ID,
		"roles":              rs,
		"pendingInvitations": 0,
		"maxMembers":         100,
	})
}

type insightHandler func(w http.ResponseWriter, r *http.Request, c channel)

// insight guards the statistics endpoints: Messaging API channels only;
// admins and members only, in both modes.
func (s *server) insight(h insightHandler) channelHandler {
	return func(w http.ResponseWriter, r *http.Request, u User, c channel) {
		if c.Type != "MESSAGING_API" {
			writeError(w, http.StatusNotFound, "NOT_FOUND", "This channel has no statistics.")
			return
		}
		if u.Role == Tester {
			writeError(w, http.StatusForbidden, "FORBIDDEN", "Your role on this channel does not allow viewing statistics.")
			return
		}
		h(w, r, c)
	}
}

var dateParam = regexp.MustCompile(`^20[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])$`)

// date returns the date query parameter (yyyyMMdd), or writes a 400.
func date(w http.ResponseWriter, r *http.Request) (string, bool) {
	d := r.URL.Query().Get("date")
	if !dateParam.MatchString(d) {
		writeError(w, http.StatusBadRequest, "INVALID_PARAMETER", "The value for the 'date' parameter is invalid")
		return "", false
	}
	return d, true
}

// vary gives a stable number in [0, n) for a date.
func vary(d string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(d))
	return int(h.Sum32() % uint32(n))
}

// GET .../insight/followers?date=yyyyMMdd (field names as the Messaging
// API's GET /v2/bot/insight/followers).
func (s *server) followers(w http.ResponseWriter, r *http.Request, c channel) {
	d, ok := date(w, r)
	if !ok {
		return
	}
	v := vary(d, 200)
	writeJSON(w, http.StatusOK, struct {
		Status          string `json:"status"`
		Followers       int    `json:"followers"`
		TargetedReaches int    `json:"targetedReaches"`
		Blocks          int    `json:"blocks"`
	}{"ready", 7620 + v, 5848 + v/2, 237 + v/10})
}

// GET .../insight/demographic (as GET /v2/bot/insight/demographic).
func (s *server) demographic(w http.ResponseWriter, r *http.Request, c channel) {
	list := func(key string, xs ...any) []map[string]any {
		var out []map[string]any
		for i := 0; i+1 < len(xs); i += 2 {
			out = append(out, map[string]any{key: xs[i], "percentage": xs[i+1]})
		}
		return out
	}
	type item = []map[string]any
	writeJSON(w, http.StatusOK, struct {
		Available           bool `json:"available"`
		Genders             item `json:"genders"`
		Ages                item `json:"ages"`
		Areas               item `json:"areas"`
		AppTypes            item `json:"appTypes"`
		SubscriptionPeriods item `json:"subscriptionPeriods"`
	}{
		true,
		list("gender", "unknown", 37.6, "male", 31.8, "female", 30.6),
		list("age", "unknown", 37.6, "from50", 17.3, "from45to49", 8.2, "from40to44", 9.1,
			"from35to39", 7.4, "from30to34", 6.5, "from25to29", 5.8, "from20to24", 4.9, "from15to19", 2.6, "from0to14", 1.0),
		list("area", "東京", 41.2, "神奈川", 12.7, "大阪", 9.8, "埼玉", 6.1, "千葉", 5.3, "unknown", 24.9),
		list("appType", "ios", 62.4, "android", 27.7, "others", 9.9),
		list("subscriptionPeriod", "over365days", 46.4, "within365days", 21.9,
			"within180days", 12.0, "within90days", 9.3, "within30days", 6.1, "within7days", 4.3, "unknown", 0.0),
	})
}

// GET .../insight/message/delivery?date=yyyyMMdd (as GET
// /v2/bot/insight/message/delivery).
func (s *server) delivery(w http.ResponseWriter, r *http.Request, c channel) {
	d, ok := date(w, r)
	if !ok {
		return
	}
	v := vary(d, 100)
	writeJSON(w, http.StatusOK, struct {
		Status          string `json:"status"`
		Broadcast       int    `json:"broadcast"`
		Targeting       int    `json:"targeting"`
		AutoResponse    int    `json:"autoResponse"`
		WelcomeResponse int    `json:"welcomeResponse"`
		Chat            int    `json:"chat"`
		APIBroadcast    int    `json:"apiBroadcast"`
		APIPush         int    `json:"apiPush"`
		APIMulticast    int    `json:"apiMulticast"`
		APINarrowcast   int    `json:"apiNarrowcast"`
		APIReply        int    `json:"apiReply"`
	}{"ready", 5385 + v, 522, 0, 14 + v%7, 3, 0, 212 + v, 1120, 0, 864 + 2*v})
}
