package storage_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"campaignbot/campaign"
	"campaignbot/storage"
	"campaignbot/storage/storagetest"
)

var schedT0 = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// newScheduleStore returns a Store on a private redis-server with n campaigns of team T1 due
// one minute apart from schedT0, and their IDs in due order.
func newScheduleStore(t *testing.T, n int) (*storage.Store, []string) {
	t.Helper()
	s := storage.New(storagetest.NewClient(t))
	s.Now = func() time.Time { return schedT0.Add(-time.Hour) }
	var ids []string
	for i := range n {
		c, err := s.Create(t.Context(), campaign.Campaign{
			Team: "T1", Owner: "U1", Person: "Person " + string(rune('A'+i)),
			Company: "Acme", DueAt: schedT0.Add(time.Duration(i) * time.Minute),
		}, nil)
		if err != nil {
			t.Fatalf("Create: %v", err)
		}
		ids = append(ids, c.ID)
	}
	return s, ids
}

func keys(m map[string]time.Time) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func mustClaim(t *testing.T, s *storage.Store, token string, now time.Time, lease time.Duration, dueLimit, jobLimit int) (map[string]time.Time, time.Time) {
	t.Helper()
	got, head, _, err := s.ClaimDue(t.Context(), "T1", token, now, lease, dueLimit, jobLimit)
	if err != nil {
		t.Fatalf("ClaimDue: %v", err)
	}
	return got, head
}

func TestScheduleClaimOnlyDue(t *testing.T) {
	t.Parallel()
	s, ids := newScheduleStore(t, 3)
	got, head := mustClaim(t, s, "a", schedT0.Add(time.Minute), 30*time.Second, 100, 100)
	want := map[string]time.Time{ids[0]: schedT0, ids[1]: schedT0.Add(time.Minute)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("claimed (-want +got):\n%s", diff)
	}
	// The head is now the third campaign, before the leases (now+30s) expire.
	if want := schedT0.Add(time.Minute + 30*time.Second); !head.Equal(want) {
		t.Errorf("head = %v, want lease expiry %v", head, want)
	}
	// A second replica finds nothing left to claim.
	if got, _ := mustClaim(t, s, "b", schedT0.Add(time.Minute), 30*time.Second, 100, 100); len(got) != 0 {
		t.Errorf("second claim got %v, want nothing", keys(got))
	}
}

func TestScheduleBeginAckOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, ids := newScheduleStore(t, 1)
	now := schedT0
	mustClaim(t, s, "a", now, 30*time.Second, 10, 10)
	occ := "r:" + ids[0] + ":1"
	ok, err := s.BeginSend(ctx, "T1", ids[0], "a", occ, now, 30*time.Second)
	if err != nil || !ok {
		t.Fatalf("BeginSend = %v, %v; want true", ok, err)
	}
	if ok, _ := s.BeginSend(ctx, "T1", ids[0], "b", occ, now, 30*time.Second); ok {
		t.Error("BeginSend with another token = true, want false")
	}
	if err := s.AckSend(ctx, "T1", ids[0], "a", occ, time.Hour, time.Time{}); err != nil {
		t.Fatal(err)
	}
	// Nothing is left: not due, not leased.
	if got, head := mustClaim(t, s, "c", now.Add(time.Hour), time.Minute, 10, 10); len(got) != 0 || !head.IsZero() {
		t.Errorf("after ack: claimed %v, head %v; want nothing", keys(got), head)
	}
}

// A replica dies holding a lease; after expiry another replica recovers and sends it. If the
// first replica had in fact delivered and acked late, the occurrence marker stops the resend.
func TestScheduleRecoverAndIdempotency(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, ids := newScheduleStore(t, 1)
	id := ids[0]
	occ := "r:" + id + ":1"
	mustClaim(t, s, "dead", schedT0, 10*time.Second, 10, 10)
	if got, _ := mustClaim(t, s, "b", schedT0.Add(9*time.Second), 10*time.Second, 10, 10); len(got) != 0 {
		t.Fatalf("claimed %v before the lease expired", keys(got))
	}
	later := schedT0.Add(11 * time.Second)
	got, _, recovered, err := s.ClaimDue(ctx, "T1", "b", later, 10*time.Second, 10, 10)
	if err != nil {
		t.Fatalf("ClaimDue: %v", err)
	}
	if want := map[string]time.Time{id: schedT0}; !cmp.Equal(want, got) {
		t.Fatalf("recovered claim = %v, want %v with its original due time", got, want)
	}
	if recovered != 1 {
		t.Errorf("ClaimDue recovered = %d, want 1", recovered)
	}
	// The dead replica's token no longer holds the lease.
	if ok, _ := s.BeginSend(ctx, "T1", id, "dead", occ, later, 10*time.Second); ok {
		t.Error("BeginSend by the expired holder = true, want false")
	}
	// The old holder acks a delivery it made after all: recorded although its lease is gone...
	if err := s.AckSend(ctx, "T1", id, "dead", occ, time.Hour, time.Time{}); err != nil {
		t.Fatal(err)
	}
	// ...so the new holder must not send it again.
	if ok, _ := s.BeginSend(ctx, "T1", id, "b", occ, later, 10*time.Second); ok {
		t.Error("BeginSend of a delivered occurrence = true, want false")
	}
	if err := s.AckSend(ctx, "T1", id, "b", "", 0, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got, head := mustClaim(t, s, "c", later.Add(time.Hour), time.Minute, 10, 10); len(got) != 0 || !head.IsZero() {
		t.Errorf("after finish: claimed %v, head %v; want nothing", keys(got), head)
	}
}

func TestScheduleDeferReleaseAndRearm(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, ids := newScheduleStore(t, 2)
	now := schedT0.Add(time.Minute)
	mustClaim(t, s, "a", now, time.Minute, 10, 10)
	monday := schedT0.Add(72 * time.Hour)
	if err := s.DeferClaim(ctx, "T1", ids[0], "a", monday); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseClaims(ctx, "T1", "a", []string{ids[1]}); err != nil {
		t.Fatal(err)
	}
	got, _ := mustClaim(t, s, "b", now, time.Minute, 10, 10)
	if want := map[string]time.Time{ids[1]: schedT0.Add(time.Minute)}; !cmp.Equal(want, got) {
		t.Errorf("after release, claimed %v, want %v", got, want)
	}
	if err := s.AckSend(ctx, "T1", ids[1], "b", "r:x", time.Hour, time.Time{}); err != nil {
		t.Fatal(err)
	}
	// A snooze (Save with a new DueAt) re-arms a deferred campaign at the earlier time.
	c, err := s.Get(ctx, "T1", ids[0])
	if err != nil {
		t.Fatal(err)
	}
	c.DueAt = schedT0.Add(2 * time.Hour)
	if err := s.Save(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, _ = mustClaim(t, s, "c", schedT0.Add(2*time.Hour), time.Minute, 10, 10)
	if want := map[string]time.Time{ids[0]: schedT0.Add(2 * time.Hour)}; !cmp.Equal(want, got) {
		t.Errorf("after snooze, claimed %v, want %v", got, want)
	}
}

func TestScheduleHoldAndCatchUp(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, ids := newScheduleStore(t, 2)
	now := schedT0.Add(3 * time.Hour)
	mustClaim(t, s, "a", now, time.Minute, 10, 10)
	at := now.Add(3 * time.Second)
	for i, id := range ids {
		if err := s.HoldClaim(ctx, "T1", id, "a", "U1", "cu:U1", schedT0.Add(time.Duration(i)*time.Minute), at.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	held, err := s.Held(ctx, "T1", "U1")
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]time.Time{ids[0]: schedT0, ids[1]: schedT0.Add(time.Minute)}; !cmp.Equal(want, held) {
		t.Errorf("Held = %v, want %v", held, want)
	}
	// One catch-up job, at the earlier of the two times.
	got, _ := mustClaim(t, s, "b", at, time.Minute, 10, 10)
	if want := map[string]time.Time{"cu:U1": at}; !cmp.Equal(want, got) {
		t.Fatalf("claimed %v, want %v", got, want)
	}
	if err := s.AckHeld(ctx, "T1", "cu:U1", "b", "cu:U1:x", time.Hour, "U1", ids); err != nil {
		t.Fatal(err)
	}
	if held, _ := s.Held(ctx, "T1", "U1"); len(held) != 0 {
		t.Errorf("Held after ack = %v, want empty", held)
	}
	if got, head := mustClaim(t, s, "c", at.Add(time.Hour), time.Minute, 10, 10); len(got) != 0 || !head.IsZero() {
		t.Errorf("after catch-up: claimed %v, head %v; want nothing", keys(got), head)
	}
}

func TestScheduleJobsArmAndRearm(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := newScheduleStore(t, 0)
	if err := s.SaveRep(ctx, campaign.Rep{Team: "T1", User: "U1"}); err != nil {
		t.Fatal(err)
	}
	users, err := s.UnarmedReps(ctx, "T1", "d:")
	if err != nil || !cmp.Equal(users, []string{"U1"}) {
		t.Fatalf("UnarmedReps = %v, %v; want [U1]", users, err)
	}
	if err := s.ArmJob(ctx, "T1", "d:U1", schedT0); err != nil {
		t.Fatal(err)
	}
	if err := s.ArmJob(ctx, "T1", "d:U1", schedT0.Add(time.Hour)); err != nil { // NX: no change
		t.Fatal(err)
	}
	got, _ := mustClaim(t, s, "a", schedT0, time.Minute, 10, 10)
	if want := map[string]time.Time{"d:U1": schedT0}; !cmp.Equal(want, got) {
		t.Fatalf("claimed %v, want %v", got, want)
	}
	if users, _ := s.UnarmedReps(ctx, "T1", "d:"); len(users) != 0 {
		t.Errorf("UnarmedReps while leased = %v, want none", users)
	}
	tomorrow := schedT0.Add(24 * time.Hour)
	if err := s.AckSend(ctx, "T1", "d:U1", "a", "d:U1:2026-03-10", 48*time.Hour, tomorrow); err != nil {
		t.Fatal(err)
	}
	if got, head := mustClaim(t, s, "b", schedT0.Add(time.Hour), time.Minute, 10, 10); len(got) != 0 || !head.Equal(tomorrow) {
		t.Errorf("after ack: claimed %v, head %v; want nothing, head %v", keys(got), head, tomorrow)
	}
}

func TestScheduleWake(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	s, _ := newScheduleStore(t, 0)
	wake, stop := s.Wake(ctx)
	defer func() { _ = stop() }()
	if got := <-wake; got != "" {
		t.Fatalf("first wake = %q, want \"\" (subscribed: re-read everything)", got)
	}
	if _, err := s.Create(ctx, campaign.Campaign{Team: "T1", Owner: "U1", Person: "Jane", DueAt: schedT0}, nil); err != nil {
		t.Fatal(err)
	}
	if got := <-wake; got != "T1" {
		t.Errorf("wake = %q, want T1", got)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	for range wake { // closes after stop
	}
}

func TestScheduleWeeklySnapshot(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, _ := newScheduleStore(t, 0)
	week := campaign.ISOWeek(schedT0) // Tuesday 10 March 2026
	if week != "2026-W11" {
		t.Errorf("ISOWeek = %s, want 2026-W11", week)
	}
	if got, err := s.Weekly(ctx, "T1", week); err != nil || len(got) != 0 {
		t.Errorf("Weekly before any snapshot = %v, %v; want empty", got, err)
	}
	for _, totals := range []map[string]int{{"U1": 10, "U3": 1}, {"U1": 12, "U2": 3}} {
		if err := s.SaveWeekly(ctx, "T1", week, totals); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Weekly(ctx, "T1", week)
	if err != nil || !cmp.Equal(got, map[string]int{"U1": 12, "U2": 3}) {
		t.Errorf("Weekly = %v, %v; want the second snapshot only", got, err)
	}
}
