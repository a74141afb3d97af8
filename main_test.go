package main

import (
	"bytes"
	"strings"
	"testing"

	"campaignbot/bot"
	"campaignbot/commands"
	"campaignbot/scheduler"
	"campaignbot/storage"
)

// The packages that own interfaces never import their implementations; these lines are where
// the two meet, so a signature drift fails the build here.
var (
	_ commands.Store   = (*storage.Store)(nil)
	_ bot.Deduper      = (*storage.Store)(nil)
	_ scheduler.Store  = (*storage.Store)(nil)
	_ scheduler.Poster = (*bot.Slack)(nil)
	_ scheduler.Poster = (*bot.Console)(nil)
	_ bot.Handler      = (*commands.Handler)(nil)
	_ bot.HomeHandler  = (*commands.Handler)(nil)
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// runConsole pipes lines into the program as a rep would and returns what it printed.
func runConsoleScript(t *testing.T, vars map[string]string, lines ...string) string {
	t.Helper()
	var out, errs bytes.Buffer
	in := strings.NewReader(strings.Join(lines, "\n") + "\n")
	if err := run(t.Context(), nil, env(vars), in, &out, &errs); err != nil {
		t.Fatalf("run: %v\nstderr: %s", err, errs.String())
	}
	return out.String()
}

// TestConsoleAcceptance is the README's first-run story on the default embedded store (a
// redis-server child with AOF in DATA_DIR): the campaign is saved with its absolute date, listed,
// shown as not counting until Acme is qualified, then counted; a second run still has it.
func TestConsoleAcceptance(t *testing.T) {
	vars := map[string]string{"DATA_DIR": t.TempDir(), "DEFAULT_TZ": "America/New_York"}
	out := runConsoleScript(t, vars,
		"follow up Jane Smith at Acme next Tuesday",
		"list",
		"stats",
		"qualify Acme: uses staffing firms",
		"done Jane, next Friday",
		"stats",
	)
	for _, want := range []string{
		"Saved #1: follow up with *Jane Smith* at Acme — *Tue ",
		"#1 *Jane Smith* at Acme — Tue ",
		"Active campaigns: 0 of 300",
		"Acme is qualified",
		"Done with *Jane Smith* at Acme. Next follow-up: *Fri ",
		"Active campaigns: 1 of 300",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	again := runConsoleScript(t, vars, "list")
	if !strings.Contains(again, "*Jane Smith* at Acme") {
		t.Errorf("second run on the same DATA_DIR lost Jane:\n%s", again)
	}
}

func TestRunRejectsBadConfigWithoutLeakingSecrets(t *testing.T) {
	var out, errs bytes.Buffer
	err := run(t.Context(), nil, env(map[string]string{"SLACK_BOT_TOKEN": "xoxb-secret-123"}), strings.NewReader(""), &out, &errs)
	if err == nil || !strings.Contains(err.Error(), "SLACK_APP_TOKEN") {
		t.Fatalf("err = %v, want a message naming the missing token", err)
	}
	if strings.Contains(err.Error()+errs.String(), "secret-123") {
		t.Errorf("secret leaked: %v %s", err, errs.String())
	}
}

func TestRunUnknownSubcommand(t *testing.T) {
	err := run(t.Context(), []string{"frobnicate"}, env(nil), strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), `unknown command "frobnicate"`) {
		t.Errorf("err = %v", err)
	}
}
