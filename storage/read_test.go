package storage_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"campaignbot/campaign"
	"campaignbot/storage"
	"campaignbot/storage/storagetest"
)

func TestOpen(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	// Created out of order; two share a due time, which orders by ID.
	dues := map[string]time.Duration{"Ann": 3, "Bob": 1, "Cy": 2, "Di": 1, "Ed": 5}
	for _, p := range []string{"Ann", "Bob", "Cy", "Di", "Ed"} {
		c := jane()
		c.Person = p
		c.DueAt = t0.Add(dues[p] * time.Hour)
		mustCreate(t, s, c)
	}
	other := jane()
	other.Owner = "U2"
	mustCreate(t, s, other)
	closed, _ := s.Get(t.Context(), team, "5") // Ed
	closed.Status = campaign.Lost
	mustSave(t, s, closed)

	got, err := s.Open(t.Context(), team, "U1")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range got {
		names = append(names, c.Person)
	}
	if diff := cmp.Diff([]string{"Bob", "Di", "Cy", "Ann"}, names); diff != "" {
		t.Errorf("Open order (-want +got):\n%s", diff)
	}
	if none, err := s.Open(t.Context(), team, "U9"); err != nil || len(none) != 0 {
		t.Errorf("Open(unknown rep) = %v, %v; want none", none, err)
	}

	all, err := s.OpenAll(t.Context(), team)
	if err != nil {
		t.Fatal(err)
	}
	u2, _ := s.Open(t.Context(), team, "U2")
	if diff := cmp.Diff(map[string][]campaign.Campaign{"U1": got, "U2": u2}, all); diff != "" {
		t.Errorf("OpenAll (-want +got):\n%s", diff)
	}
}

func TestNotes(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	first := campaign.Note{At: t0, Author: "U1", Text: "met at the expo"}
	c, err := s.Create(t.Context(), jane(), &first)
	if err != nil {
		t.Fatal(err)
	}
	bare := jane()
	bare.Person = "Raj"
	bare = mustCreate(t, s, bare)
	want := []campaign.Note{first}
	for i := range 4 {
		n := campaign.Note{
			At: t0.Add(time.Duration(i+1) * time.Hour), Author: "U2",
			Text: fmt.Sprintf("note %d: tabs\tand\x1f separators | \"quotes\" <@U1>", i),
		}
		if err := s.AddNote(t.Context(), team, c.ID, n); err != nil {
			t.Fatal(err)
		}
		want = append(want, n)
	}
	tests := []struct {
		name  string
		id    string
		limit int
		want  []campaign.Note
	}{
		{"all", c.ID, 0, want},
		{"more than there are", c.ID, 10, want},
		{"last two, oldest first", "#" + c.ID, 2, want[3:]},
		{"none yet", bare.ID, 5, []campaign.Note{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Notes(t.Context(), team, tt.id, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Notes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNotesBounded(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	c := mustCreate(t, s, jane())
	text := strings.Repeat("x", 1000)
	for i := range 40 { // 40 KB of notes
		if err := s.AddNote(t.Context(), team, c.ID, campaign.Note{At: t0, Text: fmt.Sprintf("%02d%s", i, text)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Notes(t.Context(), team, c.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	first, last := got[0].Text[:2], got[len(got)-1].Text[:2]
	if len(got) < 25 || len(got) > 33 || last != "39" || first != fmt.Sprintf("%02d", 40-len(got)) {
		t.Errorf("kept %d notes from %s to %s; want about 32 KB ending at 39", len(got), first, last)
	}
	// A single note longer than the bound is still kept whole: it is the newest.
	huge := strings.Repeat("y", 40<<10)
	if err := s.AddNote(t.Context(), team, c.ID, campaign.Note{At: t0, Text: huge}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Notes(t.Context(), team, c.ID, 0); err != nil || len(got) != 1 || got[0].Text != huge {
		t.Errorf("after a huge note: %d notes, %v", len(got), err)
	}
}

func TestQualify(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := t.Context()
	for _, q := range []campaign.Qualification{
		{Company: "Acme", Evidence: "uses Robert Half", By: "U1", At: t0},
		{Company: "Globex Corp.", Evidence: "Kelly", By: "U2", At: t0},
		{Company: "ACME, Inc.", Evidence: "uses Robert Half and Adecco", By: "U2", At: t0.Add(time.Hour)},
	} {
		if err := s.Qualify(ctx, team, q); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, s.Qualify(ctx, team, campaign.Qualification{Company: " , "}), campaign.Invalid)
	got, err := s.Qualified(ctx, team)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]campaign.Qualification{
		"acme":   {Company: "ACME, Inc.", Evidence: "uses Robert Half and Adecco", By: "U2", At: t0.Add(time.Hour)},
		"globex": {Company: "Globex Corp.", Evidence: "Kelly", By: "U2", At: t0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Qualified (-want +got):\n%s", diff)
	}
	if other, err := s.Qualified(ctx, "T02"); err != nil || len(other) != 0 {
		t.Errorf("Qualified(other team) = %v, %v; want none", other, err)
	}
}

func TestReps(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := t.Context()
	empty, err := s.Rep(ctx, team, "U1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(campaign.Rep{Team: team, User: "U1"}, empty); diff != "" {
		t.Errorf("Rep with no profile (-want +got):\n%s", diff)
	}
	full := campaign.Rep{
		Team: team, User: "U2", TZ: "America/Chicago", Start: campaign.Date{Year: 2026, Month: 2, Day: 2},
		DayStart: 7 * 60, DayEnd: 16 * 60, DigestAt: 7*60 + 15, AwayUntil: t0.Add(72 * time.Hour),
	}
	if err := s.SaveRep(ctx, full); err != nil {
		t.Fatal(err)
	}
	got, err := s.Rep(ctx, team, "U2")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(full, got); diff != "" {
		t.Errorf("Rep after SaveRep (-want +got):\n%s", diff)
	}
	// Saving again replaces: cleared fields are gone.
	if err := s.SaveRep(ctx, campaign.Rep{Team: team, User: "U2", TZ: "Europe/Berlin"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Rep(ctx, team, "U2"); got != (campaign.Rep{Team: team, User: "U2", TZ: "Europe/Berlin"}) {
		t.Errorf("Rep after clearing = %+v", got)
	}
	if err := s.SaveRep(ctx, campaign.Rep{Team: team}); err == nil {
		t.Error("SaveRep without a user succeeded")
	}

	// A rep with only a campaign is listed too, with an empty profile.
	c := jane()
	c.Owner = "U0"
	mustCreate(t, s, c)
	reps, err := s.Reps(ctx, team)
	if err != nil {
		t.Fatal(err)
	}
	want := []campaign.Rep{{Team: team, User: "U0"}, {Team: team, User: "U2", TZ: "Europe/Berlin"}}
	if diff := cmp.Diff(want, reps); diff != "" {
		t.Errorf("Reps (-want +got):\n%s", diff)
	}
	if none, err := s.Reps(ctx, "T02"); err != nil || len(none) != 0 {
		t.Errorf("Reps(other team) = %v, %v; want none", none, err)
	}
}

func TestTeams(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := t.Context()
	if got, err := s.Teams(ctx); err != nil || len(got) != 0 {
		t.Fatalf("Teams on an empty store = %v, %v", got, err)
	}
	c := jane()
	c.Team = "T09"
	mustCreate(t, s, c)
	mustCreate(t, s, jane())
	if err := s.SaveRep(ctx, campaign.Rep{Team: "T05", User: "U1"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Teams(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"T01", "T05", "T09"}, got); diff != "" {
		t.Errorf("Teams (-want +got):\n%s", diff)
	}
}

func TestFirstDelivery(t *testing.T) {
	t.Parallel()
	s, rdb := newStore(t)
	ctx := t.Context()
	for _, tt := range []struct {
		team, event string
		want        bool
	}{
		{team, "Ev1", true},
		{team, "Ev1", false},
		{team, "Ev2", true},
		{"T02", "Ev1", true},
	} {
		got, err := s.FirstDelivery(ctx, tt.team, tt.event)
		if err != nil || got != tt.want {
			t.Errorf("FirstDelivery(%s, %s) = %v, %v; want %v", tt.team, tt.event, got, err, tt.want)
		}
	}
	ttl := rdb.TTL(ctx, "cb:{T01}:evt:Ev1").Val()
	if ttl <= 59*time.Minute || ttl > time.Hour {
		t.Errorf("event key TTL = %v, want about an hour", ttl)
	}
}

// TestCreateInterrupted cancels Creates at random points of their round trip, as a client that
// dies mid-call would. A script runs whole or not at all, so the indexes must stay consistent and
// every campaign that exists must be complete.
func TestCreateInterrupted(t *testing.T) {
	t.Parallel()
	s, rdb := newStore(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	outcomes := map[string]int{}
	for w := range 4 {
		wg.Go(func() {
			for i := range 50 {
				c := jane()
				c.Person = fmt.Sprintf("P%d-%d", w, i%30) // repeats exercise the duplicate path
				ctx, cancel := context.WithTimeout(t.Context(), time.Duration(i*7%120)*time.Microsecond)
				_, err := s.Create(ctx, c, &campaign.Note{At: t0, Text: "first"})
				cancel()
				var dup *campaign.DuplicateError
				outcome := "ok"
				switch {
				case errors.As(err, &dup):
					outcome = "duplicate"
				case err != nil && ctx.Err() != nil:
					outcome = "interrupted"
				case err != nil:
					t.Errorf("Create: %v", err)
				}
				mu.Lock()
				outcomes[outcome]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	t.Logf("outcomes: %v", outcomes)
	if outcomes["interrupted"] == 0 || outcomes["ok"] == 0 {
		t.Errorf("outcomes %v: want both completed and interrupted creates", outcomes)
	}
	checkIndexes(t, rdb, false)
	open, err := s.Open(t.Context(), team, "U1")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range open {
		if n, err := s.Notes(t.Context(), team, c.ID, 0); err != nil || len(n) != 1 {
			t.Errorf("#%s has notes %v, %v; want its first note", c.ID, n, err)
		}
	}
	if len(open) > 4*30 {
		t.Errorf("%d open campaigns for 120 distinct names: the duplicate guard leaked", len(open))
	}
}

// TestFaultyConnection runs every write against a Redis that went away: each must fail with an
// internal error (never a rep-facing one), and nothing is half-written when it comes back.
func TestFaultyConnection(t *testing.T) {
	t.Parallel()
	srv := storagetest.Start(t)
	ctx := t.Context()
	s, err := storage.Open(ctx, storage.Options{URL: srv.URL()}, discard())
	if err != nil {
		t.Fatal(err)
	}
	c := mustCreate(t, s, jane())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	calls := map[string]error{
		"Create":        func() error { _, err := s.Create(ctx, jane(), nil); return err }(),
		"Save":          s.Save(ctx, c),
		"Delete":        s.Delete(ctx, team, c.ID),
		"Get":           func() error { _, err := s.Get(ctx, team, c.ID); return err }(),
		"FirstDelivery": func() error { _, err := s.FirstDelivery(ctx, team, "E"); return err }(),
	}
	for name, err := range calls {
		if err == nil || campaign.ErrorCode(err) != "" {
			t.Errorf("%s on a closed store = %v, want an internal error", name, err)
		}
	}
}
