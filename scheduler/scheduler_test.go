package scheduler_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"campaignbot/campaign"
	"campaignbot/commands"
	"campaignbot/scheduler"
)

// Scheduler timing is tested inside testing/synctest bubbles against memStore: time.Sleep moves
// the bubble's fake clock, and synctest.Wait returns once every goroutine is blocked, so the tests
// are exact and fast without real sleeps.

// tuesday is the start of most tests: Tuesday 10 March 2026, 08:00 UTC.
var tuesday = time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)

// clockAt returns a clock that reads base when called first in the bubble and then follows the
// bubble's fake time.
func clockAt(base time.Time) func() time.Time {
	start := time.Now()
	return func() time.Time { return base.Add(time.Since(start)) }
}

// posted is one message a recordingPoster received.
type posted struct {
	Team, To string // user for a DM, channel for a post
	DM       bool
	Reply    commands.Reply
	At       time.Time
}

// recordingPoster records what the scheduler sends. fail, when set, can refuse a message.
type recordingPoster struct {
	clock func() time.Time
	mu    sync.Mutex
	msgs  []posted
	fail  func(p posted) error
}

func (p *recordingPoster) record(ctx context.Context, m posted) error {
	if err := ctx.Err(); err != nil {
		return err // an aborted request delivers nothing
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	m.At = p.clock()
	if p.fail != nil {
		if err := p.fail(m); err != nil {
			return err
		}
	}
	p.msgs = append(p.msgs, m)
	return nil
}

func (p *recordingPoster) DM(ctx context.Context, team, user string, r commands.Reply) error {
	return p.record(ctx, posted{Team: team, To: user, DM: true, Reply: r})
}

func (p *recordingPoster) Post(ctx context.Context, team, channel string, r commands.Reply) error {
	return p.record(ctx, posted{Team: team, To: channel, Reply: r})
}

// Posts returns the messages whose text contains substr, in order.
func (p *recordingPoster) Posts(substr string) []posted {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []posted
	for _, m := range p.msgs {
		if strings.Contains(m.Reply.Text, substr) {
			out = append(out, m)
		}
	}
	return out
}

const (
	reminderText = "Time to follow up"
	digestText   = "Good morning"
	catchUpText  = "While I was away"
	welcomeText  = "Welcome back"
	boardText    = "Leaderboard"
)

// start runs a scheduler until the test's bubble ends it; stop cancels it and waits for Run.
func start(t *testing.T, store scheduler.Store, p scheduler.Poster, cfg scheduler.Config) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	s := scheduler.New(store, p, cfg, slog.New(slog.DiscardHandler))
	go func() { done <- s.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run = %v, want nil", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func mustCreate(t *testing.T, s *memStore, c campaign.Campaign) campaign.Campaign {
	t.Helper()
	if c.Team == "" {
		c.Team = "T1"
	}
	if c.Owner == "" {
		c.Owner = "U1"
	}
	if c.Person == "" {
		c.Person = "Jane Smith"
	}
	if c.Company == "" {
		c.Company = "Acme"
	}
	c, err := s.Create(context.Background(), c, nil)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return c
}

// at asserts that the messages were sent at exactly the wanted instants.
func at(t *testing.T, what string, got []posted, want ...time.Time) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d messages %v, want %d at %v", what, len(got), times(got), len(want), want)
	}
	for i := range want {
		if !got[i].At.Equal(want[i]) {
			t.Errorf("%s #%d sent at %v, want %v", what, i+1, got[i].At, want[i])
		}
	}
}

func times(ps []posted) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.At.Format(time.RFC3339))
	}
	return out
}

func TestReminderDeliveredOnceOnTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := clockAt(tuesday)
		store := newMemStore()
		p := &recordingPoster{clock: clock}
		due := tuesday.Add(90 * time.Minute)
		c := mustCreate(t, store, campaign.Campaign{DueAt: due, TimeGiven: true, Temperature: campaign.Hot})
		if err := store.AddNote(t.Context(), "T1", c.ID, campaign.Note{Text: "asked for <rates>"}); err != nil {
			t.Fatal(err)
		}
		// Two replicas share the store.
		cfg := scheduler.Config{Now: clock}
		start(t, store, p, cfg)
		start(t, store, p, cfg)

		time.Sleep(24 * time.Hour)
		synctest.Wait()
		got := p.Posts(reminderText)
		at(t, "reminder", got, due)
		if r := got[0]; !r.DM || r.To != "U1" || !strings.Contains(r.Reply.Text, "*Jane Smith* at Acme") ||
			!strings.Contains(r.Reply.Text, "asked for &lt;rates&gt;") || len(r.Reply.Actions) != 5 {
			t.Errorf("reminder = %+v", r)
		}
	})
}

// The buttons run commands; a snooze or a done with a next date saves a new DueAt, which re-arms
// the reminder; closing withdraws it.
func TestButtonsRearmReminder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := clockAt(tuesday)
		store := newMemStore()
		p := &recordingPoster{clock: clock}
		h := commands.New(store, time.UTC, slog.New(slog.DiscardHandler))
		h.Now = clock
		press := func(text string) {
			t.Helper()
			r := h.Handle(t.Context(), commands.Message{Team: "T1", User: "U1", Channel: "D1", Text: text})
			if r.Refused || strings.Contains(r.Text, "Sorry") {
				t.Fatalf("%q refused: %s", text, r.Text)
			}
		}
		due := tuesday.Add(time.Hour) // 09:00
		c := mustCreate(t, store, campaign.Campaign{DueAt: due, TimeGiven: true})
		start(t, store, p, scheduler.Config{Now: clock})

		time.Sleep(time.Hour + time.Minute)
		synctest.Wait()
		at(t, "first reminder", p.Posts(reminderText), due)

		press("snooze #" + c.ID + " in 1 hour") // 09:01 → 10:01
		time.Sleep(2 * time.Hour)
		synctest.Wait()
		at(t, "after snooze", p.Posts(reminderText), due, tuesday.Add(2*time.Hour+time.Minute))

		press("done #" + c.ID + ", Thursday 3pm")
		time.Sleep(3 * 24 * time.Hour)
		synctest.Wait()
		thursday3pm := time.Date(2026, 3, 12, 15, 0, 0, 0, time.UTC)
		at(t, "after done", p.Posts(reminderText), due, tuesday.Add(2*time.Hour+time.Minute), thursday3pm)

		press("snooze #" + c.ID + " in 1 hour")
		press("close #" + c.ID + " won")
		time.Sleep(3 * 24 * time.Hour)
		synctest.Wait()
		if n := len(p.Posts(reminderText)); n != 3 {
			t.Errorf("reminders after close = %d, want still 3", n)
		}
	})
}

// Explicit times are honoured at any hour; date-only follow-ups outside working hours wait for
// the rep's next working start.
func TestQuietHoursDeferral(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		friday := time.Date(2026, 3, 13, 12, 0, 0, 0, time.UTC)
		clock := clockAt(friday)
		store := newMemStore()
		p := &recordingPoster{clock: clock}
		saturday10 := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
		fridayEvening := time.Date(2026, 3, 13, 20, 0, 0, 0, time.UTC)
		mustCreate(t, store, campaign.Campaign{Person: "Explicit Saturday", DueAt: saturday10, TimeGiven: true})
		mustCreate(t, store, campaign.Campaign{Person: "Dated Saturday", DueAt: saturday10})
		mustCreate(t, store, campaign.Campaign{Person: "Dated evening", DueAt: fridayEvening})
		// A rep with their own hours: 09:30 to 17:00.
		if err := store.SaveRep(t.Context(), campaign.Rep{Team: "T1", User: "U1", DayStart: 9*60 + 30, DayEnd: 17 * 60}); err != nil {
			t.Fatal(err)
		}
		start(t, store, p, scheduler.Config{Now: clock})

		time.Sleep(4 * 24 * time.Hour)
		synctest.Wait()
		monday := time.Date(2026, 3, 16, 9, 30, 0, 0, time.UTC)
		at(t, "explicit Saturday", p.Posts("with *Explicit Saturday*"), saturday10)
		// Both wait for Monday's start and go out together, one second apart (one message per
		// channel per second), in either order.
		dated := append(p.Posts("with *Dated Saturday*"), p.Posts("with *Dated evening*")...)
		if len(dated) != 2 || dated[0].At.Add(dated[1].At.Sub(monday)).Sub(monday) != time.Second {
			t.Errorf("dated follow-ups sent at %v, want %v and a second later", times(dated), monday)
		}
	})
}

func TestCatchUpAfterOutage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := clockAt(tuesday.Add(time.Hour)) // 09:00
		store := newMemStore()
		p := &recordingPoster{clock: clock}
		for i, h := range []int{10, 11, 12} {
			mustCreate(t, store, campaign.Campaign{Person: fmt.Sprintf("Missed %d", i), DueAt: tuesday.Add(time.Duration(h-8) * time.Hour), TimeGiven: true})
		}
		recent := mustCreate(t, store, campaign.Campaign{Person: "Recent", DueAt: tuesday.Add(4*time.Hour + 25*time.Minute), TimeGiven: true})
		stop := start(t, store, p, scheduler.Config{Now: clock})
		time.Sleep(30 * time.Minute)
		stop() // 09:30: the bot goes down for three hours
		time.Sleep(3 * time.Hour)
		back := clock() // 12:30
		start(t, store, p, scheduler.Config{Now: clock})
		time.Sleep(time.Hour)
		synctest.Wait()

		// The one due five minutes ago is still on time; the three older ones come as one message.
		at(t, "recent", p.Posts("*Recent*"), back)
		catchUps := p.Posts(catchUpText)
		at(t, "catch-up", catchUps, back.Add(3*time.Second))
		text := catchUps[0].Reply.Text
		for i := range 3 {
			if !strings.Contains(text, fmt.Sprintf("Missed %d", i)) {
				t.Errorf("catch-up does not list Missed %d:\n%s", i, text)
			}
		}
		if strings.Contains(text, "Recent") || len(p.Posts(reminderText)) != 1 {
			t.Errorf("reminders = %v, catch-up:\n%s", times(p.Posts(reminderText)), text)
		}
		_ = recent
	})
}

func TestPTOHold(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := clockAt(tuesday)
		store := newMemStore()
		p := &recordingPoster{clock: clock}
		thursday := time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC)
		if err := store.SaveRep(t.Context(), campaign.Rep{Team: "T1", User: "U1", AwayUntil: thursday}); err != nil {
			t.Fatal(err)
		}
		mustCreate(t, store, campaign.Campaign{Person: "Tuesday call", DueAt: tuesday.Add(2 * time.Hour), TimeGiven: true})
		mustCreate(t, store, campaign.Campaign{Person: "Wednesday call", DueAt: tuesday.Add(26 * time.Hour)})
		start(t, store, p, scheduler.Config{Now: clock})

		time.Sleep(47 * time.Hour) // Thursday 07:00
		synctest.Wait()
		if all := p.Posts(""); len(all) != 0 {
			t.Fatalf("%d messages during PTO, want none: %v", len(all), times(all))
		}
		time.Sleep(24 * time.Hour)
		synctest.Wait()
		welcome := p.Posts(welcomeText)
		at(t, "welcome back", welcome, thursday.Add(8*time.Hour))
		for _, who := range []string{"Tuesday call", "Wednesday call"} {
			if !strings.Contains(welcome[0].Reply.Text, who) {
				t.Errorf("welcome back does not list %s:\n%s", who, welcome[0].Reply.Text)
			}
		}
		if n := len(p.Posts(reminderText)); n != 0 {
			t.Errorf("%d single reminders, want none (they were held)", n)
		}
	})
}

// A 9:00 reminder and the 8:30 morning list keep their local time across both DST changes, and
// the list goes out once per local day.
func TestDST(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name         string
		from         time.Time // Thursday before the change (a Sunday)
		fri, sun     time.Time // 09:00 local on the Friday before and the Sunday of the change
		mon          time.Time // 09:00 local on the Monday after
		offBefore, a time.Duration
	}{
		{
			name: "spring forward",
			from: time.Date(2026, 3, 5, 12, 0, 0, 0, ny),
			fri:  time.Date(2026, 3, 6, 14, 0, 0, 0, time.UTC), // EST: UTC-5
			sun:  time.Date(2026, 3, 8, 13, 0, 0, 0, time.UTC), // EDT: UTC-4
			mon:  time.Date(2026, 3, 9, 13, 0, 0, 0, time.UTC),
		},
		{
			name: "fall back",
			from: time.Date(2026, 10, 29, 12, 0, 0, 0, ny),
			fri:  time.Date(2026, 10, 30, 13, 0, 0, 0, time.UTC), // EDT
			sun:  time.Date(2026, 11, 1, 14, 0, 0, 0, time.UTC),  // EST
			mon:  time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC),
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				clock := clockAt(tt.from)
				store := newMemStore()
				p := &recordingPoster{clock: clock}
				if err := store.SaveRep(t.Context(), campaign.Rep{Team: "T1", User: "U1", TZ: "America/New_York"}); err != nil {
					t.Fatal(err)
				}
				for _, due := range []time.Time{tt.fri, tt.sun, tt.mon} {
					mustCreate(t, store, campaign.Campaign{Person: "Call " + due.In(ny).Weekday().String(), DueAt: due, TimeGiven: true})
				}
				// Two replicas, to show the morning list still goes out once per day.
				start(t, store, p, scheduler.Config{Now: clock, DefaultLocation: time.UTC})
				start(t, store, p, scheduler.Config{Now: clock, DefaultLocation: time.UTC})
				time.Sleep(5 * 24 * time.Hour) // to Tuesday noon
				synctest.Wait()

				for _, due := range []time.Time{tt.fri, tt.sun, tt.mon} {
					name := "Call " + due.In(ny).Weekday().String()
					at(t, name, p.Posts("with *"+name), due)
				}
				// Morning lists at 08:30 local on Friday, Monday and Tuesday (something is overdue or
				// due each day), none at the weekend.
				var want []time.Time
				for _, d := range []campaign.Date{{Year: tt.fri.Year(), Month: tt.fri.Month(), Day: tt.fri.In(ny).Day()}} {
					want = append(want, d.At(8, 30, ny))
				}
				monDate := campaign.DateOf(tt.mon, ny)
				want = append(want, monDate.At(8, 30, ny), monDate.AddDays(1).At(8, 30, ny))
				at(t, "morning lists", p.Posts(digestText), want...)
			})
		})
	}
}

func TestMorningListContent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := clockAt(tuesday.Add(-time.Hour)) // 07:00
		store := newMemStore()
		p := &recordingPoster{clock: clock}
		if err := store.Qualify(t.Context(), "T1", campaign.Qualification{Company: "Acme"}); err != nil {
			t.Fatal(err)
		}
		monday := tuesday.Add(-24 * time.Hour)
		mustCreate(t, store, campaign.Campaign{Person: "Old Overdue", DueAt: monday.Add(-7 * 24 * time.Hour)})
		mustCreate(t, store, campaign.Campaign{Person: "Lapsing Tonight", DueAt: monday.Add(2 * time.Hour)})
		mustCreate(t, store, campaign.Campaign{Person: "Cold Today", DueAt: tuesday.Add(time.Hour), Temperature: campaign.Cold})
		mustCreate(t, store, campaign.Campaign{Person: "Hot Today", DueAt: tuesday.Add(5 * time.Hour), Temperature: campaign.Hot})
		mustCreate(t, store, campaign.Campaign{Person: "Next Week", DueAt: tuesday.Add(7 * 24 * time.Hour)})
		mustCreate(t, store, campaign.Campaign{Owner: "U2", Person: "Nothing Due", DueAt: tuesday.Add(7 * 24 * time.Hour)})
		start(t, store, p, scheduler.Config{Now: clock})
		time.Sleep(2 * time.Hour)
		synctest.Wait()

		lists := p.Posts(digestText)
		at(t, "morning list", lists, tuesday.Add(30*time.Minute))
		if lists[0].To != "U1" {
			t.Errorf("morning list went to %s, want U1 only (U2 has nothing due)", lists[0].To)
		}
		text := lists[0].Reply.Text
		order := []string{
			"Overdue (1)", "Old Overdue", "Due today (2)", "Hot Today", "Cold Today",
			"Stop counting tonight", "Lapsing Tonight", "Counting: 4", "1 lapsed",
		}
		last := -1
		for _, s := range order {
			i := strings.Index(text, s)
			if i < 0 || i < last {
				t.Fatalf("morning list lacks %q in order %q:\n%s", s, order, text)
			}
			last = i
		}
		if len(lists[0].Reply.Actions) != 2 {
			t.Errorf("actions = %+v, want the two bulk snoozes", lists[0].Reply.Actions)
		}
	})
}

func TestLeaderboardWeekly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := clockAt(tuesday)
		store := newMemStore()
		p := &recordingPoster{clock: clock}
		if err := store.Qualify(t.Context(), "T1", campaign.Qualification{Company: "Acme"}); err != nil {
			t.Fatal(err)
		}
		far := tuesday.Add(60 * 24 * time.Hour)
		for i := range 3 {
			mustCreate(t, store, campaign.Campaign{Owner: "U1", Person: fmt.Sprint("A", i), DueAt: far})
		}
		mustCreate(t, store, campaign.Campaign{Owner: "U2", Person: "B0", DueAt: far})
		if err := store.SaveRep(t.Context(), campaign.Rep{Team: "T1", User: "U3", Start: campaign.Date{Year: 2026, Month: 3, Day: 1}}); err != nil {
			t.Fatal(err)
		}
		cfg := scheduler.Config{Now: clock, TeamChannel: "C1"}
		start(t, store, p, cfg)
		start(t, store, p, cfg)

		time.Sleep(6 * 24 * time.Hour) // to Monday 16 March 08:00
		synctest.Wait()
		if n := len(p.Posts(boardText)); n != 0 {
			t.Fatalf("%d leaderboards before Monday 09:00", n)
		}
		// U2 gains three campaigns during the week, and marks one follow-up done on time.
		for i := range 3 {
			mustCreate(t, store, campaign.Campaign{Owner: "U2", Person: fmt.Sprint("B", i+1), DueAt: far})
		}
		time.Sleep(2 * time.Hour)
		synctest.Wait()
		first := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)
		at(t, "first leaderboard", p.Posts(boardText), first)
		for i := range 2 {
			mustCreate(t, store, campaign.Campaign{Owner: "U2", Person: fmt.Sprint("C", i), DueAt: far})
		}
		if err := store.RecordTouch(t.Context(), "T1", "U2", first.Add(time.Hour), first); err != nil {
			t.Fatal(err)
		}
		time.Sleep(7 * 24 * time.Hour)
		synctest.Wait()
		boards := p.Posts(boardText)
		at(t, "leaderboards", boards, first, first.Add(7*24*time.Hour))
		if boards[0].To != "C1" || boards[0].DM {
			t.Errorf("posted to %+v, want channel C1", boards[0])
		}
		// The second post has two weeks of snapshots to compare, so a chart follows the table;
		// the first has one and goes out as a table alone.
		charts := p.Posts(scheduler.TrendCaption)
		if len(charts) != 1 || charts[0].Reply.File == nil || !bytes.HasPrefix(charts[0].Reply.File.Content, []byte("\x89PNG")) || charts[0].To != "C1" {
			t.Errorf("chart posts = %+v, want one PNG in C1 after the second leaderboard", charts)
		}
		text := boards[1].Reply.Text
		for _, s := range []string{
			"1. <@U2> — *6* counting (+2) · on time 100%", "2. <@U1> — *3* counting (+0)",
			"3. <@U3> — *0* counting (+0) · ramp 0/", "Top movers: <@U2> +2",
		} {
			if !strings.Contains(text, s) {
				t.Errorf("second leaderboard lacks %q:\n%s", s, text)
			}
		}
	})
}

// With the sender rate-limited, a reminder that comes due while 30 morning lists wait goes out
// next, not after them.
func TestRemindersBeforeMorningLists(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := clockAt(tuesday)
		store := newMemStore()
		p := &recordingPoster{clock: clock}
		for i := range 30 {
			mustCreate(t, store, campaign.Campaign{Owner: fmt.Sprint("R", i), Person: "Overdue", DueAt: tuesday.Add(-48 * time.Hour)})
		}
		due := tuesday.Add(30*time.Minute + 5*time.Second)
		mustCreate(t, store, campaign.Campaign{Owner: "Hurry", Person: "Urgent", DueAt: due, TimeGiven: true})
		start(t, store, p, scheduler.Config{Now: clock, SendRate: 1, SendBurst: 1, Senders: 1})
		time.Sleep(time.Hour)
		synctest.Wait()
		lists := p.Posts(digestText)
		if len(lists) < 30 { // Hurry's too, if it is handled once Urgent is due
			t.Fatalf("%d morning lists, want 30 or 31", len(lists))
		}
		if last := lists[len(lists)-1].At; last.Sub(due) < 10*time.Second {
			t.Fatalf("last morning list at %v: the lists did not queue behind the rate limit", last)
		}
		reminder := p.Posts(reminderText)
		if len(reminder) != 1 || reminder[0].At.Sub(due) > 2*time.Second {
			t.Errorf("reminder at %v, due %v: it waited behind the morning lists", times(reminder), due)
		}
	})
}

// slackRateLimited mimics the 429 error a Slack adapter returns.
type slackRateLimited struct{ after time.Duration }

func (e slackRateLimited) Error() string             { return "rate limited" }
func (e slackRateLimited) RetryAfter() time.Duration { return e.after }

func TestRetryAfterAndFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := clockAt(tuesday)
		store := newMemStore()
		p := &recordingPoster{clock: clock}
		failures := map[string]int{"Limited": 1, "Broken": 1}
		p.fail = func(m posted) error {
			for who, n := range failures {
				if strings.Contains(m.Reply.Text, "with *"+who) && n > 0 {
					failures[who]--
					if who == "Limited" {
						return slackRateLimited{after: 7 * time.Second}
					}
					return errors.New("channel_not_found")
				}
			}
			return nil
		}
		due := tuesday.Add(time.Hour)
		mustCreate(t, store, campaign.Campaign{Person: "Limited", DueAt: due, TimeGiven: true})
		mustCreate(t, store, campaign.Campaign{Owner: "U2", Person: "Broken", DueAt: due.Add(time.Minute), TimeGiven: true})
		start(t, store, p, scheduler.Config{Now: clock})
		time.Sleep(2 * time.Hour)
		synctest.Wait()
		at(t, "after Retry-After", p.Posts("with *Limited*"), due.Add(7*time.Second))
		at(t, "after a failure", p.Posts("with *Broken*"), due.Add(6*time.Minute))
	})
}
