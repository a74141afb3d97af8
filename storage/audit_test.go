package storage_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/redis/go-redis/v9"

	"campaignbot/campaign"
	"campaignbot/storage"
	"campaignbot/storage/storagetest"
)

// clockStore is a Store whose clock the test sets through *now.
func clockStore(t *testing.T) (*storage.Store, *redis.Client, *time.Time) {
	t.Helper()
	rdb := storagetest.NewClient(t)
	s := storage.New(rdb)
	now := t0
	s.Now = func() time.Time { return now }
	return s, rdb, &now
}

var ignoreEventID = cmpopts.IgnoreFields(campaign.Event{}, "ID")

func TestAuditRecordsEveryChange(t *testing.T) {
	t.Parallel()
	t1 := t0.Add(time.Hour)
	due := t0.Add(48 * time.Hour) // jane()'s
	tests := []struct {
		name   string
		change func(t *testing.T, s *storage.Store, c campaign.Campaign, now *time.Time) error
		want   []campaign.Event
	}{
		{"created", nil, []campaign.Event{{At: t0, Actor: "U1", Campaign: "1", Kind: campaign.EventCreated, NewDue: due}}},
		{"moved", func(t *testing.T, s *storage.Store, c campaign.Campaign, now *time.Time) error {
			t.Helper()
			c.DueAt = due.Add(72 * time.Hour)
			return s.Save(t.Context(), c)
		}, []campaign.Event{{At: t1, Actor: "U1", Campaign: "1", Kind: campaign.EventMoved, OldDue: due, NewDue: due.Add(72 * time.Hour)}}},
		{"done", func(t *testing.T, s *storage.Store, c campaign.Campaign, now *time.Time) error {
			t.Helper()
			c.LastDoneAt, c.DueAt = t1, t0.Add(7*24*time.Hour)
			return s.Save(t.Context(), c)
		}, []campaign.Event{{At: t1, Actor: "U1", Campaign: "1", Kind: campaign.EventDone, OldDue: due, NewDue: t0.Add(7 * 24 * time.Hour)}}},
		{"done keeping the date", func(t *testing.T, s *storage.Store, c campaign.Campaign, now *time.Time) error {
			t.Helper()
			c.LastDoneAt = t1
			return s.Save(t.Context(), c)
		}, []campaign.Event{{At: t1, Actor: "U1", Campaign: "1", Kind: campaign.EventDone, OldDue: due, NewDue: due}}},
		{"temperature", func(t *testing.T, s *storage.Store, c campaign.Campaign, now *time.Time) error {
			t.Helper()
			c.Temperature = campaign.Hot
			return s.Save(t.Context(), c)
		}, []campaign.Event{{At: t1, Actor: "U1", Campaign: "1", Kind: campaign.EventTemperature, OldTemp: campaign.Warm, NewTemp: campaign.Hot}}},
		{"company", func(t *testing.T, s *storage.Store, c campaign.Campaign, now *time.Time) error {
			t.Helper()
			c.Company = "Globex, a company with a name longer than one sixty-four byte hash chunk"
			return s.Save(t.Context(), c)
		}, []campaign.Event{{
			At: t1, Actor: "U1", Campaign: "1", Kind: campaign.EventCompany, OldCompany: "Acme",
			Company: "Globex, a company with a name longer than one sixty-four byte hash chunk",
		}}},
		{"owner", func(t *testing.T, s *storage.Store, c campaign.Campaign, now *time.Time) error {
			t.Helper()
			c.Owner = "U2"
			return s.Save(t.Context(), c)
		}, []campaign.Event{{At: t1, Actor: "U1", Campaign: "1", Kind: campaign.EventOwner, Owner: "U2"}}},
		{"closed", func(t *testing.T, s *storage.Store, c campaign.Campaign, now *time.Time) error {
			t.Helper()
			c.Status = campaign.Won
			return s.Save(t.Context(), c)
		}, []campaign.Event{{At: t1, Actor: "U1", Campaign: "1", Kind: campaign.EventClosed, Outcome: campaign.Won}}},
		{"reopened with a new date", func(t *testing.T, s *storage.Store, c campaign.Campaign, now *time.Time) error {
			t.Helper()
			*now = t0.Add(time.Minute) // closed outside the window read
			c.Status = campaign.Lost
			if err := s.Save(t.Context(), c); err != nil {
				return err
			}
			*now = t1
			c.Status, c.DueAt = campaign.Active, t1.Add(24*time.Hour)
			return s.Save(t.Context(), c)
		}, []campaign.Event{
			{At: t1, Actor: "U1", Campaign: "1", Kind: campaign.EventMoved, OldDue: due, NewDue: t1.Add(24 * time.Hour)},
			{At: t1, Actor: "U1", Campaign: "1", Kind: campaign.EventReopened, Outcome: campaign.Lost},
		}},
		{"several fields at once", func(t *testing.T, s *storage.Store, c campaign.Campaign, now *time.Time) error {
			t.Helper()
			c.DueAt, c.Temperature = due.Add(-time.Hour), campaign.Cold
			return s.Save(t.Context(), c)
		}, []campaign.Event{
			{At: t1, Actor: "U1", Campaign: "1", Kind: campaign.EventMoved, OldDue: due, NewDue: due.Add(-time.Hour)},
			{At: t1, Actor: "U1", Campaign: "1", Kind: campaign.EventTemperature, OldTemp: campaign.Warm, NewTemp: campaign.Cold},
		}},
		{"channel only: not audited", func(t *testing.T, s *storage.Store, c campaign.Campaign, now *time.Time) error {
			t.Helper()
			c.Channel = campaign.Email
			return s.Save(t.Context(), c)
		}, nil},
		{"note", func(t *testing.T, s *storage.Store, c campaign.Campaign, now *time.Time) error {
			t.Helper()
			return s.AddNote(t.Context(), team, c.ID, campaign.Note{At: t1, Author: "U1", Text: "asked for rates"})
		}, []campaign.Event{{At: t1, Actor: "U1", Campaign: "1", Kind: campaign.EventNote}}},
		{"deleted", func(t *testing.T, s *storage.Store, c campaign.Campaign, now *time.Time) error {
			t.Helper()
			return s.Delete(t.Context(), team, c.ID)
		}, []campaign.Event{{At: t1, Actor: "U1", Campaign: "1", Kind: campaign.EventDeleted}}},
		{"qualified", func(t *testing.T, s *storage.Store, c campaign.Campaign, now *time.Time) error {
			t.Helper()
			return s.Qualify(t.Context(), team, campaign.Qualification{Company: "Acme Inc", Evidence: "uses Kelly", By: "U3", At: t1})
		}, []campaign.Event{{At: t1, Actor: "U3", Kind: campaign.EventQualified, Company: "Acme Inc"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, _, now := clockStore(t)
			c := mustCreate(t, s, jane())
			from := t0
			if tt.change != nil {
				*now, from = t1, t1
				if err := tt.change(t, s, c, now); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.Events(t.Context(), team, from, from.Add(time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, ignoreEventID, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("events at %s (-want +got):\n%s", from.Format(time.TimeOnly), diff)
			}
		})
	}
}

// TestAuditRefusedChangeAppendsNothing: a Save the script refuses (duplicate, missing campaign)
// writes nothing, and that includes the trail.
func TestAuditRefusedChangeAppendsNothing(t *testing.T) {
	t.Parallel()
	s, rdb, now := clockStore(t)
	mustCreate(t, s, jane())
	raj := jane()
	raj.Person = "Raj"
	raj = mustCreate(t, s, raj)
	before := rdb.XLen(t.Context(), storage.AuditKey(team)).Val()
	trail := rdb.HGetAll(t.Context(), storage.TrailKey(team)).Val()
	*now = t0.Add(time.Hour)

	dup := raj
	dup.Person, dup.DueAt = "Jane Smith", t0.Add(96*time.Hour)
	if _, ok := errors.AsType[*campaign.DuplicateError](s.Save(t.Context(), dup)); !ok {
		t.Fatal("Save of a duplicate did not fail with DuplicateError")
	}
	gone := raj
	gone.ID = "zz"
	wantCode(t, s.Save(t.Context(), gone), campaign.NotFound)
	wantCode(t, s.AddNote(t.Context(), team, "zz", campaign.Note{Author: "U1", Text: "x"}), campaign.NotFound)
	wantCode(t, s.Delete(t.Context(), team, "zz"), campaign.NotFound)

	if after := rdb.XLen(t.Context(), storage.AuditKey(team)).Val(); after != before {
		t.Errorf("audit stream grew from %d to %d entries on refused changes", before, after)
	}
	if diff := cmp.Diff(trail, rdb.HGetAll(t.Context(), storage.TrailKey(team)).Val()); diff != "" {
		t.Errorf("trail index changed (-before +after):\n%s", diff)
	}
}

func TestAuditTrimsByAge(t *testing.T) {
	t.Parallel()
	s, rdb, now := clockStore(t)
	s.AuditRetention = 24 * time.Hour
	// Enough events to fill several stream nodes: MINID ~ drops whole nodes only.
	var cs []campaign.Campaign
	for i := range 250 {
		c := jane()
		c.Person = fmt.Sprint("Person ", i)
		cs = append(cs, mustCreate(t, s, c))
	}
	*now = t0.Add(48 * time.Hour)
	c := cs[0]
	c.DueAt = c.DueAt.Add(time.Hour)
	mustSave(t, s, c)

	if n := rdb.XLen(t.Context(), storage.AuditKey(team)).Val(); n >= 251 || n < 1 {
		t.Errorf("stream has %d entries after trimming, want fewer than 251", n)
	}
	// What the approximate trim leaves behind is not shown either.
	got, err := s.Events(t.Context(), team, t0.Add(-time.Hour), *now)
	if err != nil || len(got) != 0 {
		t.Errorf("Events before the retention = %v, %v; want none", got, err)
	}
	h, err := s.History(t.Context(), team, c.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 1 || h[0].Kind != campaign.EventMoved {
		t.Errorf("History after trimming = %v, want the move only", h)
	}
	// The campaign's own stamps are trimmed as it changes.
	if v := rdb.HGet(t.Context(), storage.TrailKey(team), c.ID).Val(); len(v) != 13 {
		t.Errorf("trail index of #%s = %q, want one stamp", c.ID, v)
	}
}

func TestHistory(t *testing.T) {
	t.Parallel()
	s, _, now := clockStore(t)
	c := mustCreate(t, s, jane())
	other := jane()
	other.Person = "Raj" // created at the same millisecond: must not leak into Jane's history
	other = mustCreate(t, s, other)
	var want []campaign.Event
	want = append(want, campaign.Event{At: t0, Actor: "U1", Campaign: c.ID, Kind: campaign.EventCreated, NewDue: c.DueAt})
	for i := range 5 {
		*now = t0.Add(time.Duration(i+1) * time.Minute)
		old := c.DueAt
		c.DueAt = c.DueAt.Add(24 * time.Hour)
		mustSave(t, s, c)
		want = append(want, campaign.Event{At: *now, Actor: "U1", Campaign: c.ID, Kind: campaign.EventMoved, OldDue: old, NewDue: c.DueAt})
	}
	// A clock behind the stream (another replica's) is stamped at the stream's newest time, so
	// the trail stays ordered.
	*now = t0
	if err := s.AddNote(t.Context(), team, c.ID, campaign.Note{At: t0, Author: "U1", Text: "late clock"}); err != nil {
		t.Fatal(err)
	}
	want = append(want, campaign.Event{At: t0.Add(5 * time.Minute), Actor: "U1", Campaign: c.ID, Kind: campaign.EventNote})
	other.Temperature = campaign.Hot
	mustSave(t, s, other)
	for i, j := 0, len(want)-1; i < j; i, j = i+1, j-1 {
		want[i], want[j] = want[j], want[i] // newest first
	}

	for _, tt := range []struct {
		limit int
		want  []campaign.Event
	}{{0, want}, {20, want}, {3, want[:3]}, {1, want[:1]}} {
		t.Run(fmt.Sprint("limit ", tt.limit), func(t *testing.T) {
			got, err := s.History(t.Context(), team, "#"+c.ID, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, ignoreEventID); diff != "" {
				t.Errorf("History(limit %d) (-want +got):\n%s", tt.limit, diff)
			}
		})
	}
	_, err := s.History(t.Context(), team, "zz", 5)
	wantCode(t, err, campaign.NotFound)
}

// TestOnTimeFromTrail checks OnTime against hand-computed weeks. U1 works in Los Angeles
// (UTC−8 in January), U2 has no zone and is reckoned in UTC. 2026-W02 is Mon 5 – Sun 11 January.
func TestOnTimeFromTrail(t *testing.T) {
	t.Parallel()
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	at := func(loc *time.Location, d, h, m int) time.Time {
		return time.Date(2026, time.January, d, h, m, 0, 0, loc)
	}
	dones := []struct {
		user      string
		due, done time.Time
		note      string
	}{
		{"U1", at(la, 5, 9, 0), at(la, 4, 23, 0), "W01 in LA though Mon 07:00 UTC; on time"},
		{"U1", at(la, 7, 9, 0), at(la, 7, 20, 0), "W02, on time in LA (Thu 04:00 UTC would be late)"},
		{"U2", at(time.UTC, 5, 9, 0), at(time.UTC, 11, 23, 59), "W02, late"},
		{"U2", at(time.UTC, 12, 9, 0), at(time.UTC, 12, 0, 30), "W03, on time"},
		{"U1", at(la, 9, 10, 0), at(la, 11, 23, 0), "W02 in LA though Mon 07:00 UTC; late"},
		{"U1", at(la, 12, 9, 0), at(la, 11, 23, 30), "W02, done early: on time"},
	}
	s, _, now := clockStore(t)
	*now = at(time.UTC, 1, 12, 0)
	if err := s.SaveRep(t.Context(), campaign.Rep{Team: team, User: "U1", TZ: "America/Los_Angeles"}); err != nil {
		t.Fatal(err)
	}
	var cs []campaign.Campaign
	for i, d := range dones {
		cs = append(cs, mustCreate(t, s, campaign.Campaign{Team: team, Owner: d.user, Person: fmt.Sprint("P", i), DueAt: d.due}))
	}
	for i, d := range dones {
		if i > 0 && d.done.Before(dones[i-1].done) {
			t.Fatalf("fixture %d (%s) is out of time order", i, d.note) // the trail would restamp it
		}
		*now = d.done
		c := cs[i]
		c.LastDoneAt, c.DueAt = d.done, d.done.Add(7*24*time.Hour)
		mustSave(t, s, c)
		c.DueAt = c.DueAt.Add(time.Hour) // a move is not a follow-up done
		mustSave(t, s, c)
	}
	for _, tt := range []struct {
		week         string
		done, onTime map[string]int
	}{
		{"2026-W01", map[string]int{"U1": 1}, map[string]int{"U1": 1}},
		{"2026-W02", map[string]int{"U1": 3, "U2": 1}, map[string]int{"U1": 2}},
		{"2026-W03", map[string]int{"U2": 1}, map[string]int{"U2": 1}},
		{"2026-W10", map[string]int{}, map[string]int{}},
	} {
		done, onTime, err := s.OnTime(t.Context(), team, tt.week)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.done, done); diff != "" {
			t.Errorf("OnTime(%s) done (-want +got):\n%s", tt.week, diff)
		}
		if diff := cmp.Diff(tt.onTime, onTime); diff != "" {
			t.Errorf("OnTime(%s) on time (-want +got):\n%s", tt.week, diff)
		}
	}
	for _, bad := range []string{"2025-W53", "2026-W00", "W02", ""} {
		if _, _, err := s.OnTime(t.Context(), team, bad); err == nil {
			t.Errorf("OnTime(%q) succeeded", bad)
		}
	}
}

// BenchmarkAuditBytesPerEvent reports what the trail costs: used_memory growth per event over
// 20,000 moves spread over 2,000 campaigns (stream entry plus the campaign's trail stamp).
func BenchmarkAuditBytesPerEvent(b *testing.B) {
	rdb := storagetest.NewClient(b)
	s := storage.New(rdb)
	now := t0
	s.Now = func() time.Time { return now }
	ctx := b.Context()
	var perEvent float64
	for b.Loop() {
		b.StopTimer()
		rdb.FlushAll(ctx)
		cs := fleet(20, 100)
		if err := storage.CreateMany(ctx, s, cs, nil); err != nil {
			b.Fatal(err)
		}
		open, err := s.OpenAll(ctx, benchTeam)
		if err != nil {
			b.Fatal(err)
		}
		var all []campaign.Campaign
		for _, v := range open {
			all = append(all, v...)
		}
		before := usedMemory(b, rdb)
		b.StartTimer()
		moves := 0
		for round := range 10 {
			for _, c := range all {
				now = now.Add(time.Second) // a rep's pace: one change per second across the team
				c.DueAt = c.DueAt.Add(time.Duration(round+1) * time.Hour)
				if err := s.Save(ctx, c); err != nil {
					b.Fatal(err)
				}
				moves++
			}
		}
		b.StopTimer()
		perEvent = float64(usedMemory(b, rdb)-before) / float64(moves)
		b.Logf("MEMORY USAGE: audit stream %.1f B/entry over %d entries, trail index %.1f B/campaign",
			float64(rdb.MemoryUsage(ctx, storage.AuditKey(benchTeam), 0).Val())/float64(rdb.XLen(ctx, storage.AuditKey(benchTeam)).Val()),
			rdb.XLen(ctx, storage.AuditKey(benchTeam)).Val(),
			float64(rdb.MemoryUsage(ctx, storage.TrailKey(benchTeam), 0).Val())/float64(len(all)))
		b.StartTimer()
	}
	b.ReportMetric(perEvent, "B/event")
	b.ReportMetric(0, "ns/op")
}
