package scheduler_test

import (
	"maps"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"campaignbot/campaign"
	"campaignbot/scheduler"
)

// countingObserver is a scheduler.Observer that counts what it is told.
type countingObserver struct {
	mu        sync.Mutex
	sent      map[string]int
	recovered int
}

func (o *countingObserver) MessageSent(kind string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent[kind]++
}

func (o *countingObserver) LeasesRecovered(n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.recovered += n
}

// TestObserver: a replica that died holding a reminder's lease leaves it to another, which
// recovers it once the lease is over, sends it, and reports both.
func TestObserver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := clockAt(tuesday)
		store := newMemStore()
		p := &recordingPoster{clock: clock}
		due := tuesday.Add(90 * time.Minute)
		mustCreate(t, store, campaign.Campaign{DueAt: due, TimeGiven: true})
		if got, _, _, err := store.ClaimDue(t.Context(), "T1", "dead", due, 30*time.Second, 10, 0); err != nil || len(got) != 1 {
			t.Fatalf("dead replica's claim = %v, %v", got, err)
		}
		obs := &countingObserver{sent: map[string]int{}}
		start(t, store, p, scheduler.Config{Now: clock, Observer: obs})

		time.Sleep(24 * time.Hour)
		synctest.Wait()
		at(t, "reminder", p.Posts(reminderText), due.Add(30*time.Second))
		obs.mu.Lock()
		defer obs.mu.Unlock()
		want := map[string]int{scheduler.KindReminder: 1, scheduler.KindDigest: 1}
		if diff := cmp.Diff(want, maps.Clone(obs.sent)); diff != "" {
			t.Errorf("MessageSent (-want +got):\n%s", diff)
		}
		if obs.recovered != 1 {
			t.Errorf("LeasesRecovered total = %d, want 1", obs.recovered)
		}
	})
}
