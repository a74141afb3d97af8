package bot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"campaignbot/bot"
	"campaignbot/bot/slacktest"
	"campaignbot/commands"
	"campaignbot/storage"
	"campaignbot/storage/storagetest"
)

const (
	rep1 = "U0REP00001"
	rep2 = "U0REP00002"
)

func TestSlackDMLogsCampaign(t *testing.T) {
	fs := slacktest.New(t)
	fs.AddUser(rep1, "Asia/Tokyo")
	h := newRepHandler()
	startSlack(t, fs, h)
	fs.WaitConnections(t, 1)

	d := fs.SendDM(rep1, "follow up Jane at Acme tomorrow")
	ack := fs.WaitAck(t, d.EnvelopeID)
	if ack.Payload != nil {
		t.Errorf("events_api ack payload = %s, want a bare ack", ack.Payload)
	}
	m := fs.WaitMessage(t, inChannel(d.Channel, "Jane"))
	// The rep is in Tokyo, so "tomorrow" is 09:00 JST, written out as an absolute date.
	for _, want := range []string{"*Jane*", "*Acme*", "Tue 12 Mar 2024 09:00 JST"} {
		if !contains(m, want) {
			t.Errorf("reply %q lacks %q", m.BlocksText(), want)
		}
	}
	if m.ThreadTS != "" {
		t.Errorf("DM reply thread_ts = %q, want none", m.ThreadTS)
	}
	if got := h.messages()[0]; got.User != rep1 || got.Team != slacktest.Team || got.Location.String() != "Asia/Tokyo" {
		t.Errorf("handler got %+v, want rep %s in %s with zone Asia/Tokyo", got, rep1, slacktest.Team)
	}
}

func TestSlackMentionRepliesInThread(t *testing.T) {
	fs := slacktest.New(t)
	h := newRepHandler()
	startSlack(t, fs, h)
	fs.WaitConnections(t, 1)

	d := fs.SendMention(rep1, "C0SALES001", "<@"+slacktest.BotUser+"> follow up Raj at Globex tomorrow")
	m := fs.WaitMessage(t, inChannel("C0SALES001", "Raj"))
	if m.ThreadTS != d.TS {
		t.Errorf("reply thread_ts = %q, want the mention's ts %q", m.ThreadTS, d.TS)
	}
	if got := h.messages()[0].Text; got != "follow up Raj at Globex tomorrow" {
		t.Errorf("handler text = %q, want the mention stripped", got)
	}
}

func TestSlackSlashCommandIsEphemeral(t *testing.T) {
	fs := slacktest.New(t)
	startSlack(t, fs, newRepHandler())
	fs.WaitConnections(t, 1)

	d := fs.SendSlashCommand(rep1, "C0SALES001", "follow up Mia at Initech tomorrow")
	if ack := fs.WaitAck(t, d.EnvelopeID); ack.Latency > time.Second {
		t.Errorf("slash command acked after %v", ack.Latency)
	}
	m := fs.WaitEphemeral(t, rep1, func(m slacktest.Message) bool { return contains(m, "Mia") })
	if m.Channel != "C0SALES001" || m.ResponseType != "ephemeral" {
		t.Errorf("reply in %s as %q, want ephemeral in C0SALES001", m.Channel, m.ResponseType)
	}
	if n := len(fs.Messages("")); n != 0 {
		t.Errorf("%d public messages, want none", n)
	}
}

func TestSlackRetriedEventHandledOnce(t *testing.T) {
	fs := slacktest.New(t)
	h := newRepHandler()
	// One worker handles envelopes in arrival order, so once the last message is answered
	// the retry before it has been handled (or skipped).
	startSlack(t, fs, h, func(c *bot.SlackConfig) { c.Workers = 1 })
	fs.WaitConnections(t, 1)

	d := fs.SendDM(rep1, "follow up Jane at Acme tomorrow")
	fs.WaitMessage(t, inChannel(d.Channel, "Jane"))
	retry := fs.Redeliver(d)
	fs.WaitAck(t, retry.EnvelopeID)
	fs.SendDM(rep2, "follow up Raj at Globex tomorrow")
	fs.WaitMessage(t, func(m slacktest.Message) bool { return contains(m, "Raj") })

	if n := len(fs.Messages(d.Channel)); n != 1 {
		t.Errorf("%d replies to the retried event, want 1", n)
	}
	if n := len(h.messages()); n != 2 {
		t.Errorf("handler ran %d times, want 2 (the retry skipped)", n)
	}
}

// TestSlackTwoReplicasDedupeThroughRedis runs two adapters, as two replicas would, sharing a
// real Redis as their Deduper. Every event is delivered twice, once to each replica.
func TestSlackTwoReplicasDedupeThroughRedis(t *testing.T) {
	srv := storagetest.Start(t)
	store, err := storage.Open(t.Context(), storage.Options{URL: srv.URL()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	fs := slacktest.New(t)
	h := newRepHandler()
	one := func(c *bot.SlackConfig) { c.Dedupe, c.Workers = store, 1 }
	startSlack(t, fs, h, one)
	startSlack(t, fs, h, one)
	fs.WaitConnections(t, 2)

	const n = 6
	for i := range n {
		d := fs.SendDM(fmt.Sprintf("U0REP%05d", i+10), fmt.Sprintf("follow up P%d at Acme tomorrow", i))
		r := fs.Redeliver(d)
		e1, _ := fs.Envelope(d.EnvelopeID)
		e2, _ := fs.Envelope(r.EnvelopeID)
		if e1.Conn == e2.Conn {
			t.Fatalf("event %s went to connection %d twice; the test needs one copy per replica", d.EventID, e1.Conn)
		}
	}
	// A last message to each replica: with one worker each, when both are answered every
	// envelope before them has been handled.
	for i := range 2 {
		fs.SendDM(fmt.Sprintf("U0LAST%04d", i), fmt.Sprintf("follow up Last%d at Acme tomorrow", i))
	}
	fs.Wait(t, "both last replies", func() bool {
		k := 0
		for _, m := range fs.Messages("") {
			if contains(m, "Last") {
				k++
			}
		}
		return k == 2
	})
	if got := len(h.messages()); got != n+2 {
		t.Errorf("handler ran %d times, want %d: each event once", got, n+2)
	}
	if got := len(fs.Messages("")); got != n+2 {
		t.Errorf("%d replies, want %d", got, n+2)
	}
}

func TestSlackDoneButtonModalSavesNextDate(t *testing.T) {
	fs := slacktest.New(t)
	h := newRepHandler()
	startSlack(t, fs, h)
	fs.WaitConnections(t, 1)

	d := fs.SendDM(rep1, "follow up Jane at Acme tomorrow")
	card := fs.WaitMessage(t, inChannel(d.Channel, "Jane"))
	fs.Click(t, rep1, card, "Done")
	md := fs.WaitModal(t, func(m slacktest.Modal) bool { return m.Open })
	if md.Title != "Done" || !strings.Contains(string(md.Blocks), "Next follow-up?") {
		t.Errorf("modal %q with blocks %s, want the Done question", md.Title, md.Blocks)
	}

	// A date the handler can't read keeps the modal open with the error under the input.
	sub := fs.Submit(t, rep1, md, map[string]string{"answer": "someday"})
	ack := fs.WaitAck(t, sub.EnvelopeID)
	var resp struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
	}
	if err := json.Unmarshal(ack.Payload, &resp); err != nil || resp.ResponseAction != "errors" || !strings.Contains(resp.Errors["answer"], `"someday"`) {
		t.Errorf("ack payload = %s, want errors on the answer block", ack.Payload)
	}
	if c, _ := h.campaign("1"); !c.Due.Equal(time.Date(2024, 3, 12, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("due changed to %v by a refused answer", c.Due)
	}

	// The date picker alone is an answer too.
	sub = fs.Submit(t, rep1, md, map[string]string{"date": "2024-03-19"})
	if ack := fs.WaitAck(t, sub.EnvelopeID); ack.Payload != nil {
		t.Errorf("ack payload = %s, want a bare ack that closes the modal", ack.Payload)
	}
	updated := fs.WaitMessage(t, func(m slacktest.Message) bool { return m.TS == card.TS && m.Updates > 0 })
	if !contains(updated, "2024-03-19") {
		t.Errorf("updated card = %q, want the next date", updated.BlocksText())
	}
	if _, ok := updated.Element("Done"); ok {
		t.Errorf("updated card still has the Done button")
	}
	if c, _ := h.campaign("1"); !c.Due.Equal(time.Date(2024, 3, 19, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("due = %v, want 2024-03-19 09:00", c.Due)
	}
	if got := h.messages()[len(h.messages())-1]; got.Text != "done #1, 2024-03-19" || got.User != rep1 {
		t.Errorf("last command = %+v, want done #1, 2024-03-19 by %s", got, rep1)
	}
}

func TestSlackMenuUpdatesCard(t *testing.T) {
	fs := slacktest.New(t)
	h := newRepHandler()
	startSlack(t, fs, h)
	fs.WaitConnections(t, 1)

	d := fs.SendDM(rep1, "follow up Jane at Acme tomorrow")
	card := fs.WaitMessage(t, inChannel(d.Channel, "Jane"))
	fs.Select(t, rep1, card, "Temperature", "Hot")
	updated := fs.WaitMessage(t, func(m slacktest.Message) bool { return m.TS == card.TS && m.Updates > 0 })
	if !contains(updated, "*Jane* is hot.") {
		t.Errorf("updated card = %q", updated.BlocksText())
	}
}

func TestSlackAppHomePublished(t *testing.T) {
	fs := slacktest.New(t)
	h := newRepHandler()
	startSlack(t, fs, h)
	fs.WaitConnections(t, 1)

	d := fs.SendDM(rep1, "follow up Jane at Acme tomorrow")
	fs.WaitMessage(t, inChannel(d.Channel, "Jane"))
	fs.OpenHome(rep1)
	v := fs.WaitHome(t, rep1, func(slacktest.View) bool { return true })
	for _, want := range []string{"*Your total:* 1 of 300", "*Due today*", "*Jane* at Acme", "*Overdue*"} {
		if !strings.Contains(v.BlocksText(), want) {
			t.Errorf("home lacks %q:\n%s", want, v.BlocksText())
		}
	}
	var blocks []struct{ Type string }
	_ = json.Unmarshal(v.Blocks, &blocks)
	var types []string
	for _, b := range blocks {
		types = append(types, b.Type)
	}
	if got := strings.Join(types, ","); got != "section,divider,section,divider,section,actions" {
		t.Errorf("home blocks = %s, want one section per blank-line-separated part", got)
	}

	// A button on the Home tab answers in the DM and refreshes the tab.
	fs.ClickHome(t, rep1, "Help")
	fs.WaitMessage(t, inChannel(d.Channel, "Try: follow up"))
}

func TestSlackTamperedActionRefused(t *testing.T) {
	fs := slacktest.New(t)
	h := newRepHandler()
	r := startSlack(t, fs, h)
	fs.WaitConnections(t, 1)

	d1 := fs.SendDM(rep1, "follow up Jane at Acme tomorrow")
	fs.WaitMessage(t, inChannel(d1.Channel, "Jane"))
	d2 := fs.SendDM(rep2, "follow up Raj at Globex tomorrow")
	card2 := fs.WaitMessage(t, inChannel(d2.Channel, "Raj"))

	// rep2 edits their own Undo button to name rep1's campaign #1.
	undo, _ := card2.Element("Undo")
	fs.ClickValue(rep2, card2, undo, "undo #1")
	fs.WaitEphemeral(t, rep2, func(m slacktest.Message) bool { return contains(m, "I don't have a campaign #1") })

	if _, ok := h.campaign("1"); !ok {
		t.Errorf("rep1's campaign was undone by rep2")
	}
	if got := h.messages()[len(h.messages())-1]; got.User != rep2 {
		t.Errorf("command ran as %s, want the clicking user %s", got.User, rep2)
	}
	for _, m := range fs.Messages("") {
		if m.Updates > 0 {
			t.Errorf("message %s in %s was updated after a refused action", m.TS, m.Channel)
		}
	}
	if !r.log.Contains("action refused") {
		t.Errorf("no \"action refused\" log line")
	}
}

func TestSlackEscapesUserText(t *testing.T) {
	fs := slacktest.New(t)
	startSlack(t, fs, newRepHandler())
	fs.WaitConnections(t, 1)

	// Slack sends an @channel typed by the rep as <!channel>, and a literal "<" as &lt;.
	d := fs.SendDM(rep1, "follow up Jane at R&amp;D tomorrow re ping <!channel> and &lt;!here&gt;")
	m := fs.WaitMessage(t, inChannel(d.Channel, "Jane"))
	raw := m.Text + string(m.Blocks)
	for _, bad := range []string{"<!channel>", "<!here>", "&amp;amp;"} {
		if strings.Contains(raw, bad) {
			t.Errorf("reply contains %q: %s", bad, raw)
		}
	}
	for _, want := range []string{"&lt;!channel&gt;", "&lt;!here&gt;", "*R&amp;D*"} {
		if !contains(m, want) {
			t.Errorf("reply lacks %q: %s", want, m.BlocksText())
		}
	}
}

func TestSlackRetriesAfterRateLimit(t *testing.T) {
	fs := slacktest.New(t)
	fs.RateLimit("chat.postMessage", time.Second)
	r := startSlack(t, fs, newRepHandler())
	fs.WaitConnections(t, 1)

	d := fs.SendDM(rep1, "follow up Jane at Acme tomorrow")
	fs.WaitMessage(t, inChannel(d.Channel, "Jane"))
	calls := fs.Calls("chat.postMessage")
	if len(calls) != 2 || calls[0].Status != 429 || calls[1].Status != 200 {
		t.Fatalf("postMessage calls = %+v, want a 429 then a success", calls)
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < time.Second {
		t.Errorf("retried after %v, before Retry-After (1s)", gap)
	}
	if !r.log.Contains("slack rate limited") {
		t.Errorf("no rate-limit log line")
	}
}

func TestSlackPostSpacesMessagesPerChannel(t *testing.T) {
	fs := slacktest.New(t)
	r := startSlack(t, fs, newRepHandler())
	fs.WaitConnections(t, 1)

	errs := make(chan error, 3)
	for i := range 3 {
		go func() {
			errs <- r.Post(t.Context(), slacktest.Team, "C0SALES001", commands.Reply{Text: fmt.Sprint("board ", i)})
		}()
	}
	go func() { errs <- r.Post(t.Context(), slacktest.Team, "C0OTHER001", commands.Reply{Text: "other"}) }()
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var at []time.Time
	for _, c := range fs.Calls("chat.postMessage") {
		if c.Params["channel"] == "C0SALES001" {
			at = append(at, c.At)
		}
	}
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < 990*time.Millisecond {
			t.Errorf("messages %d and %d to one channel %v apart, want ≥1s", i-1, i, gap)
		}
	}
}

func TestSlackDMOpensConversationOnceAndCachesZone(t *testing.T) {
	fs := slacktest.New(t)
	fs.AddUser(rep1, "America/New_York")
	r := startSlack(t, fs, newRepHandler())
	fs.WaitConnections(t, 1)

	for i := range 2 {
		if err := r.DM(t.Context(), slacktest.Team, rep1, commands.Reply{Text: fmt.Sprint("reminder ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(fs.Calls("conversations.open")); n != 1 {
		t.Errorf("conversations.open called %d times, want 1", n)
	}
	if n := len(fs.Messages("D0REP00001")); n != 2 {
		t.Errorf("%d messages in the DM, want 2", n)
	}
	d := fs.SendDM(rep1, "follow up A at B tomorrow")
	fs.WaitMessage(t, inChannel(d.Channel, "*A*"))
	d = fs.SendDM(rep1, "follow up C at D tomorrow")
	fs.WaitMessage(t, inChannel(d.Channel, "*C*"))
	if n := len(fs.Calls("users.info")); n != 1 {
		t.Errorf("users.info called %d times, want 1 (cached)", n)
	}
}

func TestSlackIgnoresBotsAndEdits(t *testing.T) {
	fs := slacktest.New(t)
	h := newRepHandler()
	startSlack(t, fs, h, func(c *bot.SlackConfig) { c.Workers = 1 })
	fs.WaitConnections(t, 1)

	ch := "D0REP00001"
	fs.SendDM(rep1, "prime the DM channel")
	fs.WaitMessage(t, inChannel(ch, "Try"))
	for _, ev := range []map[string]any{
		{"type": "message", "channel": ch, "user": slacktest.BotUser, "text": "follow up X at Y tomorrow", "ts": "1.1", "channel_type": "im"},
		{"type": "message", "channel": ch, "bot_id": "B0OTHER", "text": "follow up X at Y tomorrow", "ts": "1.2", "channel_type": "im"},
		{
			"type": "message", "subtype": "message_changed", "channel": ch, "text": "", "ts": "1.3", "channel_type": "im",
			"message": map[string]any{"user": rep1, "text": "follow up X at Y tomorrow"},
		},
		{"type": "app_mention", "channel": ch, "user": rep1, "text": "<@" + slacktest.BotUser + "> follow up X at Y tomorrow", "ts": "1.4"},
	} {
		fs.SendEvent(ev)
	}
	fs.SendDM(rep1, "follow up Last at Acme tomorrow")
	fs.WaitMessage(t, inChannel(ch, "Last"))
	if n := len(h.messages()); n != 2 {
		t.Errorf("handler ran %d times, want 2: %+v", n, h.messages())
	}
}

func TestSlackReconnects(t *testing.T) {
	for _, tt := range []struct {
		name string
		drop func(*slacktest.Server)
	}{
		{"refresh_requested", func(fs *slacktest.Server) { fs.Disconnect("refresh_requested") }},
		{"warning", func(fs *slacktest.Server) { fs.Disconnect("warning") }},
		{"dropped socket", func(fs *slacktest.Server) { fs.DropConnections() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fs := slacktest.New(t)
			startSlack(t, fs, newRepHandler())
			fs.WaitConnections(t, 1)
			tt.drop(fs)
			fs.Wait(t, "the old socket replaced by a new one", func() bool { return fs.Sockets() == 2 && fs.Connections() == 1 })
			d := fs.SendDM(rep1, "follow up Jane at Acme tomorrow")
			fs.WaitMessage(t, inChannel(d.Channel, "Jane"))
		})
	}
}

func TestSlackLinkDisabledStopsRun(t *testing.T) {
	fs := slacktest.New(t)
	r := startSlack(t, fs, newRepHandler())
	fs.WaitConnections(t, 1)
	fs.Disconnect("link_disabled")
	select {
	case err := <-r.done:
		if !errors.Is(err, bot.ErrLinkDisabled) {
			t.Errorf("Run = %v, want ErrLinkDisabled", err)
		}
		r.once.Do(func() {}) // consumed here; Stop must not wait again
	case <-time.After(10 * time.Second):
		t.Fatal("Run still running after link_disabled")
	}
	if !r.log.Contains("slack socket mode disabled") {
		t.Errorf("no clear log line for link_disabled")
	}
}

func TestSlackShutdownFinishesInFlightHandler(t *testing.T) {
	fs := slacktest.New(t)
	h := newRepHandler()
	r := startSlack(t, fs, h)
	fs.WaitConnections(t, 1)

	d := fs.SendDM(rep1, "slow")
	<-h.started
	r.cancel() // SIGTERM
	select {
	case err := <-r.done:
		t.Fatalf("Run returned %v before the in-flight handler finished", err)
	default:
	}
	close(h.release)
	if err := <-r.done; err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
	r.once.Do(func() {})
	if n := len(fs.Messages(d.Channel)); n != 1 || !contains(fs.Messages(d.Channel)[0], "slow done") {
		t.Errorf("messages after shutdown = %+v, want the slow reply", fs.Messages(d.Channel))
	}
}

func TestSlackHandlerPanicApologises(t *testing.T) {
	fs := slacktest.New(t)
	r := startSlack(t, fs, newRepHandler())
	fs.WaitConnections(t, 1)
	d := fs.SendDM(rep1, "panic")
	fs.WaitMessage(t, inChannel(d.Channel, "Sorry, that failed on my side."))
	if !r.log.Contains("command failed") {
		t.Errorf("panic not logged as command failed")
	}
	// The adapter still works.
	d = fs.SendDM(rep1, "follow up Jane at Acme tomorrow")
	fs.WaitMessage(t, inChannel(d.Channel, "Jane"))
}

func TestSlackRejectsBadToken(t *testing.T) {
	fs := slacktest.New(t)
	log, _ := newLogger(t)
	s := bot.NewSlack(bot.SlackConfig{BotToken: "xoxb-wrong", AppToken: slacktest.AppToken, APIURL: fs.APIURL()}, log)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	err := s.Run(ctx, newRepHandler())
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") {
		t.Errorf("Run = %v, want invalid_auth", err)
	}
	if strings.Contains(fmt.Sprint(err), "xoxb-wrong") {
		t.Errorf("error shows the token")
	}
}

// TestSlackPersistentRateLimitReachesScheduler: when 429s outlast the adapter's retries, DM fails
// with an error that tells the scheduler how long to hold all sending (its RetryAfter method).
func TestSlackPersistentRateLimitReachesScheduler(t *testing.T) {
	fs := slacktest.New(t)
	fs.RateLimit("chat.postMessage", time.Second)
	fs.RateLimit("chat.postMessage", 2*time.Second)
	r := startSlack(t, fs, newRepHandler(), func(c *bot.SlackConfig) { c.MaxRetries = 1 })
	fs.WaitConnections(t, 1)

	err := r.DM(t.Context(), slacktest.Team, rep1, commands.Reply{Text: "Time to follow up with Jane"})
	var ra interface{ RetryAfter() time.Duration }
	if !errors.As(err, &ra) || ra.RetryAfter() != 2*time.Second {
		t.Fatalf("DM after persistent 429s = %v, want an error with RetryAfter() = 2s", err)
	}
	if n := len(fs.Calls("chat.postMessage")); n != 2 {
		t.Errorf("postMessage calls = %d, want 2 (one retry)", n)
	}
}
