package storage_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"campaignbot/campaign"
	"campaignbot/storage"
	"campaignbot/storage/storagetest"
)

const team = "T01"

// t0 is the pinned clock of every test store.
var t0 = time.Date(2026, 3, 9, 15, 4, 5, 0, time.UTC)

// newStore returns a Store on a private redis-server, and a raw client to inspect its keys.
func newStore(t *testing.T) (*storage.Store, *redis.Client) {
	t.Helper()
	rdb := storagetest.NewClient(t)
	s := storage.New(rdb)
	s.Now = func() time.Time { return t0 }
	return s, rdb
}

// jane returns a valid open campaign owned by U1; tests change what they need.
func jane() campaign.Campaign {
	return campaign.Campaign{
		Team: team, Owner: "U1", Person: "Jane Smith", Company: "Acme",
		Temperature: campaign.Warm, Channel: campaign.Call, Status: campaign.Active,
		DueAt: t0.Add(48 * time.Hour), TimeGiven: true,
	}
}

func mustCreate(t *testing.T, s *storage.Store, c campaign.Campaign) campaign.Campaign {
	t.Helper()
	got, err := s.Create(t.Context(), c, nil)
	if err != nil {
		t.Fatalf("Create(%s at %s): %v", c.Person, c.Company, err)
	}
	return got
}

func checkIndexes(t *testing.T, rdb *redis.Client, dueMayLack bool) {
	t.Helper()
	if err := storage.CheckIndexes(t.Context(), rdb, team, dueMayLack); err != nil {
		t.Errorf("indexes inconsistent:\n%v", err)
	}
}

// snapshot returns every key with its DUMP and TTL, so two snapshots are equal only if nothing
// changed byte for byte.
func snapshot(t *testing.T, rdb *redis.Client) map[string]string {
	t.Helper()
	ctx := t.Context()
	out := map[string]string{}
	iter := rdb.Scan(ctx, 0, "*", 100).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		out[k] = rdb.Dump(ctx, k).Val() + fmt.Sprint(rdb.PTTL(ctx, k).Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func wantCode(t *testing.T, err error, code campaign.Code) {
	t.Helper()
	if got := campaign.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

func TestCreateGet(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Ångström-", 11) + "x"     // 100 characters, 111 bytes
	longCo := strings.Repeat("北京科技有限公司", 12) + "集团有限" // 100 characters, 300 bytes
	tests := []struct {
		name string
		in   func(c *campaign.Campaign)
	}{
		{"all fields", func(c *campaign.Campaign) { c.LastDoneAt = t0.Add(-time.Hour) }},
		{"no company", func(c *campaign.Campaign) { c.Company = "" }},
		{"zero temperature and channel", func(c *campaign.Campaign) { c.Channel = ""; c.TimeGiven = false }},
		{"long person", func(c *campaign.Campaign) { c.Person = long }},
		{"long company", func(c *campaign.Campaign) { c.Company = longCo }},
		{"exactly one chunk", func(c *campaign.Campaign) { c.Person = strings.Repeat("a", 64) }},
		{"nanoseconds and zone", func(c *campaign.Campaign) {
			c.DueAt = time.Date(2026, 3, 10, 9, 0, 0, 123456789, time.FixedZone("X", 3600))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, rdb := newStore(t)
			in := jane()
			tt.in(&in)
			created, err := s.Create(t.Context(), in, nil)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			want := in
			want.ID = "1"
			want.DueAt = time.UnixMilli(in.DueAt.UnixMilli()).UTC()
			want.CreatedAt, want.UpdatedAt = t0, t0
			if !in.LastDoneAt.IsZero() {
				want.LastDoneAt = in.LastDoneAt.UTC()
			}
			if want.Temperature == "" {
				want.Temperature = campaign.Cold
			}
			if diff := cmp.Diff(want, created); diff != "" {
				t.Errorf("Create returned (-want +got):\n%s", diff)
			}
			got, err := s.Get(t.Context(), team, "#1")
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if diff := cmp.Diff(created, got); diff != "" {
				t.Errorf("Get (-created +got):\n%s", diff)
			}
			// Long text is chunked so the hash keeps its compact encoding.
			if enc := rdb.ObjectEncoding(t.Context(), storage.CampaignKey(team, "1")).Val(); enc != "listpack" {
				t.Errorf("campaign hash encoding = %q, want listpack", enc)
			}
			checkIndexes(t, rdb, false)
		})
	}
}

func TestCreateDefaults(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	in := jane()
	in.Status, in.Temperature = "", ""
	in.CreatedAt = t0.Add(-24 * time.Hour) // an import keeps its creation time
	got := mustCreate(t, s, in)
	if got.Status != campaign.Active || got.Temperature != campaign.Cold {
		t.Errorf("status, temperature = %q, %q; want active, cold", got.Status, got.Temperature)
	}
	if !got.CreatedAt.Equal(in.CreatedAt) || !got.UpdatedAt.Equal(t0) {
		t.Errorf("created, updated = %v, %v; want %v, %v", got.CreatedAt, got.UpdatedAt, in.CreatedAt, t0)
	}
}

func TestCreateIDs(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	var ids []string
	for i := range 38 {
		c := jane()
		c.Person = fmt.Sprintf("Person %d", i)
		ids = append(ids, mustCreate(t, s, c).ID)
	}
	want := strings.Split("1 2 3 4 5 6 7 8 9 a b c d e f g h i j k l m n o p q r s t u v w x y z 10 11 12", " ")
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("IDs (-want +got):\n%s", diff)
	}
	// Other teams count on their own.
	c := jane()
	c.Team = "T02"
	if got := mustCreate(t, s, c).ID; got != "1" {
		t.Errorf("first ID of another team = %q, want 1", got)
	}
}

func TestCreateDuplicate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		second  func(c *campaign.Campaign)
		wantDup bool
	}{
		{"identical", func(c *campaign.Campaign) {}, true},
		{"case and spacing", func(c *campaign.Campaign) { c.Person, c.Company = "  jane   SMITH ", "ACME" }, true},
		{"Inc suffix", func(c *campaign.Campaign) { c.Company = "Acme, Inc." }, true},
		{"LLC suffix", func(c *campaign.Campaign) { c.Company = "acme llc" }, true},
		{"Corp suffix", func(c *campaign.Campaign) { c.Company = "Acme Corp" }, true},
		{"other due and temperature", func(c *campaign.Campaign) { c.DueAt = t0.Add(time.Hour); c.Temperature = campaign.Hot }, true},
		{"same person at another company", func(c *campaign.Campaign) { c.Company = "Globex" }, false},
		{"same person without company", func(c *campaign.Campaign) { c.Company = "" }, false},
		{"another person at the same company", func(c *campaign.Campaign) { c.Person = "Jane Smyth" }, false},
		{"another owner", func(c *campaign.Campaign) { c.Owner = "U2" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, rdb := newStore(t)
			first := mustCreate(t, s, jane())
			second := jane()
			tt.second(&second)
			before := snapshot(t, rdb)
			_, err := s.Create(t.Context(), second, &campaign.Note{At: t0, Author: "U1", Text: "hi"})
			dup, isDup := errors.AsType[*campaign.DuplicateError](err)
			switch {
			case tt.wantDup && !isDup:
				t.Fatalf("Create = %v, want DuplicateError", err)
			case tt.wantDup:
				if dup.ID != first.ID {
					t.Errorf("DuplicateError.ID = %q, want %q", dup.ID, first.ID)
				}
				if diff := cmp.Diff(before, snapshot(t, rdb)); diff != "" {
					t.Errorf("a refused Create changed keys (-before +after):\n%s", diff)
				}
			case err != nil:
				t.Fatalf("Create = %v, want success", err)
			}
			checkIndexes(t, rdb, false)
		})
	}
}

func TestCreateAfterClose(t *testing.T) {
	t.Parallel()
	s, rdb := newStore(t)
	c := mustCreate(t, s, jane())
	c.Status = campaign.Won
	if err := s.Save(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	// A closed campaign no longer guards its name: the rep may court Jane again.
	if _, err := s.Create(t.Context(), jane(), nil); err != nil {
		t.Fatalf("Create after closing the first: %v", err)
	}
	checkIndexes(t, rdb, false)
}

func TestCreateInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       func(c *campaign.Campaign)
		wantCode campaign.Code // "" means an internal error
	}{
		{"no person", func(c *campaign.Campaign) { c.Person = " - " }, campaign.Invalid},
		{"person too long", func(c *campaign.Campaign) { c.Person = strings.Repeat("x", 101) }, campaign.Invalid},
		{"company too long", func(c *campaign.Campaign) { c.Company = strings.Repeat("x", 101) }, campaign.Invalid},
		{"closed", func(c *campaign.Campaign) { c.Status = campaign.Lost }, ""},
		{"no due time", func(c *campaign.Campaign) { c.DueAt = time.Time{} }, ""},
		{"no team", func(c *campaign.Campaign) { c.Team = "" }, ""},
		{"no owner", func(c *campaign.Campaign) { c.Owner = "" }, ""},
		{"brace in team", func(c *campaign.Campaign) { c.Team = "T}{" }, ""},
	}
	s, rdb := newStore(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := jane()
			tt.in(&c)
			_, err := s.Create(t.Context(), c, nil)
			if err == nil {
				t.Fatal("Create succeeded, want an error")
			}
			if got := campaign.ErrorCode(err); got != tt.wantCode {
				t.Errorf("Create error %v has code %q, want %q", err, got, tt.wantCode)
			}
		})
	}
	if keys := rdb.Keys(t.Context(), "*").Val(); len(keys) != 0 {
		t.Errorf("refused creates wrote %q", keys)
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	s, _ := newStore(t)
	mustCreate(t, s, jane())
	ghost := jane()
	ghost.ID = "zz"
	tests := []struct {
		name string
		call func() error
	}{
		{"Get", func() error { _, err := s.Get(t.Context(), team, "zz"); return err }},
		{"Get with hash and caps", func() error { _, err := s.Get(t.Context(), team, "#ZZ"); return err }},
		{"Get key injection", func() error { _, err := s.Get(t.Context(), team, "1:x"); return err }},
		{"Get empty", func() error { _, err := s.Get(t.Context(), team, "#"); return err }},
		{"Get other team", func() error { _, err := s.Get(t.Context(), "T02", "1"); return err }},
		{"Save", func() error { return s.Save(t.Context(), ghost) }},
		{"Delete", func() error { return s.Delete(t.Context(), team, "zz") }},
		{"AddNote", func() error { return s.AddNote(t.Context(), team, "zz", campaign.Note{Text: "x"}) }},
		{"Notes", func() error { _, err := s.Notes(t.Context(), team, "zz", 5); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, tt.call(), campaign.NotFound)
		})
	}
	_, err := s.Get(t.Context(), team, "#ZZ")
	if want := "I don't have a campaign #zz."; err.Error() != want {
		t.Errorf("message = %q, want %q", err, want)
	}
}

// TestCreateOverStaleNameEntry: a name-index entry whose campaign is gone or closed guards
// nothing (the scripts never leave one, but an operator's manual fix might).
func TestCreateOverStaleNameEntry(t *testing.T) {
	t.Parallel()
	s, rdb := newStore(t)
	c := jane()
	rdb.HSet(t.Context(), storage.NameIndexKey(team, "U1"), storage.NameField(c.Person, c.Company), "zz")
	got, err := s.Create(t.Context(), c, nil)
	if err != nil {
		t.Fatalf("Create over a stale entry: %v", err)
	}
	if v := rdb.HGet(t.Context(), storage.NameIndexKey(team, "U1"), storage.NameField(c.Person, c.Company)).Val(); v != got.ID {
		t.Errorf("name index entry = %q, want %q", v, got.ID)
	}
	checkIndexes(t, rdb, false)
}
