package mockconsole

import (
	"encoding/base64"

	"github.com/channelguard/channelguard/internal/fakecred"
)

// Identifiers of the mock provider and its two channels. Channel and
// provider ids are public identifiers (10 digits, as in every LINE
// example), not secrets.
const (
	ProviderID         = "1654987321"
	MessagingChannelID = "1656789012" // Messaging API channel
	LoginChannelID     = "1657890123" // LINE Login channel
)

// Seeds of the fake credentials (internal/fakecred). Every credential the
// mock serves is derived from one of these; none was ever issued by LINE.
const (
	SeedMessagingSecret = "mockconsole/messaging/channel-secret"
	SeedLoginSecret     = "mockconsole/login/channel-secret"
	SeedMessagingToken  = "mockconsole/messaging/channel-access-token"
)

// Fake credentials of the mock channels.
var (
	MessagingChannelSecret = fakecred.ChannelSecret(SeedMessagingSecret)
	LoginChannelSecret     = fakecred.ChannelSecret(SeedLoginSecret)
	MessagingAccessToken   = fakecred.AccessToken(SeedMessagingToken)
)

// Role is a user's role on the provider's channels.
type Role string

const (
	Admin  Role = "ADMIN"
	Member Role = "MEMBER"
	Tester Role = "TESTER"
)

// User is a console user.
type User struct {
	ID     string // LINE user id: "U" + 32 hex (public)
	Name   string
	Email  string
	Role   Role
	Locale string
}

// Users are the console's users: one per role, the same role on both
// channels.
var Users = []User{
	{ID: userID("alice"), Name: "Alice Tanaka", Email: "alice@example.com", Role: Admin, Locale: "en_US"},
	{ID: userID("bob"), Name: "Bob Suzuki", Email: "bob@example.com", Role: Member, Locale: "ja_JP"},
	{ID: userID("carol"), Name: "Carol Sato", Email: "carol@example.com", Role: Tester, Locale: "en_US"},
}

// UserByEmail returns the user with that e-mail address.
func UserByEmail(email string) (User, bool) {
	for _, u := range Users {
		if u.Email == email {
			return u, true
		}
	}
	return User{}, false
}

func userID(name string) string { return "U" + fakecred.Hex("mockconsole/user/"+name, 16) }

// sessionID is the session cookie value of a user: deterministic so that
// captures differ only in timing and port. The mock has no passwords; it
// is a test fixture on loopback, not an access control.
// Not hex, so that it cannot be taken for a channel secret.
func sessionID(u User) string {
	return "ldc1." + base64.RawURLEncoding.EncodeToString(fakecred.Bytes("mockconsole/session/"+u.Email, 24))
}

// BotUserID is the Messaging API channel's bot user id (public).
var BotUserID = "U" + fakecred.Hex("mockconsole/messaging/bot-user-id", 16)

type channel struct {
	ID          string
	Type        string // MESSAGING_API, LINE_LOGIN
	Name        string
	Description string
	IconURL     string
	Secret      string
	// secretNull: in Fixed mode, non-admins get "channelSecret": null
	// instead of no channelSecret key at all.
	secretNull bool
}

var channels = []channel{
	{
		ID:          MessagingChannelID,
		Type:        "MESSAGING_API",
		Name:        "Example Café Bot",
		Description: "Order ahead and get your loyalty stamps on LINE.",
		IconURL:     "https://profile.line-scdn.example/0hmock-messaging-icon/preview",
		Secret:      MessagingChannelSecret,
	},
	{
		ID:          LoginChannelID,
		Type:        "LINE_LOGIN",
		Name:        "Example Café Login",
		Description: "Log in to the Example Café web shop with LINE.",
		IconURL:     "https://profile.line-scdn.example/0hmock-login-icon/preview",
		Secret:      LoginChannelSecret,
		secretNull:  true,
	},
}

func channelByID(id string) (channel, bool) {
	for _, c := range channels {
		if c.ID == id {
			return c, true
		}
	}
	return channel{}, false
}
