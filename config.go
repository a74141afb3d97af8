package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"
)

// Secret is a configuration value that must never be printed: tokens, and Redis URLs that may
// carry a password. Both slog and fmt see "REDACTED"; Reveal is the one way to read it.
type Secret string

// LogValue keeps the secret out of structured logs.
func (Secret) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// String keeps the secret out of fmt output and error messages.
func (Secret) String() string { return "REDACTED" }

// MarshalText keeps the secret out of JSON and text encodings, which is how slog's JSON handler
// prints a Secret nested inside a logged struct (LogValue is only consulted at the top level).
func (Secret) MarshalText() ([]byte, error) { return []byte("REDACTED"), nil }

// Reveal returns the secret for the one call that needs it (a client constructor).
func (s Secret) Reveal() string { return string(s) }

// Config is everything campaignbot reads from its environment. It is read once, in main.
type Config struct {
	SlackBotToken Secret   // SLACK_BOT_TOKEN, xoxb-…; with SLACK_APP_TOKEN selects Slack mode
	SlackAppToken Secret   // SLACK_APP_TOKEN, xapp-…
	SlackAPIURL   string   // SLACK_API_URL, Web API base; empty means Slack's own
	RedisURL      Secret   // REDIS_URL; empty means the embedded store in DataDir
	DataDir       string   // DATA_DIR, default ./data
	TeamChannel   string   // TEAM_CHANNEL, channel ID for leaderboards; empty disables the post
	Managers      []string // MANAGERS, comma-separated Slack user IDs who may see the team view
	DefaultTZ     *time.Location
	LogLevel      slog.Level // LOG_LEVEL: debug, info, warn, error; default info (Slack), warn (console)
	MetricsAddr   string     // METRICS_ADDR, host:port for /healthz, /readyz and /metrics; empty disables
}

// SlackMode reports whether the bot connects to Slack rather than the console.
func (c Config) SlackMode() bool { return c.SlackBotToken != "" }

// LoadConfig reads and validates the environment through getenv, so tests can pass a map.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		SlackBotToken: Secret(strings.TrimSpace(getenv("SLACK_BOT_TOKEN"))),
		SlackAppToken: Secret(strings.TrimSpace(getenv("SLACK_APP_TOKEN"))),
		SlackAPIURL:   strings.TrimSpace(getenv("SLACK_API_URL")),
		RedisURL:      storeURL(getenv),
		DataDir:       storeDir(getenv),
		TeamChannel:   strings.TrimSpace(getenv("TEAM_CHANNEL")),
		Managers:      splitList(getenv("MANAGERS")),
		MetricsAddr:   strings.TrimSpace(getenv("METRICS_ADDR")),
	}
	var errs []error
	if (c.SlackBotToken == "") != (c.SlackAppToken == "") {
		errs = append(errs, errors.New("set both SLACK_BOT_TOKEN and SLACK_APP_TOKEN for Slack, or neither for the console"))
	}
	if c.SlackBotToken != "" && !strings.HasPrefix(c.SlackBotToken.Reveal(), "xoxb-") {
		errs = append(errs, errors.New("SLACK_BOT_TOKEN must be a bot token starting with xoxb-"))
	}
	if c.SlackAppToken != "" && !strings.HasPrefix(c.SlackAppToken.Reveal(), "xapp-") {
		errs = append(errs, errors.New("SLACK_APP_TOKEN must be an app-level token starting with xapp-"))
	}
	if _, _, err := net.SplitHostPort(c.MetricsAddr); c.MetricsAddr != "" && err != nil {
		errs = append(errs, fmt.Errorf("METRICS_ADDR %q is not host:port, such as :9090 or 127.0.0.1:9090", c.MetricsAddr))
	}
	if c.SlackAPIURL != "" && !strings.HasSuffix(c.SlackAPIURL, "/") {
		c.SlackAPIURL += "/" // slack-go joins method names onto it
	}
	tz := strings.TrimSpace(getenv("DEFAULT_TZ"))
	// An IANA name, or "Local" for the machine's zone; unset also means the machine's zone.
	loc, err := time.LoadLocation(tz)
	if err != nil {
		errs = append(errs, fmt.Errorf("DEFAULT_TZ %q is not an IANA time zone such as America/New_York", tz))
	}
	if tz == "" {
		loc = time.Local
	}
	c.DefaultTZ = loc
	// The console defaults to warnings only: startup chatter is for operators, not for a rep
	// trying the bot out.
	defaultLevel := "warn"
	if c.SlackMode() {
		defaultLevel = "info"
	}
	if err := c.LogLevel.UnmarshalText([]byte(orDefault(getenv("LOG_LEVEL"), defaultLevel))); err != nil {
		errs = append(errs, fmt.Errorf("LOG_LEVEL %q is not one of debug, info, warn, error", getenv("LOG_LEVEL")))
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return c, nil
}

func orDefault(v, def string) string {
	if v = strings.TrimSpace(v); v != "" {
		return v
	}
	return def
}

// storeURL and storeDir read the variables that choose the store; the bot and the export and
// import commands share them. The URL stays a Secret until the store is opened.
func storeURL(getenv func(string) string) Secret {
	return Secret(strings.TrimSpace(getenv("REDIS_URL")))
}
func storeDir(getenv func(string) string) string { return orDefault(getenv("DATA_DIR"), "./data") }

// splitList reads "U1, U2,,U3" as [U1 U2 U3].
func splitList(v string) []string {
	var out []string
	for f := range strings.SplitSeq(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
