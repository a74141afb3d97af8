package storage_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"campaignbot/campaign"
	"campaignbot/storage"
)

// importBatch is two open campaigns of U1 (one with notes), a closed one of U2, and a
// qualification for Acme.
func importBatch() ([]campaign.Campaign, [][]campaign.Note, []campaign.Qualification) {
	bob := jane()
	bob.Person, bob.Company, bob.TimeGiven = "Bob Jones", "Globex", false
	won := jane()
	won.Owner, won.Person, won.Status, won.DueAt = "U2", "Raj Patel", campaign.Won, time.Time{}
	won.CreatedAt, won.UpdatedAt = t0.Add(-72*time.Hour), t0.Add(-24*time.Hour)
	notes := [][]campaign.Note{
		{{At: t0.Add(-time.Hour), Author: "U1", Text: "met at the fair"}, {At: t0, Author: "U1", Text: "line one\nline two"}},
		nil,
		{{At: t0.Add(-24 * time.Hour), Author: "U2", Text: "signed"}},
	}
	quals := []campaign.Qualification{{Company: "Acme", Evidence: "uses Robert Half", By: "U1", At: t0}}
	return []campaign.Campaign{jane(), bob, won}, notes, quals
}

func TestImportWritesEverything(t *testing.T) {
	t.Parallel()
	s, rdb := newStore(t)
	ctx := t.Context()
	batch, notes, quals := importBatch()
	ids, err := s.Import(ctx, team, batch, notes, quals)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if diff := cmp.Diff([]string{"1", "2", "3"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	checkIndexes(t, rdb, false)

	for i, id := range ids {
		want := batch[i]
		want.ID, want.Temperature = id, campaign.Warm
		if want.CreatedAt.IsZero() {
			want.CreatedAt, want.UpdatedAt = t0, t0
		}
		got, err := s.Get(ctx, team, id)
		if err != nil {
			t.Fatalf("Get(%s): %v", id, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("campaign %s (-want +got):\n%s", id, diff)
		}
		gotNotes, err := s.Notes(ctx, team, id, 0)
		if err != nil {
			t.Fatalf("Notes(%s): %v", id, err)
		}
		wantNotes := notes[i]
		if wantNotes == nil {
			wantNotes = []campaign.Note{}
		}
		if diff := cmp.Diff(wantNotes, gotNotes); diff != "" {
			t.Errorf("notes of %s (-want +got):\n%s", id, diff)
		}
	}
	if got := rdb.HGet(ctx, storage.ClosedIndexKey(team, "U2"), "3").Val(); got != fmt.Sprint(t0.Add(-24*time.Hour).UnixMilli()) {
		t.Errorf("closed index entry of #3 = %q, want its UpdatedAt", got)
	}
	q, err := s.Qualified(ctx, team)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]campaign.Qualification{"acme": quals[0]}, q); diff != "" {
		t.Errorf("qualified (-want +got):\n%s", diff)
	}
	reps, err := s.Reps(ctx, team)
	if err != nil || len(reps) != 2 {
		t.Errorf("Reps = %v, %v; want U1 and U2", reps, err)
	}

	// Each imported campaign's history starts with its import, audited as created by its owner.
	for i, id := range ids {
		h, err := s.History(ctx, team, id, 0)
		if err != nil {
			t.Fatalf("History(%s): %v", id, err)
		}
		if len(h) != 1 || h[0].Kind != campaign.EventCreated || h[0].Actor != batch[i].Owner || !h[0].At.Equal(t0) {
			t.Errorf("history of imported #%s = %+v, want one created event by %s", id, h, batch[i].Owner)
		}
	}

	// IDs continue from the batch, so a rep's next logged campaign does not collide.
	next := jane()
	next.Person = "Ann Lee"
	if c := mustCreate(t, s, next); c.ID != "4" {
		t.Errorf("next Create got ID %q, want 4", c.ID)
	}
}

// TestImportRefusesWholeBatch checks that a batch the store must refuse leaves Redis byte for
// byte as it was, whichever record is at fault.
func TestImportRefusesWholeBatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		edit   func(batch []campaign.Campaign) []campaign.Campaign
		wantID string // the DuplicateError's ID, or "" for another error
	}{
		{"open duplicate of a stored campaign", func(b []campaign.Campaign) []campaign.Campaign {
			dup := jane()
			dup.Person = "JANE  smith" // same PersonKey
			return append(b, dup)
		}, "1"},
		{"duplicate inside the batch", func(b []campaign.Campaign) []campaign.Campaign {
			return append(b, b[0])
		}, ""},
		{"no person", func(b []campaign.Campaign) []campaign.Campaign {
			b[1].Person = " "
			return b
		}, ""},
		{"open without a due time", func(b []campaign.Campaign) []campaign.Campaign {
			b[0].DueAt = time.Time{}
			return b
		}, ""},
		{"owner breaks the hash tag", func(b []campaign.Campaign) []campaign.Campaign {
			b[0].Owner = "U{1}"
			return b
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, rdb := newStore(t)
			mustCreate(t, s, jane())
			before := snapshot(t, rdb)
			batch, _, quals := importBatch()
			batch = tt.edit(batch[1:]) // bob (open) and raj (won); jane is already stored
			_, err := s.Import(t.Context(), team, batch, nil, quals)
			if err == nil {
				t.Fatal("Import succeeded, want an error")
			}
			dup, isDup := errors.AsType[*campaign.DuplicateError](err)
			switch {
			case tt.wantID != "" && (!isDup || dup.ID != tt.wantID):
				t.Errorf("Import error = %v, want duplicate of #%s", err, tt.wantID)
			case tt.wantID == "" && isDup:
				t.Errorf("Import error = %v, want a non-duplicate error", err)
			}
			if diff := cmp.Diff(before, snapshot(t, rdb)); diff != "" {
				t.Errorf("refused import changed Redis (-before +after):\n%s", diff)
			}
		})
	}
}

func TestImportKeepsEarlierQualification(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := t.Context()
	old := campaign.Qualification{Company: "ACME Inc.", Evidence: "uses Kelly", By: "U9", At: t0.Add(-time.Hour)}
	if err := s.Qualify(ctx, team, old); err != nil {
		t.Fatal(err)
	}
	newer := campaign.Qualification{Company: "Acme", Evidence: "imported", By: "U1", At: t0}
	other := campaign.Qualification{Company: "Globex", Evidence: "imported", By: "U1", At: t0}
	if _, err := s.Import(ctx, team, nil, nil, []campaign.Qualification{newer, other, other}); err != nil {
		t.Fatalf("Import: %v", err)
	}
	got, err := s.Qualified(ctx, team)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]campaign.Qualification{"acme": old, "globex": other}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("qualified (-want +got):\n%s", diff)
	}
}

func TestImportNotesKeepNewest(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	var notes []campaign.Note
	for i := range 100 {
		notes = append(notes, campaign.Note{At: t0.Add(time.Duration(i) * time.Minute), Author: "U1", Text: fmt.Sprintf("%03d %s", i, strings.Repeat("x", 990))})
	}
	ids, err := s.Import(t.Context(), team, []campaign.Campaign{jane()}, [][]campaign.Note{notes}, nil)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	got, err := s.Notes(t.Context(), team, ids[0], 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || len(got) >= len(notes) || got[len(got)-1].Text != notes[len(notes)-1].Text {
		t.Errorf("kept %d of %d notes ending %q; want the newest ones within the store's bound", len(got), len(notes), got[len(got)-1].Text[:3])
	}
}

func TestAllAndNotesOf(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	ctx := t.Context()
	batch, notes, _ := importBatch()
	batch[0].CreatedAt = t0.Add(time.Hour) // jane after bob in creation order
	ids, err := s.Import(ctx, team, batch, notes, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A campaign closed through Save is in the closed index too.
	bob, err := s.Get(ctx, team, ids[1])
	if err != nil {
		t.Fatal(err)
	}
	bob.Status = campaign.Lost
	if err := s.Save(ctx, bob); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		owner string
		want  []string
	}{
		{"", []string{ids[1], ids[0], ids[2]}}, // U1 by creation, then U2
		{"U1", []string{ids[1], ids[0]}},
		{"U2", []string{ids[2]}},
		{"U3", nil},
	} {
		cs, err := s.All(ctx, team, tt.owner)
		if err != nil {
			t.Fatalf("All(%q): %v", tt.owner, err)
		}
		var got []string
		for _, c := range cs {
			got = append(got, c.ID)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("All(%q) IDs (-want +got):\n%s", tt.owner, diff)
		}
	}

	got, err := s.NotesOf(ctx, team, []string{ids[0], ids[1], "zzz"})
	if err != nil {
		t.Fatalf("NotesOf: %v", err)
	}
	want := [][]campaign.Note{notes[0], {}, {}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NotesOf (-want +got):\n%s", diff)
	}
}

// BenchmarkImportBatch writes 10,000 campaigns per iteration, each a fresh batch for a new owner
// so none is a duplicate; it reports campaigns written per second.
func BenchmarkImportBatch(b *testing.B) {
	s, _ := benchStore(b)
	const n = 10_000
	batch := fleet(1, n)
	note := [][]campaign.Note{}
	for range batch {
		note = append(note, []campaign.Note{{At: t0, Author: "U1", Text: "imported"}})
	}
	b.ReportAllocs()
	round := 0
	for b.Loop() {
		round++
		for i := range batch {
			batch[i].Owner = fmt.Sprintf("U%d", round)
		}
		if _, err := s.Import(b.Context(), benchTeam, batch, note, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}
