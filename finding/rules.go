package finding

// The LINE rules (rules/line.toml) whose findings code acts on: verifying
// them live, confirming a secret by a webhook's signature, spelling out a
// fix. Every other rule is data only.
const (
	RuleChannelSecret      = "line-channel-secret"
	RuleChannelAccessToken = "line-channel-access-token"
	RuleNotifyToken        = "line-notify-token"
)
