package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"campaignbot/bot/slacktest"
	"campaignbot/storage"
	"campaignbot/storage/storagetest"
)

// syncBuffer is stderr for a run that is still writing while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startSlackMain runs the whole program in Slack mode against a fake Slack and a private
// redis-server, as `SLACK_BOT_TOKEN=… SLACK_APP_TOKEN=… REDIS_URL=… campaignbot` would. stop
// is SIGTERM: it cancels run's context and returns run's error.
func startSlackMain(t *testing.T) (fs *slacktest.Server, redisURL string, stderr *syncBuffer, stop func() error) {
	t.Helper()
	srv := storagetest.Start(t)
	fs = slacktest.New(t)
	stderr, stop = runSlackMain(t, fs, srv.URL())
	fs.WaitConnections(t, 1)
	return fs, srv.URL(), stderr, stop
}

// runSlackMain starts one bot process (run) against fs and the Redis at redisURL; several may
// share both, as replicas do.
func runSlackMain(t *testing.T, fs *slacktest.Server, redisURL string) (stderr *syncBuffer, stop func() error) {
	t.Helper()
	stderr = &syncBuffer{}
	vars := map[string]string{
		"SLACK_BOT_TOKEN": slacktest.BotToken,
		"SLACK_APP_TOKEN": slacktest.AppToken,
		"SLACK_API_URL":   fs.APIURL(),
		"REDIS_URL":       redisURL,
		"DEFAULT_TZ":      "America/New_York",
		"LOG_LEVEL":       "debug",
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, env(vars), strings.NewReader(""), &bytes.Buffer{}, stderr) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("run did not return after SIGTERM")
			}
		})
		return err
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("run: %v", err)
		}
		out := stderr.String()
		for _, tok := range []string{slacktest.BotToken, slacktest.AppToken} {
			if strings.Contains(out, tok) {
				t.Errorf("a token reached the log")
			}
		}
		if t.Failed() {
			t.Logf("stderr:\n%s", out)
		}
	})
	return stderr, stop
}

func has(m slacktest.Message, sub string) bool {
	return strings.Contains(m.Text, sub) || strings.Contains(m.BlocksText(), sub)
}

// TestSlackAcceptance is issue 4's story through main's real wiring: commands.Handler on real
// Redis behind the Slack adapter, talking to the fake Slack.
func TestSlackAcceptance(t *testing.T) {
	const rep, other = "U0REP00001", "U0REP00002"
	fs, redisURL, stderr, stop := startSlackMain(t)
	fs.AddUser(rep, "Europe/Berlin")

	// DM log → a confirmation naming person, company and an absolute date.
	d := fs.SendDM(rep, "follow up Jane Smith at Acme next Tuesday re call about &lt;!channel&gt; budget")
	card := fs.WaitMessage(t, func(m slacktest.Message) bool { return m.Channel == d.Channel && has(m, "Jane Smith") })
	for _, want := range []string{"Acme", "Tue "} {
		if !has(card, want) {
			t.Errorf("confirmation %q lacks %q", card.BlocksText(), want)
		}
	}
	if strings.Contains(card.Text+string(card.Blocks), "<!channel>") {
		t.Errorf("confirmation carries a live <!channel>: %s", card.Blocks)
	}

	// Retried event → one campaign, one reply.
	retry := fs.Redeliver(d)
	fs.WaitAck(t, retry.EnvelopeID)

	// Mention → threaded reply; /followup → ephemeral.
	md := fs.SendMention(rep, "C0SALES001", "<@"+slacktest.BotUser+"> list")
	reply := fs.WaitMessage(t, func(m slacktest.Message) bool { return m.Channel == "C0SALES001" })
	if reply.ThreadTS != md.TS {
		t.Errorf("mention reply thread_ts = %q, want %q", reply.ThreadTS, md.TS)
	}
	fs.SendSlashCommand(rep, "C0SALES001", "list")
	fs.WaitEphemeral(t, rep, func(m slacktest.Message) bool { return has(m, "Jane Smith") })

	// Done → the next-date modal → the date is saved and the card replaced.
	d2 := fs.SendDM(rep, "done Jane Smith")
	ask := fs.WaitMessage(t, func(m slacktest.Message) bool {
		_, ok := m.Element("Set next date")
		return m.Channel == d2.Channel && ok
	})
	fs.Click(t, rep, ask, "Set next date")
	modal := fs.WaitModal(t, func(m slacktest.Modal) bool { return m.Open })
	next := time.Now().AddDate(0, 1, 3).Format("2006-01-02")
	sub := fs.Submit(t, rep, modal, map[string]string{"answer": next})
	if ack := fs.WaitAck(t, sub.EnvelopeID); ack.Payload != nil {
		t.Errorf("submission ack = %s, want a bare ack", ack.Payload)
	}
	fs.WaitMessage(t, func(m slacktest.Message) bool { return m.TS == ask.TS && m.Updates > 0 })

	// App Home shows the rep's numbers.
	fs.OpenHome(rep)
	home := fs.WaitHome(t, rep, func(slacktest.View) bool { return true })
	if !strings.Contains(home.BlocksText(), "300") {
		t.Errorf("home lacks the goal: %s", home.BlocksText())
	}

	// Another rep's tampered Undo naming this rep's campaign is refused.
	d3 := fs.SendDM(other, "follow up Raj Patel at Globex tomorrow")
	theirs := fs.WaitMessage(t, func(m slacktest.Message) bool { return m.Channel == d3.Channel && has(m, "Raj Patel") })
	undo, ok := theirs.Element("Undo")
	if !ok {
		t.Fatalf("no Undo button on %s", theirs.Blocks)
	}
	fs.ClickValue(other, theirs, undo, strings.Replace(undo.Value, "#2", "#1", 1))
	fs.WaitEphemeral(t, other, func(slacktest.Message) bool { return true })

	store, err := storage.Open(t.Context(), storage.Options{URL: redisURL}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = store.Close() }()
	open, err := store.Open(t.Context(), slacktest.Team, rep)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 1 {
		t.Fatalf("rep has %d open campaigns, want 1 (retry deduped, tamper refused): %+v", len(open), open)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if got := open[0].DueAt.In(berlin).Format("2006-01-02"); got != next {
		t.Errorf("next date = %s, want %s", got, next)
	}
	if n := len(fs.Messages(d.Channel)); n < 1 {
		t.Errorf("no replies in the DM")
	}
	if !strings.Contains(stderr.String(), `"action refused"`) {
		t.Errorf("tampered action not logged")
	}

	// SIGTERM: run returns nil.
	if err := stop(); err != nil {
		t.Errorf("run after SIGTERM = %v, want nil", err)
	}
}

// TestSlackExport is "export" in a DM through main's wiring: the rep's campaigns, read from real
// Redis, come back as a CSV file uploaded into the DM, captioned with the reply.
func TestSlackExport(t *testing.T) {
	const rep = "U0REP00001"
	fs, _, _, _ := startSlackMain(t)
	d := fs.SendDM(rep, "follow up Jane Smith at Acme next Tuesday")
	fs.WaitMessage(t, func(m slacktest.Message) bool { return m.Channel == d.Channel && has(m, "Jane Smith") })

	fs.SendDM(rep, "export")
	u := fs.WaitUpload(t, func(u slacktest.Upload) bool { return u.Channel == d.Channel })
	if !strings.HasPrefix(u.Filename, "campaigns-") || !strings.HasSuffix(u.Filename, ".csv") || u.ThreadTS != "" {
		t.Errorf("upload %q in thread %q, want campaigns-<date>.csv in the DM itself", u.Filename, u.ThreadTS)
	}
	if u.InitialComment != "Here is your 1 campaign as CSV." {
		t.Errorf("initial_comment = %q", u.InitialComment)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(u.Content, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatalf("uploaded file is not CSV: %v", err)
	}
	if len(recs) != 2 {
		t.Fatalf("uploaded CSV has %d records, want a header and Jane: %q", len(recs), recs)
	}
	row := map[string]string{}
	for i, name := range recs[0] {
		row[name] = recs[1][i]
	}
	if row["person"] != "Jane Smith" || row["company"] != "Acme" || row["owner"] != rep || row["status"] != "active" {
		t.Errorf("exported row = %v", row)
	}
}

// TestSlackResilience is the rest of issue 4's list through main's real wiring and real Redis: a
// 429 on chat.postMessage is retried after Retry-After and the reply arrives; after Slack asks for
// a refresh the bot reconnects and handles the next event.
func TestSlackResilience(t *testing.T) {
	const rep = "U0REP00003"
	fs, _, _, _ := startSlackMain(t)

	fs.RateLimit("chat.postMessage", time.Second)
	d := fs.SendDM(rep, "follow up Jane Smith at Acme next Tuesday")
	fs.WaitMessage(t, func(m slacktest.Message) bool { return m.Channel == d.Channel && has(m, "Jane Smith") })
	calls := fs.Calls("chat.postMessage")
	if len(calls) != 2 || calls[0].Status != 429 || calls[1].Status != 200 || calls[1].At.Sub(calls[0].At) < time.Second {
		t.Errorf("postMessage calls = %+v, want a 429, then a success after Retry-After", calls)
	}

	fs.Disconnect("refresh_requested")
	fs.Wait(t, "the old socket replaced by a new one", func() bool { return fs.Sockets() == 2 && fs.Connections() == 1 })
	d2 := fs.SendDM(rep, "list")
	fs.WaitMessage(t, func(m slacktest.Message) bool { return m.Channel == d2.Channel && has(m, "Your open campaigns") })
}

// TestSlackTwoReplicas: two bot processes share one Redis and are both connected; every event is
// handled exactly once, whichever socket it reaches and however often Slack delivers it.
func TestSlackTwoReplicas(t *testing.T) {
	const rep = "U0REP00004"
	srv := storagetest.Start(t)
	fs := slacktest.New(t)
	runSlackMain(t, fs, srv.URL())
	runSlackMain(t, fs, srv.URL())
	fs.WaitConnections(t, 2)

	const n = 6
	var channel string
	for i := range n {
		d := fs.SendDM(rep, fmt.Sprintf("follow up Person%c at Acme next Tuesday", 'A'+i))
		fs.Redeliver(d) // Slack's retry, which may reach the other replica
		channel = d.Channel
	}
	fs.Wait(t, "a reply to each event", func() bool { return len(fs.Messages(channel)) >= n })
	fs.SendDM(rep, "list")
	list := fs.WaitMessage(t, func(m slacktest.Message) bool { return m.Channel == channel && has(m, "Your open campaigns") })
	if !has(list, fmt.Sprintf("(%d)", n)) {
		t.Errorf("list = %q, want %d campaigns", list.BlocksText(), n)
	}
	// n confirmations and one list: no event was answered twice.
	if got := len(fs.Messages(channel)); got != n+1 {
		t.Errorf("%d messages in the DM, want %d", got, n+1)
	}
}
