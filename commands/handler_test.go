package commands_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"campaignbot/campaign"
	"campaignbot/commands"
	"campaignbot/storage"
	"campaignbot/storage/storagetest"
)

const (
	team = "T1"
	rep  = "U1"
)

// Every handler test starts from wed (parse_test.go): Wed 2026-03-04 09:30 in New York.

// rig is a handler on a private real Redis with a clock the test moves.
type rig struct {
	t     *testing.T
	h     *commands.Handler
	store *storage.Store
	now   time.Time
	logs  *bytes.Buffer
}

func newRig(t *testing.T) *rig {
	t.Helper()
	srv := storagetest.Start(t)
	store, err := storage.Open(t.Context(), storage.Options{URL: srv.URL()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open storage: %v", err)
	}
	t.Cleanup(func() { _ = store.Close() })
	return newRigOn(t, store)
}

func newRigOn(t *testing.T, store commands.Store) *rig {
	t.Helper()
	logs := &bytes.Buffer{}
	r := &rig{t: t, now: wed, logs: logs}
	if s, ok := store.(*storage.Store); ok {
		r.store = s
		// The audit trail stamps changes with the store's clock; on-time rates and histories
		// are read against the handler's, so both follow the test's.
		s.Now = func() time.Time { return r.now }
	}
	r.h = commands.New(store, ny, slog.New(slog.NewTextHandler(logs, nil)))
	r.h.Now = func() time.Time { return r.now }
	return r
}

// say sends text as user and returns the reply.
func (r *rig) sayAs(user, text string) commands.Reply {
	r.t.Helper()
	return r.h.Handle(r.t.Context(), commands.Message{Team: team, User: user, Channel: "D1", Text: text, Location: ny})
}

func (r *rig) say(text string) commands.Reply {
	r.t.Helper()
	return r.sayAs(rep, text)
}

// expect sends text and checks the reply contains every want fragment.
func (r *rig) expect(text string, refused bool, want ...string) commands.Reply {
	r.t.Helper()
	got := r.say(text)
	if got.Refused != refused {
		r.t.Errorf("%q: Refused = %v, want %v; reply %q", text, got.Refused, refused, got.Text)
	}
	for _, w := range want {
		if !strings.Contains(got.Text, w) {
			r.t.Errorf("%q: reply %q lacks %q", text, got.Text, w)
		}
	}
	return got
}

// expectAs is expect for another user; the reply must not be refused.
func (r *rig) expectAs(user, text string, want ...string) commands.Reply {
	r.t.Helper()
	got := r.sayAs(user, text)
	for _, w := range want {
		if !strings.Contains(got.Text, w) {
			r.t.Errorf("%s %q: reply %q lacks %q", user, text, got.Text, w)
		}
	}
	return got
}

func messageFrom(user string) commands.Message {
	return commands.Message{Team: team, User: user, Location: ny}
}

func (r *rig) open(user string) []campaign.Campaign {
	r.t.Helper()
	cs, err := r.store.Open(r.t.Context(), team, user)
	if err != nil {
		r.t.Fatalf("Open: %v", err)
	}
	return cs
}

// TestJourney is the acceptance walk-through: log, list, stats (not counting), qualify, done with
// a next date, stats (counting).
func TestJourney(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.expect("follow up Jane Smith at Acme next Tuesday", false,
		"Saved #1", "*Jane Smith* at Acme", "Tue Mar 10, 9:00 AM", "Acme isn't qualified yet", "Counting: 0 of 300")
	r.expect("list", false, "#1 *Jane Smith* at Acme", "Tue Mar 10, 9:00 AM", "Acme not qualified")
	r.expect("stats", false, "Active campaigns: 0 of 300", "1 not qualified")
	r.expect("qualify Acme: uses staffing firms", false, "Acme is qualified (uses staffing firms)", "there: 1")
	r.expect("done Jane, next Friday", false, "Done with *Jane Smith* at Acme", "Next follow-up: *Fri Mar")
	r.expect("stats", false, "Active campaigns: 1 of 300")
	cs := r.open(rep)
	if len(cs) != 1 || cs[0].LastDoneAt.IsZero() || cs[0].DueAt.Weekday() != time.Friday {
		t.Fatalf("after done: %+v", cs)
	}
	notes, err := r.store.Notes(t.Context(), team, cs[0].ID, 10)
	if err != nil || len(notes) != 2 || notes[0].Text != "follow up Jane Smith at Acme next Tuesday" || notes[1].Text != "Done" {
		t.Errorf("notes = %+v, %v", notes, err)
	}
}

func TestLogReplies(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	got := r.expect("call Raj at Globex tomorrow 3pm hot", false, "Saved #1: call *Raj* at Globex", "Thu Mar 5, 3:00 PM", "(hot)")
	labels := actionLabels(got.Actions)
	for _, want := range []string{"Change date", "Temperature", "Undo"} {
		if !strings.Contains(labels, want) {
			t.Errorf("actions %q lack %q", labels, want)
		}
	}
	r.expect("follow up Priya next Monday", false, "Saved #2", "*Priya*", "can't count until it names a company")
	// Naming the company later completes the same campaign instead of adding a second.
	r.expect("follow up Priya at Initech next Monday", false, "You already had *Priya* at Initech (#2)")
	if n := len(r.open(rep)); n != 2 {
		t.Errorf("open campaigns = %d, want 2", n)
	}
}

func actionLabels(as []commands.Action) string {
	var b strings.Builder
	for _, a := range as {
		b.WriteString(a.Label + "|")
	}
	return b.String()
}

func TestDuplicateGuard(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.expect("follow up Jane Smith at Acme next Tuesday", false, "Saved #1")
	r.expect("call jane  smith at ACME, Inc. tomorrow 2pm warm", false, "You already had *Jane Smith* at Acme (#1)", "Thu Mar 5, 2:00 PM", "(warm)")
	r.expect("follow up Jane Smith at Globex next Tuesday", false, "Saved #2") // another company: another campaign
	cs := r.open(rep)
	if len(cs) != 2 {
		t.Fatalf("open = %d campaigns, want 2", len(cs))
	}
	if cs[0].ID != "1" || cs[0].Channel != campaign.Call || cs[0].Temperature != campaign.Warm {
		t.Errorf("updated campaign = %+v", cs[0])
	}
}

func TestAmbiguousNameOffersChoice(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.say("follow up Jane Smith at Acme next Tuesday")
	r.say("follow up Jane Doe at Globex next Tuesday")
	got := r.expect("done Jane, next Friday", false, "2 open campaigns for Jane", "1. #1 *Jane Smith* at Acme", "2. #2 *Jane Doe* at Globex")
	if len(got.Actions) != 2 || !strings.HasPrefix(got.Actions[1].Command, "done #2, next Friday") {
		t.Fatalf("choice actions = %+v", got.Actions)
	}
	// Pressing a choice runs the same command on that campaign only.
	r.expect(got.Actions[1].Command, false, "Done with *Jane Doe* at Globex")
	for _, c := range r.open(rep) {
		if done := !c.LastDoneAt.IsZero(); done != (c.ID == "2") {
			t.Errorf("campaign %s done = %v", c.ID, done)
		}
	}
	// A full name is not ambiguous.
	r.expect("Jane Smith is hot", false, "*Jane Smith* at Acme is now hot")
}

func TestChangeCommands(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.say("follow up Jane Smith at Acme next Tuesday")
	r.expect("move Jane to Monday", false, "Moved *Jane Smith* at Acme to *Mon Mar 9, 9:00 AM*")
	r.expect("snooze #1 tomorrow morning", false, "Snoozed *Jane Smith* at Acme to *Thu Mar 5")
	r.expect("snooze Jane 2 hours", false, "Snoozed *Jane Smith* at Acme to *Wed Mar 4, 11:30 AM*")
	r.expect("snooze Jane for 1 day", false, "to *Thu Mar 5")
	r.expect("Jane is hot", false, "is now hot")
	r.expect("cold #1", false, "is now cold")
	r.expect("note Jane: <!channel> asked for rates & terms", false, "Noted on *Jane Smith* at Acme: &lt;!channel&gt; asked for rates &amp; terms")
	r.expect("called Jane at Acme, left voicemail, next week", false, "Done with *Jane Smith*")
	c := r.open(rep)[0]
	notes, _ := r.store.Notes(t.Context(), team, c.ID, 1)
	if len(notes) != 1 || notes[0].Text != "Called: left voicemail" {
		t.Errorf("last note = %+v", notes)
	}
	r.expect("close Jane loſt", false, "Closed *Jane Smith* at Acme as lost") // (?i) folds ſ to s
	if n := len(r.open(rep)); n != 0 {
		t.Errorf("open after close = %d", n)
	}
	r.expect("hot #1", true, "already closed")
}

func TestDoneWithoutDateAsks(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.say("follow up Jane Smith at Acme next Tuesday")
	got := r.expect("done Jane", true, "When's the next follow-up with *Jane Smith*")
	if len(got.Actions) == 0 || got.Actions[0].Ask == "" || got.Actions[0].Command != "done #1," {
		t.Fatalf("actions = %+v", got.Actions)
	}
	if !r.open(rep)[0].LastDoneAt.IsZero() {
		t.Error("done without a date must change nothing")
	}
	// The modal answer is appended to the command.
	r.expect(got.Actions[0].Command+" next Friday 2pm", false, "Next follow-up: *Fri Mar")
	r.expect("done Jane, won, signed the MSA", false, "Closed *Jane Smith* at Acme as won")
}

func TestUndo(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.say("follow up Jane Smith at Acme next Tuesday")
	r.say("follow up Raj at Globex next Tuesday")
	r.expect("undo #1", false, "Undone: *Jane Smith* at Acme is gone")
	r.say("follow up Ann at Initech next Tuesday")
	r.say("close Ann won")
	r.expect("undo #3", true, "already closed (won)")
	r.now = r.now.Add(16 * time.Minute)
	r.expect("undo #2", true, "more than 15 minutes ago")
	if cs := r.open(rep); len(cs) != 1 || cs[0].Person != "Raj" {
		t.Errorf("open = %+v", cs)
	}
}

func TestOwnership(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.say("follow up Jane Smith at Acme next Tuesday")
	before := r.open(rep)
	for _, text := range []string{"done #1, next Friday", "hot #1", "close #1 won", "undo #1", "move #1 to Monday", "note #1: mine now"} {
		got := r.sayAs("U2", text)
		if !got.Refused || !strings.Contains(got.Text, "isn't one of yours") {
			t.Errorf("%q by another rep: %q", text, got.Text)
		}
	}
	if got := r.sayAs("U2", "list"); !strings.Contains(got.Text, "no open campaigns") {
		t.Errorf("another rep's list = %q", got.Text)
	}
	if after := r.open(rep); after[0] != before[0] {
		t.Errorf("campaign changed by another rep: %+v", after[0])
	}
	if !strings.Contains(r.logs.String(), "action refused") {
		t.Error("refused actions must be logged")
	}
}

func TestRejections(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.say("follow up Jane Smith at Acme next Tuesday")
	tests := []struct{ text, want string }{
		{"follow up the VP of Ops next week", ""},
		{"follow up Jane when she's back", ""},
		{"follow up Bob at Acme yesterday", ""},
		{"done Bob, next Friday", "I don't have an open campaign for Bob"},
		{"close Jane", "Say how it ended"},
		{"note Jane asked for rates", "after a colon"},
		{"undo 1", "by its number"},
		{"undo #99", "I don't have a campaign #99"},
		{"move Jane", "Say the new date"},
		{"hours 9", "working hours as a range"},
		{"hours 17-9", "working hours as a range"},
		{"hours 9-5am", "working hours as a range"},
		{"digest soon", "time for your morning list"},
		{"note Jane: " + strings.Repeat("x", 2001), "over 2000 characters"},
		{"follow up " + strings.Repeat("Jane ", 801), "over 4000 characters"},
		{"snooze overdue .", "I couldn't find a date"},
		{"digest 25:00", "time for your morning list"},
		{"away until whenever", "when you're back"},
		{"qualify : nothing", "Name the company"},
		{"done , next Friday", "Say which campaign"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := r.say(tt.text)
			if !got.Refused || got.Text == "" || strings.Count(got.Text, "\n") > 0 {
				t.Errorf("reply = %+v, want one refused sentence", got)
			}
			if !strings.Contains(got.Text, tt.want) {
				t.Errorf("reply %q lacks %q", got.Text, tt.want)
			}
		})
	}
	if cs := r.open(rep); len(cs) != 1 || cs[0].Person != "Jane Smith" || !cs[0].LastDoneAt.IsZero() {
		t.Errorf("rejections changed stored data: %+v", cs)
	}
}

func TestListsAndLapse(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.say("qualify Acme")
	r.say("follow up Jane Smith at Acme today 4pm")
	r.say("follow up Raj at Acme next Tuesday")
	r.say("follow up Ann at Globex in 3 weeks")
	r.expect("today", false, "Due today* (1)", "*Jane Smith*")
	r.expect("this week", false, "Due this week* (1)")
	r.expect("list Acme", false, "Campaigns at Acme* (2)")
	r.expect("find Raj", false, "*Raj* at Acme")
	r.say("follow up Anne-Marie O'Neil at Globex next Tuesday")
	r.expect("find Anne", false, "*Anne-Marie O'Neil* at Globex")
	r.expect("find O'Neil", false, "*Anne-Marie O'Neil* at Globex")
	r.expect("overdue", false, "Overdue: nothing")
	// Thursday: Jane is overdue but still counts (grace runs to the end of Thursday).
	r.now = time.Date(2026, 3, 5, 12, 0, 0, 0, ny)
	r.expect("overdue", false, "*Jane Smith*", "_overdue_")
	r.expect("stats", false, "Active campaigns: 2 of 300")
	// Friday: the grace has ended, so Jane lapsed and no longer counts.
	r.now = time.Date(2026, 3, 6, 0, 0, 0, 0, ny)
	r.expect("stats", false, "Active campaigns: 1 of 300", "1 lapsed")
	r.expect("list", false, "_lapsed, not counting_")
	r.expect("snooze overdue today", false, "Moved 1 overdue follow-up to")
	r.expect("stats", false, "Active campaigns: 2 of 300")
}

func TestRepSettings(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.expect("hours 9-5", false, "09:00–17:00")
	r.expect("hours 8:30am-5pm", false, "08:30–17:00")
	r.expect("digest 7:15am", false, "at 07:15 on working days")
	r.expect("away until Mar 16", false, "until Mon Mar 16")
	got, err := r.store.Rep(t.Context(), team, rep)
	if err != nil {
		t.Fatal(err)
	}
	if got.DayStart != 8*60+30 || got.DayEnd != 17*60 || got.DigestAt != 7*60+15 || !got.AwayUntil.Equal(time.Date(2026, 3, 16, 0, 0, 0, 0, ny)) || got.TZ != "America/New_York" {
		t.Errorf("rep = %+v", got)
	}
	r.expect("back", false, "Welcome back")
	if got, _ := r.store.Rep(t.Context(), team, rep); !got.AwayUntil.IsZero() {
		t.Errorf("away after back = %v", got.AwayUntil)
	}
}

// TestTimeOffHoldsLapsing: a follow-up due while the rep is away keeps counting until the end of
// the first working day back, instead of lapsing during the time off.
func TestTimeOffHoldsLapsing(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.say("qualify Acme")
	r.say("follow up Jane Smith at Acme next Tuesday") // Tue Mar 10
	r.expect("away until Mar 16", false, "until Mon Mar 16")
	r.now = time.Date(2026, 3, 13, 12, 0, 0, 0, ny) // would have lapsed on Thu Mar 12 without time off
	r.expect("stats", false, "Active campaigns: 1 of 300", "0 lapsed")
	r.now = time.Date(2026, 3, 17, 0, 0, 0, 0, ny) // the Monday of return has ended
	r.expect("stats", false, "Active campaigns: 0 of 300", "1 lapsed")
}

func TestHelpAndHome(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.expect("help", false, "*Log*", "*Done*", "qualify Acme")
	r.expect("<@UBOT> help", false, "*Log*")
	r.say("qualify Acme: uses Kelly")
	r.say("follow up Jane Smith at Acme today 4pm")
	r.say("follow up Raj at Acme next Tuesday")
	home := r.h.Home(t.Context(), commands.Message{Team: team, User: rep, Location: ny})
	sections := strings.Split(home.Text, "\n\n")
	if len(sections) != 4 || !strings.Contains(sections[0], "Active campaigns: 2 of 300") ||
		!strings.Contains(sections[2], "*Jane Smith*") || !strings.Contains(sections[3], "*Raj*") {
		t.Errorf("home sections = %q", sections)
	}
}

// brokenStore fails every read, as Redis going away would.
type brokenStore struct{ commands.Store }

var errDown = errors.New("connection refused")

func (brokenStore) Open(context.Context, string, string) ([]campaign.Campaign, error) {
	return nil, errDown
}

func (brokenStore) Rep(_ context.Context, team, user string) (campaign.Rep, error) {
	return campaign.Rep{Team: team, User: user, TZ: "America/New_York"}, nil
}

func TestInternalErrorApologisesAndLogsOnce(t *testing.T) {
	t.Parallel()
	r := newRigOn(t, brokenStore{})
	got := r.say("follow up Jane Smith at Acme next Tuesday")
	if !strings.HasPrefix(got.Text, "Sorry, that failed on my side") || strings.Contains(got.Text, "refused") || !got.Failed {
		t.Errorf("reply = %q", got.Text)
	}
	if n := strings.Count(r.logs.String(), "command failed"); n != 1 || !strings.Contains(r.logs.String(), "connection refused") {
		t.Errorf("logged %d times: %s", n, r.logs)
	}
}

func TestCloseOutcomes(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.say("follow up Jane Smith at Acme next Tuesday")
	r.say("follow up Raj at Globex next Tuesday")
	r.say("follow up Ann at Initech next Tuesday")
	r.expect("close Jane left company, moved to Globex", false, "Closed *Jane Smith* at Acme: they left the company")
	r.expect("close #2 left", false, "Closed *Raj* at Globex: they left the company")
	r.expect("done Ann, close won", false, "Closed *Ann* at Initech as won")
	got := map[string]campaign.Status{}
	for _, id := range []string{"1", "2", "3"} {
		c, err := r.store.Get(t.Context(), team, id)
		if err != nil {
			t.Fatal(err)
		}
		got[id] = c.Status
	}
	want := map[string]campaign.Status{"1": campaign.Left, "2": campaign.Left, "3": campaign.Won}
	for id, s := range want {
		if got[id] != s {
			t.Errorf("#%s status = %s, want %s", id, got[id], s)
		}
	}
}

// TestSamePersonAsks: "Jane" beside "Jane Smith" at the same company is asked about, not added
// silently; either answer works.
func TestSamePersonAsks(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.say("follow up Jane Smith at Acme next Tuesday")
	got := r.expect("call Jane at Acme friday hot", true, `You already have *Jane Smith* at Acme (#1). Is "Jane" the same person?`)
	if n := len(r.open(rep)); n != 1 {
		t.Fatalf("open = %d campaigns after the question, want 1", n)
	}
	if len(got.Actions) != 2 || got.Actions[0].Command != "call Jane Smith at Acme friday hot" || got.Actions[1].Command != "new call Jane at Acme friday hot" {
		t.Fatalf("actions = %+v", got.Actions)
	}
	r.expect(got.Actions[0].Command, false, "You already had *Jane Smith* at Acme (#1)", "(hot)")
	r.expect(got.Actions[1].Command, false, "Saved #2: call *Jane* at Acme")
	if n := len(r.open(rep)); n != 2 {
		t.Errorf("open = %d campaigns, want 2 after \"new\"", n)
	}
	// Another company's Jane is another person: no question.
	r.expect("follow up Jane at Globex friday", false, "Saved #3")
}
