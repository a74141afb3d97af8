package storage_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"campaignbot/campaign"
	"campaignbot/storage"
)

// dueScore returns id's score in the due ZSET, or -1 when it is not there.
func dueScore(t *testing.T, rdb *redis.Client, id string) int64 {
	t.Helper()
	v, err := rdb.ZScore(t.Context(), storage.DueKey(team), id).Result()
	if errors.Is(err, redis.Nil) {
		return -1
	}
	if err != nil {
		t.Fatal(err)
	}
	return int64(v)
}

func mustSave(t *testing.T, s *storage.Store, c campaign.Campaign) {
	t.Helper()
	if err := s.Save(t.Context(), c); err != nil {
		t.Fatalf("Save(#%s): %v", c.ID, err)
	}
}

func TestSaveRoundTrip(t *testing.T) {
	t.Parallel()
	s, rdb := newStore(t)
	c := mustCreate(t, s, jane())
	c.Person = strings.Repeat("Bartholomew ", 8) // 96 bytes: two chunks
	c.Company = ""
	c.Temperature = campaign.Hot
	c.Channel = ""
	c.TimeGiven = false
	c.LastDoneAt = t0.Add(-time.Minute)
	s.Now = func() time.Time { return t0.Add(time.Hour) }
	mustSave(t, s, c)
	got, err := s.Get(t.Context(), team, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := c
	want.UpdatedAt = t0.Add(time.Hour)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Get after Save (-want +got):\n%s", diff)
	}
	// Shrinking the name again must drop its second chunk, not leave it glued on.
	c.Person = "Bart"
	mustSave(t, s, c)
	if got, _ := s.Get(t.Context(), team, c.ID); got.Person != "Bart" {
		t.Errorf("person after shrinking = %q, want Bart", got.Person)
	}
	checkIndexes(t, rdb, false)
}

func TestSaveKeepsForeignFields(t *testing.T) {
	t.Parallel()
	s, rdb := newStore(t)
	c := mustCreate(t, s, jane())
	key := storage.CampaignKey(team, c.ID)
	rdb.HSet(t.Context(), key, "lease", "replica-1") // a field the scheduler might keep
	c.Temperature = campaign.Hot
	mustSave(t, s, c)
	if v := rdb.HGet(t.Context(), key, "lease").Val(); v != "replica-1" {
		t.Errorf("scheduler field after Save = %q, want it kept", v)
	}
}

func TestSaveDue(t *testing.T) {
	t.Parallel()
	s, rdb := newStore(t)
	c := mustCreate(t, s, jane())
	if got, want := dueScore(t, rdb, c.ID), c.DueAt.UnixMilli(); got != want {
		t.Fatalf("due after Create = %d, want %d", got, want)
	}

	// The scheduler claimed the reminder; an edit that keeps DueAt must not re-arm it.
	rdb.ZRem(t.Context(), storage.DueKey(team), c.ID)
	c.Temperature = campaign.Hot
	mustSave(t, s, c)
	if got := dueScore(t, rdb, c.ID); got != -1 {
		t.Errorf("due after an edit that kept DueAt = %d, want not re-armed", got)
	}
	checkIndexes(t, rdb, true)

	// Moving it re-arms it, and the rep index follows.
	c.DueAt = c.DueAt.Add(72 * time.Hour)
	mustSave(t, s, c)
	if got, want := dueScore(t, rdb, c.ID), c.DueAt.UnixMilli(); got != want {
		t.Errorf("due after moving = %d, want %d", got, want)
	}
	checkIndexes(t, rdb, false)
}

func TestSaveCloseAndReopen(t *testing.T) {
	t.Parallel()
	for _, status := range []campaign.Status{campaign.Won, campaign.Lost, campaign.Left} {
		t.Run(string(status), func(t *testing.T) {
			t.Parallel()
			s, rdb := newStore(t)
			c := mustCreate(t, s, jane())
			other := jane()
			other.Person = "Raj"
			mustCreate(t, s, other)

			c.Status = status
			mustSave(t, s, c)
			checkIndexes(t, rdb, false)
			if got := dueScore(t, rdb, c.ID); got != -1 {
				t.Errorf("closed campaign still due at %d", got)
			}
			closedAt := rdb.HGet(t.Context(), storage.ClosedIndexKey(team, "U1"), c.ID).Val()
			if want := t0.UnixMilli(); closedAt != strconv.FormatInt(want, 10) {
				t.Errorf("closed index value = %q, want %d", closedAt, want)
			}
			open, err := s.Open(t.Context(), team, "U1")
			if err != nil {
				t.Fatal(err)
			}
			if len(open) != 1 || open[0].Person != "Raj" {
				t.Errorf("Open after closing Jane = %v, want only Raj", open)
			}

			// Editing a closed campaign keeps it closed and out of due.
			c.Temperature = campaign.Hot
			mustSave(t, s, c)
			checkIndexes(t, rdb, false)

			c.Status = campaign.Active
			mustSave(t, s, c)
			checkIndexes(t, rdb, false)
			if got := dueScore(t, rdb, c.ID); got != c.DueAt.UnixMilli() {
				t.Errorf("reopened campaign due = %d, want %d", got, c.DueAt.UnixMilli())
			}
		})
	}
}

func TestSaveMovesName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(c *campaign.Campaign)
	}{
		{"person", func(c *campaign.Campaign) { c.Person = "Janet Smith" }},
		{"company", func(c *campaign.Campaign) { c.Company = "Globex" }},
		{"company added", func(c *campaign.Campaign) { c.Company = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, rdb := newStore(t)
			c := mustCreate(t, s, jane())
			tt.change(&c)
			mustSave(t, s, c)
			checkIndexes(t, rdb, false)
			// The old name is free again, the new one is guarded.
			if _, err := s.Create(t.Context(), jane(), nil); err != nil {
				t.Errorf("Create with the old name: %v", err)
			}
			again := jane()
			again.Person, again.Company = c.Person, c.Company
			if _, err := s.Create(t.Context(), again, nil); !isDuplicateOf(err, c.ID) {
				t.Errorf("Create with the new name = %v, want DuplicateError{%s}", err, c.ID)
			}
			checkIndexes(t, rdb, false)
		})
	}
}

func isDuplicateOf(err error, id string) bool {
	dup, ok := errors.AsType[*campaign.DuplicateError](err)
	return ok && dup.ID == id
}

func TestSaveDuplicateWritesNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(c *campaign.Campaign)
	}{
		{"rename onto another", func(c *campaign.Campaign) { c.Person = "jane smith"; c.Company = "ACME Inc" }},
		{"rename and move", func(c *campaign.Campaign) { c.Person = "Jane Smith"; c.DueAt = c.DueAt.Add(time.Hour) }},
		{"reopen onto another", func(c *campaign.Campaign) { c.Person = "Jane Smith"; c.Status = campaign.Active }},
		{"hand to a rep who has her", func(c *campaign.Campaign) { c.Owner = "U2" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, rdb := newStore(t)
			janeID := mustCreate(t, s, jane()).ID
			raj := jane()
			raj.Person = "Raj"
			raj = mustCreate(t, s, raj)
			u2 := jane()
			u2.Owner = "U2"
			u2.Person = "Raj"
			mustCreate(t, s, u2)
			if strings.HasPrefix(tt.name, "reopen") {
				raj.Status = campaign.Lost
				mustSave(t, s, raj)
				raj.Status = ""
			}
			want := janeID
			if tt.name == "hand to a rep who has her" {
				want = "3"
			}
			before := snapshot(t, rdb)
			tt.change(&raj)
			if err := s.Save(t.Context(), raj); !isDuplicateOf(err, want) {
				t.Fatalf("Save = %v, want DuplicateError{%s}", err, want)
			}
			if diff := cmp.Diff(before, snapshot(t, rdb)); diff != "" {
				t.Errorf("a refused Save changed keys (-before +after):\n%s", diff)
			}
		})
	}
}

func TestSaveOwner(t *testing.T) {
	t.Parallel()
	s, rdb := newStore(t)
	c := mustCreate(t, s, jane())
	c.Owner = "U2"
	mustSave(t, s, c)
	checkIndexes(t, rdb, false)
	for owner, want := range map[string]int{"U1": 0, "U2": 1} {
		if got, _ := s.Open(t.Context(), team, owner); len(got) != want {
			t.Errorf("Open(%s) has %d campaigns, want %d", owner, len(got), want)
		}
	}
	// A closed campaign handed over moves its closed-index entry too.
	c.Status = campaign.Won
	mustSave(t, s, c)
	c.Owner = "U3"
	mustSave(t, s, c)
	checkIndexes(t, rdb, false)
}

func TestWake(t *testing.T) {
	t.Parallel()
	s, rdb := newStore(t)
	sub := rdb.Subscribe(t.Context(), storage.WakeChannel)
	defer func() { _ = sub.Close() }()
	if _, err := sub.Receive(t.Context()); err != nil { // the subscription confirmation
		t.Fatal(err)
	}
	msgs := sub.Channel()
	expect := func(what string, want bool) {
		t.Helper()
		select {
		case m := <-msgs:
			if !want {
				t.Errorf("%s: woke with %q, want no wake", what, m.Payload)
			} else if m.Payload != team {
				t.Errorf("%s: woke with %q, want %q", what, m.Payload, team)
			}
		case <-time.After(200 * time.Millisecond):
			if want {
				t.Errorf("%s: no wake", what)
			}
		}
	}
	c := mustCreate(t, s, jane())
	expect("first campaign", true)
	later := jane()
	later.Person = "Raj"
	later.DueAt = c.DueAt.Add(time.Hour)
	later = mustCreate(t, s, later)
	expect("later campaign", false)
	later.DueAt = c.DueAt.Add(-time.Hour)
	mustSave(t, s, later)
	expect("moved to the head", true)
	later.Temperature = campaign.Hot
	mustSave(t, s, later)
	expect("unchanged due", false)
}

func TestDelete(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, s *storage.Store, c campaign.Campaign)
	}{
		{"open", func(t *testing.T, s *storage.Store, c campaign.Campaign) { t.Helper() }},
		{"closed", func(t *testing.T, s *storage.Store, c campaign.Campaign) {
			t.Helper()
			c.Status = campaign.Won
			mustSave(t, s, c)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, rdb := newStore(t)
			keep := jane()
			keep.Person = "Raj"
			mustCreate(t, s, keep)
			before := snapshot(t, rdb)
			c, err := s.Create(t.Context(), jane(), &campaign.Note{At: t0, Author: "U1", Text: "met at expo"})
			if err != nil {
				t.Fatal(err)
			}
			tt.setup(t, s, c)
			if err := s.Delete(t.Context(), team, "#"+c.ID); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			// Everything but the ID counter, the closed-index key and the audit stream (which
			// keeps the deletion) is as before the Create.
			after := snapshot(t, rdb)
			for _, k := range []string{"cb:{T01}:seq", storage.ClosedIndexKey(team, "U1"), storage.AuditKey(team)} {
				delete(before, k)
				delete(after, k)
			}
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("Delete left keys behind (-before +after):\n%s", diff)
			}
			if n := rdb.HLen(t.Context(), storage.ClosedIndexKey(team, "U1")).Val(); n != 0 {
				t.Errorf("closed index has %d entries after Delete", n)
			}
			wantCode(t, s.Delete(t.Context(), team, c.ID), campaign.NotFound)
			checkIndexes(t, rdb, false)
		})
	}
}

// TestClosedLeavesScheduler checks that closing or deleting a campaign whose reminder the
// scheduler holds (leased, or held back for a rep on PTO) withdraws it there too, so it is
// neither sent nor put back in due by lease recovery.
func TestClosedLeavesScheduler(t *testing.T) {
	t.Parallel()
	end := map[string]func(s *storage.Store, c campaign.Campaign) error{
		"close": func(s *storage.Store, c campaign.Campaign) error {
			c.Status = campaign.Won
			return s.Save(t.Context(), c)
		},
		"delete": func(s *storage.Store, c campaign.Campaign) error { return s.Delete(t.Context(), team, c.ID) },
	}
	for name, fn := range end {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, rdb := newStore(t)
			ctx := t.Context()
			c := mustCreate(t, s, jane())
			rdb.ZRem(ctx, storage.DueKey(team), c.ID) // as a claim does
			rdb.ZAdd(ctx, storage.LeaseKey(team), redis.Z{Score: 1, Member: c.ID})
			rdb.HSet(ctx, storage.ClaimKey(team), c.ID, "tok|1")
			rdb.ZAdd(ctx, storage.HeldKey(team, "U1"), redis.Z{Score: 1, Member: c.ID})
			if err := fn(s, c); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{storage.LeaseKey(team), storage.ClaimKey(team), storage.HeldKey(team, "U1")} {
				if n := rdb.Exists(ctx, k).Val(); n != 0 {
					t.Errorf("%s still exists after %s", k, name)
				}
			}
		})
	}
}
