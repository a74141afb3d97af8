//go:build cluster

// The storage suite on a real Redis Cluster. scripts/test starts three masters, sets
// CB_REDIS_CLUSTER and runs: go test -tags cluster -run Cluster ./storage. Every script must
// find all its keys in one slot (the workspace's {team} hash tag), so any key built outside
// keys.go would show up here as a CROSSSLOT error.

package storage_test

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"campaignbot/campaign"
	"campaignbot/storage"
)

// clusterT0 is a Wednesday afternoon, far from any week boundary in any zone.
var clusterT0 = time.Date(2026, 3, 11, 15, 0, 0, 0, time.UTC)

func clusterAddrs(t *testing.T) []string {
	t.Helper()
	v := os.Getenv("CB_REDIS_CLUSTER")
	if v == "" {
		t.Fatal("CB_REDIS_CLUSTER is not set: run ./scripts/test, which starts a 3-node Redis Cluster and sets it")
	}
	return strings.Split(v, ",")
}

func newClusterClient(t *testing.T) *redis.ClusterClient {
	t.Helper()
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: clusterAddrs(t)})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// newClusterStore returns a Store on the cluster with its clock at clusterT0.
func newClusterStore(t *testing.T) *storage.Store {
	t.Helper()
	s := storage.New(redis.NewClusterClient(&redis.ClusterOptions{Addrs: clusterAddrs(t)}))
	s.Now = func() time.Time { return clusterT0 }
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// must fails the test on err, saying so plainly when it is the error this suite exists for.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if strings.Contains(err.Error(), "CROSSSLOT") || strings.Contains(err.Error(), "non local key") {
		t.Fatalf("%s touched keys in more than one slot: %v", what, err)
	}
	t.Fatalf("%s: %v", what, err)
}

// spreadTeams returns n fresh team IDs (unique to this run) whose hash tags live on n different
// masters, so one test exercises every node.
func spreadTeams(t *testing.T, rdb *redis.ClusterClient, n int) []string {
	t.Helper()
	ctx := t.Context()
	slots, err := rdb.ClusterSlots(ctx).Result()
	must(t, "CLUSTER SLOTS", err)
	owner := func(slot int64) string {
		for _, r := range slots {
			if int64(r.Start) <= slot && slot <= int64(r.End) {
				return r.Nodes[0].Addr
			}
		}
		return ""
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	run := "TC" + strings.ToUpper(hex.EncodeToString(b[:]))
	seen := map[string]bool{}
	var teams []string
	for i := 0; len(teams) < n && i < 1000; i++ {
		team := run + string(rune('A'+i%26)) + strings.Repeat("X", i/26)
		slot, err := rdb.ClusterKeySlot(ctx, "cb:{"+team+"}:due").Result()
		must(t, "CLUSTER KEYSLOT", err)
		if node := owner(slot); node != "" && !seen[node] {
			seen[node] = true
			teams = append(teams, team)
		}
	}
	if len(teams) < n {
		t.Fatalf("found teams on %d masters, want %d: is the cluster up with %d masters?", len(teams), n, n)
	}
	return teams
}

func TestClusterStorageSuite(t *testing.T) {
	rdb := newClusterClient(t)
	for _, team := range spreadTeams(t, rdb, 3) {
		t.Run(team, func(t *testing.T) {
			t.Parallel()
			clusterSuite(t, newClusterStore(t), team)
		})
	}
}

// clusterSuite runs every operation that uses Lua, and the reads beside them, in one workspace.
func clusterSuite(t *testing.T, s *storage.Store, team string) {
	ctx := t.Context()
	due := clusterT0.Add(-time.Minute)

	// Create, with a first note, and its duplicate guard.
	jane := campaign.Campaign{
		Team: team, Owner: "U1", Person: "Jane Smith", Company: "Acme",
		Temperature: campaign.Warm, DueAt: due, TimeGiven: true,
	}
	c, err := s.Create(ctx, jane, &campaign.Note{At: clusterT0, Author: "U1", Text: "met at the expo"})
	must(t, "Create", err)
	if _, err := s.Create(ctx, jane, nil); !isDuplicate(err) {
		t.Errorf("second Create = %v, want a DuplicateError", err)
	}
	got, err := s.Get(ctx, team, c.ID)
	must(t, "Get", err)
	if got.Person != "Jane Smith" || got.Company != "Acme" || !got.DueAt.Equal(due) {
		t.Errorf("Get = %+v, want Jane Smith at Acme due %v", got, due)
	}

	// The scheduler's life cycle: claim, a replica dies, another recovers and sends once.
	claimed, _, _, err := s.ClaimDue(ctx, team, "dead", clusterT0, 10*time.Second, 10, 10)
	must(t, "ClaimDue", err)
	if diff := cmp.Diff(map[string]time.Time{c.ID: due}, claimed); diff != "" {
		t.Errorf("claimed (-want +got):\n%s", diff)
	}
	later := clusterT0.Add(11 * time.Second)
	claimed, _, recovered, err := s.ClaimDue(ctx, team, "live", later, 10*time.Second, 10, 10)
	must(t, "ClaimDue after the lease expired", err)
	if recovered != 1 || len(claimed) != 1 {
		t.Errorf("recovery: recovered %d, claimed %v; want 1 and the campaign", recovered, claimed)
	}
	occ := "r:" + c.ID + ":1"
	ok, err := s.BeginSend(ctx, team, c.ID, "live", occ, later, 10*time.Second)
	must(t, "BeginSend", err)
	if !ok {
		t.Error("BeginSend by the holder = false")
	}
	must(t, "AckSend", s.AckSend(ctx, team, c.ID, "live", occ, time.Hour, time.Time{}))
	if ok, err := s.BeginSend(ctx, team, c.ID, "live", occ, later, 10*time.Second); err != nil || ok {
		t.Errorf("BeginSend after the ack = %v, %v; want false", ok, err)
	}
	must(t, "ArmJob", s.ArmJob(ctx, team, "d:U1", later.Add(time.Hour)))
	claimed, _, _, err = s.ClaimDue(ctx, team, "job", later.Add(2*time.Hour), time.Minute, 0, 10)
	must(t, "ClaimDue of a job", err)
	must(t, "DeferClaim", s.DeferClaim(ctx, team, "d:U1", "job", later.Add(3*time.Hour)))
	claimed, _, _, err = s.ClaimDue(ctx, team, "job2", later.Add(4*time.Hour), time.Minute, 0, 10)
	must(t, "ClaimDue of a deferred job", err)
	must(t, "ReleaseClaims", s.ReleaseClaims(ctx, team, "job2", slices.Collect(maps.Keys(claimed))))
	_, err = s.UnarmedReps(ctx, team, "d:")
	must(t, "UnarmedReps", err)

	// Save with every kind of change, then the trail the scripts appended.
	now := clusterT0
	s.Now = func() time.Time { return now }
	steps := []struct {
		name   string
		change func(c *campaign.Campaign)
	}{
		{"moved", func(c *campaign.Campaign) { c.DueAt = due.Add(72 * time.Hour) }},
		{"done", func(c *campaign.Campaign) { c.LastDoneAt, c.DueAt = now, due.Add(7*24*time.Hour) }},
		{"temperature", func(c *campaign.Campaign) { c.Temperature = campaign.Hot }},
		{"company", func(c *campaign.Campaign) { c.Company = "Globex" }},
		{"owner", func(c *campaign.Campaign) { c.Owner = "U2" }},
		{"closed", func(c *campaign.Campaign) { c.Status = campaign.Won }},
		{"reopened", func(c *campaign.Campaign) { c.Status = campaign.Active }},
	}
	for i, st := range steps {
		now = clusterT0.Add(time.Duration(i+1) * time.Minute)
		cur, err := s.Get(ctx, team, c.ID)
		must(t, "Get before "+st.name, err)
		st.change(&cur)
		must(t, "Save "+st.name, s.Save(ctx, cur))
	}
	now = clusterT0.Add(10 * time.Minute)
	must(t, "AddNote", s.AddNote(ctx, team, c.ID, campaign.Note{At: now, Author: "U2", Text: "asked for rates"}))
	notes, err := s.Notes(ctx, team, c.ID, 10)
	must(t, "Notes", err)
	if len(notes) != 2 {
		t.Errorf("Notes = %d, want 2", len(notes))
	}
	hist, err := s.History(ctx, team, c.ID, 0)
	must(t, "History", err)
	var kinds []campaign.EventKind
	for _, e := range hist {
		kinds = append(kinds, e.Kind)
	}
	slices.Reverse(kinds) // History is newest first
	wantKinds := []campaign.EventKind{
		campaign.EventCreated, campaign.EventMoved, campaign.EventDone,
		campaign.EventTemperature, campaign.EventCompany, campaign.EventOwner, campaign.EventClosed,
		campaign.EventReopened, campaign.EventNote,
	}
	if diff := cmp.Diff(wantKinds, kinds); diff != "" {
		t.Errorf("History kinds, oldest first (-want +got):\n%s", diff)
	}
	done, onTime, err := s.OnTime(ctx, team, campaign.ISOWeek(clusterT0))
	must(t, "OnTime", err)
	if done["U1"] != 1 || onTime["U1"] != 1 {
		t.Errorf("OnTime = done %v, on time %v; want U1 1 and 1", done, onTime)
	}

	// Qualify, Import (all-or-nothing, so its batch runs as one script), and the reads.
	must(t, "Qualify", s.Qualify(ctx, team, campaign.Qualification{Company: "Globex", Evidence: "uses Kelly", By: "U2", At: now}))
	q, err := s.Qualified(ctx, team)
	must(t, "Qualified", err)
	if _, ok := q[campaign.CompanyKey("Globex")]; !ok {
		t.Errorf("Qualified = %v, want Globex", q)
	}
	batch := []campaign.Campaign{
		{Team: team, Owner: "U3", Person: "Raj Patel", Company: "Initech", DueAt: clusterT0.Add(time.Hour)},
		{Team: team, Owner: "U3", Person: "Ana Lima", Company: "Umbrella", DueAt: clusterT0.Add(2 * time.Hour)},
	}
	ids, err := s.Import(ctx, team, batch, [][]campaign.Note{{{At: now, Author: "U3", Text: "imported"}}, nil},
		[]campaign.Qualification{{Company: "Initech", Evidence: "csv", By: "U3", At: now}})
	must(t, "Import", err)
	if len(ids) != 2 {
		t.Errorf("Import IDs = %v, want 2", ids)
	}
	open, err := s.OpenAll(ctx, team)
	must(t, "OpenAll", err)
	if len(open["U2"]) != 1 || len(open["U3"]) != 2 {
		t.Errorf("OpenAll = %d for U2, %d for U3; want 1 and 2", len(open["U2"]), len(open["U3"]))
	}

	// Event dedupe and Delete.
	for i, want := range []bool{true, false} {
		first, err := s.FirstDelivery(ctx, team, "Ev0001")
		must(t, "FirstDelivery", err)
		if first != want {
			t.Errorf("FirstDelivery call %d = %v, want %v", i+1, first, want)
		}
	}
	must(t, "Delete", s.Delete(ctx, team, ids[1]))
	if _, err := s.Get(ctx, team, ids[1]); campaign.ErrorCode(err) != campaign.NotFound {
		t.Errorf("Get after Delete = %v, want NotFound", err)
	}
}

func isDuplicate(err error) bool {
	_, ok := errors.AsType[*campaign.DuplicateError](err)
	return ok
}

// TestClusterWakeAndOldestDue: the wake-up hint published by a script on one master reaches a
// subscriber connected anywhere (classic pub/sub is cluster-wide), and OldestDue reads the
// heads of workspaces on every master in one call.
func TestClusterWakeAndOldestDue(t *testing.T) {
	rdb := newClusterClient(t)
	teams := spreadTeams(t, rdb, 3)
	s := newClusterStore(t)
	ctx := t.Context()
	wake, stop := s.Wake(ctx)
	defer func() { _ = stop() }()
	// next returns the next wake-up for one of teams or the subscription's "". Hints from other
	// tests can still be crossing the cluster bus; they are skipped.
	deadline := time.After(10 * time.Second)
	next := func() string {
		t.Helper()
		for {
			select {
			case team := <-wake:
				if team == "" || slices.Contains(teams, team) {
					return team
				}
			case <-deadline:
				t.Fatal("no wake-up within 10 s")
				return ""
			}
		}
	}
	if got := next(); got != "" {
		t.Fatalf("first wake-up = %q, want the subscription's empty hint", got)
	}
	for i, team := range teams {
		at := clusterT0.Add(time.Duration(i-10) * time.Hour) // teams[0] is the oldest
		_, err := s.Create(ctx, campaign.Campaign{Team: team, Owner: "U1", Person: "Lee Chan", Company: "Hooli", DueAt: at}, nil)
		must(t, "Create", err)
		if got := next(); got != team {
			t.Errorf("wake-up after Create in %s = %q", team, got)
		}
	}
	oldest, err := s.OldestDue(ctx)
	must(t, "OldestDue", err)
	if want := clusterT0.Add(-10 * time.Hour); oldest.After(want) {
		t.Errorf("OldestDue = %v, want %v or earlier", oldest, want)
	}
}

// TestClusterOpenURL: REDIS_URL with the redis+cluster scheme gives a cluster client.
func TestClusterOpenURL(t *testing.T) {
	addrs := clusterAddrs(t)
	u := "redis+cluster://" + addrs[0]
	for i, a := range addrs[1:] {
		sep := "&"
		if i == 0 {
			sep = "?"
		}
		u += sep + "addr=" + a
	}
	s, err := storage.Open(t.Context(), storage.Options{URL: u}, slog.New(slog.DiscardHandler))
	must(t, "Open "+u, err)
	defer func() { _ = s.Close() }()
	rdb := newClusterClient(t)
	for _, team := range spreadTeams(t, rdb, 3) {
		_, err := s.Create(t.Context(), campaign.Campaign{
			Team: team, Owner: "U1", Person: "Kim Park",
			Company: "Stark", DueAt: clusterT0,
		}, nil)
		must(t, "Create through Open", err)
	}
}
