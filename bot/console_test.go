package bot_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"campaignbot/bot"
	"campaignbot/commands"
)

// echo answers every message with its own text and one button, recording what it saw.
type echo struct {
	mu   sync.Mutex
	seen []commands.Message
}

func (e *echo) Handle(_ context.Context, m commands.Message) commands.Reply {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seen = append(e.seen, m)
	return commands.Reply{Text: "you said: " + m.Text + " &lt;ok&gt;", Actions: []commands.Action{
		{Label: "Done", Command: "done #1,", Ask: "Next follow-up?"},
		{Label: "Close", Options: []commands.Action{{Label: "Won", Command: "close #1 won"}}},
	}}
}

func TestConsoleRunsLinesUntilEOF(t *testing.T) {
	var out bytes.Buffer
	c := &bot.Console{In: strings.NewReader("hello\n\n  \nlist\n"), Out: &out, Team: "T", User: "U"}
	h := &echo{}
	if err := c.Run(t.Context(), h); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(h.seen) != 2 || h.seen[0].Text != "hello" || h.seen[1].Text != "list" || h.seen[0].User != "U" || h.seen[0].Team != "T" {
		t.Fatalf("handled %+v; blank lines must be skipped", h.seen)
	}
	want := "you said: hello <ok>\n  [Done] type: done #1, <your answer>   (Next follow-up?)\n  [Close]\n    [Won] type: close #1 won\n"
	if got := out.String(); !strings.HasPrefix(got, want) {
		t.Errorf("output =\n%s\nwant prefix\n%s", got, want)
	}
	for line := range strings.Lines(out.String()) {
		if strings.HasPrefix(line, "> ") {
			t.Errorf("prompt printed with Prompt off: %q", line)
		}
	}
}

func TestConsolePromptAndDM(t *testing.T) {
	var out bytes.Buffer
	c := &bot.Console{In: strings.NewReader("hi\n"), Out: &out, Prompt: true}
	if err := c.DM(t.Context(), "T", "U7", commands.Reply{Text: ":bell: Reminder: call Jane\n> last note &lt;b&gt;"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Post(t.Context(), "T", "sales", commands.Reply{Text: "Leaderboard"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Run(t.Context(), &echo{}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"\n(DM to U7) 🔔 Reminder: call Jane\n    │ last note <b>\n> ", "\n(#sales) Leaderboard\n> ", "> you said: hi"} {
		if !strings.Contains(got, want) {
			t.Errorf("output %q lacks %q", got, want)
		}
	}
}

func TestConsoleStopsOnCancel(t *testing.T) {
	r, w := ioPipe(t)
	defer func() { _ = w.Close() }()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- (&bot.Console{In: r, Out: &bytes.Buffer{}}).Run(ctx, &echo{}) }()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel = %v, want nil", err)
	}
}

// brokenOut fails every write, like a closed terminal.
type brokenOut struct{}

func (brokenOut) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestConsoleReportsBrokenOutput(t *testing.T) {
	c := &bot.Console{In: strings.NewReader("hello\n"), Out: brokenOut{}}
	if err := c.Run(t.Context(), &echo{}); err == nil || !strings.Contains(err.Error(), "broken pipe") {
		t.Errorf("Run = %v, want the write error", err)
	}
	if err := c.DM(t.Context(), "T", "U", commands.Reply{Text: "x"}); err == nil {
		t.Error("DM on broken output = nil, want an error the scheduler can retry")
	}
}

// panicky fails hard on "boom", as a bug in a command would.
type panicky struct{}

func (panicky) Handle(_ context.Context, m commands.Message) commands.Reply {
	if m.Text == "boom" {
		panic("index out of range")
	}
	return commands.Reply{Text: "ok: " + m.Text}
}

// TestConsoleSurvivesPanic: a panicking command gets the apology, is logged once, and the session
// goes on to the next line.
func TestConsoleSurvivesPanic(t *testing.T) {
	var out, logs bytes.Buffer
	c := &bot.Console{In: strings.NewReader("boom\nafter\n"), Out: &out, Log: slog.New(slog.NewTextHandler(&logs, nil))}
	if err := c.Run(t.Context(), panicky{}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := out.String(); !strings.Contains(got, "Sorry, that failed on my side") || !strings.Contains(got, "ok: after") {
		t.Errorf("output = %q", got)
	}
	if n := strings.Count(logs.String(), "command failed"); n != 1 || !strings.Contains(logs.String(), "index out of range") {
		t.Errorf("logged %d times: %s", n, logs.String())
	}
}
