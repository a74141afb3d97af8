package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestLoadConfig(t *testing.T) {
	c, err := LoadConfig(env(map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "SLACK_API_URL": "http://127.0.0.1:9/api",
		"REDIS_URL": "redis://:pw@localhost:6379/0", "DEFAULT_TZ": "Europe/Berlin", "TEAM_CHANNEL": "C1",
		"MANAGERS": " UM1, ,UM2 ",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.SlackMode() || c.SlackAPIURL != "http://127.0.0.1:9/api/" || c.DefaultTZ.String() != "Europe/Berlin" ||
		c.LogLevel != slog.LevelInfo || c.DataDir != "./data" || c.TeamChannel != "C1" ||
		strings.Join(c.Managers, "|") != "UM1|UM2" {
		t.Errorf("config = %+v", c)
	}
	console, err := LoadConfig(env(nil))
	if err != nil || console.SlackMode() || console.DefaultTZ != time.Local || console.LogLevel != slog.LevelWarn {
		t.Errorf("console config = %+v, %v", console, err)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	tests := map[string]map[string]string{
		"xoxb-":     {"SLACK_BOT_TOKEN": "xapp-wrong", "SLACK_APP_TOKEN": "xapp-1"},
		"xapp-":     {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-wrong"},
		"IANA":      {"DEFAULT_TZ": "Mars/Olympus"},
		"LOG_LEVEL": {"LOG_LEVEL": "loud"},
		"set both":  {"SLACK_APP_TOKEN": "xapp-1"},
	}
	for want, vars := range tests {
		if _, err := LoadConfig(env(vars)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("LoadConfig(%v) = %v, want an error mentioning %q", vars, err, want)
		}
	}
}

func TestSecretsRedact(t *testing.T) {
	c, err := LoadConfig(env(map[string]string{"SLACK_BOT_TOKEN": "xoxb-topsecret", "SLACK_APP_TOKEN": "xapp-topsecret", "REDIS_URL": "redis://:topsecret@h:1"}))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "cfg", c, "token", c.SlackBotToken, "redis", c.RedisURL)
	printed := logs.String() + fmt.Sprintf("%v %+v %s", c, c, c.SlackAppToken)
	if strings.Contains(printed, "topsecret") {
		t.Errorf("secret printed: %s", printed)
	}
	if c.SlackBotToken.Reveal() != "xoxb-topsecret" {
		t.Error("Reveal must return the token")
	}
}
