package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"campaignbot/bot"
	"campaignbot/bot/slacktest"
	"campaignbot/campaign"
	"campaignbot/commands"
)

// repHandler stands in for commands.Handler in the adapter's own tests: a few commands over an
// in-memory map, with the same ownership rule (a rep acts only on their own campaigns), so the
// tests exercise the adapter and not the parser.
//
//	follow up <person> at <company> <when> [re <note>]   when: tomorrow | YYYY-MM-DD
//	done #<id>, <when>      hot|warm|cold #<id>      undo #<id>      slow      panic
type repHandler struct {
	mu        sync.Mutex
	seq       int
	campaigns map[string]*testCampaign
	msgs      []commands.Message
	now       time.Time
	// started receives the text of a "slow" message once it is running; it then waits for
	// release.
	started chan string
	release chan struct{}
}

type testCampaign struct {
	ID, Owner, Person, Company, Temp string
	Due                              time.Time
}

func newRepHandler() *repHandler {
	return &repHandler{
		campaigns: map[string]*testCampaign{},
		now:       time.Date(2024, 3, 11, 10, 0, 0, 0, time.UTC), // a Monday; 19:00 in Tokyo
		started:   make(chan string, 1),
		release:   make(chan struct{}),
	}
}

func (h *repHandler) Handle(ctx context.Context, m commands.Message) commands.Reply {
	h.mu.Lock()
	h.msgs = append(h.msgs, m)
	h.mu.Unlock()
	loc := m.Location
	if loc == nil {
		loc = time.UTC
	}
	f := strings.Fields(m.Text)
	switch {
	case m.Text == "slow":
		h.started <- m.Text
		<-h.release
		return commands.Reply{Text: "slow done"}
	case m.Text == "panic":
		panic("boom")
	case m.Text == "fail": // an internal error the handler logged and answered with its apology
		return commands.Reply{Text: "Sorry, that failed on my side.", Refused: true, Failed: true}
	case len(f) >= 6 && f[0] == "follow" && f[1] == "up":
		// follow up Jane at Acme tomorrow [re note]
		rest, note, _ := strings.Cut(m.Text, " re ")
		w := strings.Fields(rest)
		due, ok := h.when(w[len(w)-1], loc)
		if !ok {
			return commands.Reply{Text: "I couldn't read that date.", Refused: true}
		}
		h.mu.Lock()
		h.seq++
		c := &testCampaign{ID: fmt.Sprint(h.seq), Owner: m.User, Person: w[2], Company: w[4], Due: due}
		h.campaigns[c.ID] = c
		h.mu.Unlock()
		text := fmt.Sprintf("Logged *%s* at *%s*, due *%s*.", campaign.Escape(c.Person), campaign.Escape(c.Company), due.Format("Mon 2 Jan 2006 15:04 MST"))
		if note != "" {
			text += "\nNote: " + campaign.Escape(note)
		}
		return commands.Reply{Text: text, Actions: []commands.Action{
			commands.DoneAction(c.ID), commands.TemperatureMenu(c.ID),
			{Label: "Undo", Command: "undo " + commands.Ref(c.ID), Style: commands.Danger},
		}}
	case len(f) >= 2 && (f[0] == "done" || f[0] == "undo" || f[0] == "hot" || f[0] == "warm" || f[0] == "cold"):
		id := strings.TrimSuffix(strings.TrimPrefix(f[1], "#"), ",")
		h.mu.Lock()
		defer h.mu.Unlock()
		c, ok := h.campaigns[id]
		if !ok || c.Owner != m.User {
			// The real handler says the same for someone else's campaign: no existence leak.
			return commands.Reply{Text: fmt.Sprintf("I don't have a campaign #%s for you.", campaign.Escape(id)), Refused: true}
		}
		switch f[0] {
		case "done":
			if len(f) < 3 {
				return commands.Reply{Text: "When is the next follow-up?", Refused: true}
			}
			due, ok := h.when(f[2], loc)
			if !ok {
				return commands.Reply{Text: fmt.Sprintf("I couldn't read %q as a date.", campaign.Escape(strings.Join(f[2:], " "))), Refused: true}
			}
			c.Due = due
			return commands.Reply{Text: fmt.Sprintf("Done. Next follow-up with *%s*: *%s*.", campaign.Escape(c.Person), due.Format("2006-01-02"))}
		case "undo":
			delete(h.campaigns, id)
			return commands.Reply{Text: "Undone."}
		default:
			c.Temp = f[0]
			return commands.Reply{Text: fmt.Sprintf("*%s* is %s.", campaign.Escape(c.Person), f[0])}
		}
	}
	return commands.Reply{Text: "Try: follow up Jane at Acme tomorrow"}
}

// Home implements bot.HomeHandler: sections separated by blank lines, and a button.
func (h *repHandler) Home(ctx context.Context, m commands.Message) commands.Reply {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	var due []string
	for _, c := range h.campaigns {
		if c.Owner == m.User {
			n++
			due = append(due, fmt.Sprintf("• *%s* at %s", campaign.Escape(c.Person), campaign.Escape(c.Company)))
		}
	}
	return commands.Reply{
		Text:    fmt.Sprintf("*Your total:* %d of 300\n\n*Due today*\n%s\n\n*Overdue*\nnone", n, strings.Join(due, "\n")),
		Actions: []commands.Action{{Label: "Help", Command: "help"}},
	}
}

func (h *repHandler) when(s string, loc *time.Location) (time.Time, bool) {
	if s == "tomorrow" {
		d := h.now.In(loc).AddDate(0, 0, 1)
		return time.Date(d.Year(), d.Month(), d.Day(), 9, 0, 0, 0, loc), true
	}
	t, err := time.ParseInLocation("2006-01-02", s, loc)
	return t.Add(9 * time.Hour), err == nil
}

func (h *repHandler) messages() []commands.Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]commands.Message(nil), h.msgs...)
}

func (h *repHandler) campaign(id string) (testCampaign, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c, ok := h.campaigns[id]
	if !ok {
		return testCampaign{}, false
	}
	return *c, true
}

// logRecorder keeps every log line of a test, for assertions, and echoes them to the test output.
type logRecorder struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (r *logRecorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.Write(p)
}

func (r *logRecorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.String()
}

// Contains reports whether some log line has msg as its message.
func (r *logRecorder) Contains(msg string) bool {
	return strings.Contains(r.String(), "msg=\""+msg+"\"") || strings.Contains(r.String(), "msg="+msg+" ")
}

// newLogger returns a logger for one test. When the test ends it checks that no token reached
// the log.
func newLogger(t *testing.T) (*slog.Logger, *logRecorder) {
	t.Helper()
	rec := &logRecorder{}
	log := slog.New(slog.NewTextHandler(rec, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		out := rec.String()
		for _, tok := range []string{slacktest.BotToken, slacktest.AppToken} {
			if strings.Contains(out, tok) {
				t.Errorf("log contains a token")
			}
		}
		if t.Failed() {
			t.Logf("log:\n%s", out)
		}
	})
	return log, rec
}

// running is a Slack adapter started by startSlack.
type running struct {
	*bot.Slack
	log    *logRecorder
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
	err    error
}

// Stop cancels Run and returns its result.
func (r *running) Stop() error {
	r.once.Do(func() {
		r.cancel()
		r.err = <-r.done
	})
	return r.err
}

// startSlack runs an adapter against fs with handler h until the test ends.
func startSlack(t *testing.T, fs *slacktest.Server, h bot.Handler, tune ...func(*bot.SlackConfig)) *running {
	t.Helper()
	log, rec := newLogger(t)
	cfg := bot.SlackConfig{
		BotToken:        slacktest.BotToken,
		AppToken:        slacktest.AppToken,
		APIURL:          fs.APIURL(),
		DefaultLocation: time.UTC,
		PingInterval:    5 * time.Second,
	}
	for _, f := range tune {
		f(&cfg)
	}
	s := bot.NewSlack(cfg, log)
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	r := &running{Slack: s, log: rec, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- s.Run(ctx, h) }()
	t.Cleanup(func() {
		if err := r.Stop(); err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return r
}

// contains reports whether the message's fallback text or blocks contain sub.
func contains(m slacktest.Message, sub string) bool {
	return strings.Contains(m.Text, sub) || strings.Contains(m.BlocksText(), sub)
}

func inChannel(ch string, sub string) func(slacktest.Message) bool {
	return func(m slacktest.Message) bool { return m.Channel == ch && contains(m, sub) }
}
