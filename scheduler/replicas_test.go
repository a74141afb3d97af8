package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"campaignbot/campaign"
	"campaignbot/commands"
	"campaignbot/scheduler"
	"campaignbot/storage"
	"campaignbot/storage/storagetest"
)

// storage.Store is the scheduler's Store.
var _ scheduler.Store = (*storage.Store)(nil)

// errCrashed is what a killed replica's Redis and Slack calls return.
var errCrashed = errors.New("replica crashed")

// crashingStore is a replica's real Store that can be killed: from then on it claims, begins,
// defers and releases nothing, so the replica's claims stay behind as leases, as after a crash.
// Acks of messages that went out before the kill still land (see TestReplicasExactlyOnce).
type crashingStore struct {
	*storage.Store
	dead    *atomic.Bool
	refused atomic.Int64 // claims the replica could not hand back
}

func (c *crashingStore) ClaimDue(ctx context.Context, team, token string, now time.Time, lease time.Duration, dueLimit, jobLimit int) (map[string]time.Time, time.Time, int, error) {
	if c.dead.Load() {
		return nil, time.Time{}, 0, errCrashed
	}
	return c.Store.ClaimDue(ctx, team, token, now, lease, dueLimit, jobLimit)
}

func (c *crashingStore) BeginSend(ctx context.Context, team, member, token, occ string, now time.Time, lease time.Duration) (bool, error) {
	if c.dead.Load() {
		return false, errCrashed
	}
	return c.Store.BeginSend(ctx, team, member, token, occ, now, lease)
}

func (c *crashingStore) DeferClaim(ctx context.Context, team, member, token string, at time.Time) error {
	if c.dead.Load() {
		c.refused.Add(1)
		return errCrashed
	}
	return c.Store.DeferClaim(ctx, team, member, token, at)
}

func (c *crashingStore) ReleaseClaims(ctx context.Context, team, token string, members []string) error {
	if c.dead.Load() {
		c.refused.Add(int64(len(members)))
		return errCrashed
	}
	return c.Store.ReleaseClaims(ctx, team, token, members)
}

// countingPoster counts reminder DMs per campaign across replicas and signals when every
// campaign has had one.
type countingPoster struct {
	mu     sync.Mutex
	counts map[string]int
	total  int
	want   int
	all    chan struct{} // closed when want distinct campaigns were reminded
	// onPost, when set, runs after each recorded reminder (outside the lock).
	onPost func(total int)
}

func newCountingPoster(want int) *countingPoster {
	return &countingPoster{counts: make(map[string]int, want), want: want, all: make(chan struct{})}
}

// reminderID reads the campaign a reminder is about from its Done button.
func reminderID(r commands.Reply) (string, bool) {
	if len(r.Actions) == 0 || !strings.Contains(r.Text, "Time to follow up") {
		return "", false
	}
	cmd := strings.TrimSuffix(strings.TrimPrefix(r.Actions[0].Command, "done #"), ",")
	return cmd, true
}

func (p *countingPoster) DM(ctx context.Context, _, _ string, r commands.Reply) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	id, ok := reminderID(r)
	if !ok {
		return nil
	}
	p.mu.Lock()
	p.counts[id]++
	p.total++
	total := p.total
	if p.counts[id] == 1 && len(p.counts) == p.want {
		close(p.all)
	}
	p.mu.Unlock()
	if p.onPost != nil {
		p.onPost(total)
	}
	return nil
}

func (p *countingPoster) Post(context.Context, string, string, commands.Reply) error { return nil }

// replicaPoster is one replica's view of the shared poster: once the replica is dead, nothing it
// sends arrives.
type replicaPoster struct {
	*countingPoster
	dead *atomic.Bool
	// sent counts this replica's own posts; afterPost, when set, runs after each of them.
	sent      *atomic.Int64
	afterPost func(sent int64)
}

func (p replicaPoster) DM(ctx context.Context, team, user string, r commands.Reply) error {
	if p.dead.Load() {
		return errCrashed
	}
	if err := p.countingPoster.DM(ctx, team, user, r); err != nil {
		return err
	}
	if n := p.sent.Add(1); p.afterPost != nil {
		p.afterPost(n)
	}
	return nil
}

// seed creates n campaigns for 100 reps, due over spread starting at first, with concurrent
// writers (each Create is one Lua script).
func seed(tb testing.TB, s *storage.Store, n int, first time.Time, spread time.Duration) {
	tb.Helper()
	var g errgroup.Group
	g.SetLimit(8)
	for w := range 8 {
		g.Go(func() error {
			for i := w; i < n; i += 8 {
				due := first.Add(time.Duration(int64(spread) * int64(i) / int64(n)))
				_, err := s.Create(context.Background(), campaign.Campaign{
					Team: "T1", Owner: fmt.Sprintf("U%03d", i%100),
					Person: fmt.Sprintf("Person %d", i), Company: "Acme", DueAt: due, TimeGiven: true,
				}, nil)
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		tb.Fatalf("seed: %v", err)
	}
}

// newReplicaStore connects a Store of its own to srv, as a separate process would.
func newReplicaStore(tb testing.TB, srv *storagetest.Server) *storage.Store {
	tb.Helper()
	s := storage.New(redis.NewClient(&redis.Options{Network: "unix", Addr: srv.Socket, PoolSize: 16}))
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// Three replicas share one Redis; 10,000 campaigns come due within a few seconds; one replica is
// killed mid-run, leaving its claims behind as leases. Every campaign is reminded exactly once.
//
// The kill stops the replica's claims, sends and cleanup at once; messages it had already handed
// to Slack are still acked. A crash in the instant between Slack accepting a message and the ack
// would resend that one message after the lease expires: Slack offers no idempotency key, so
// that window is at-least-once by design (see the package documentation).
func TestReplicasExactlyOnce(t *testing.T) {
	const n = 10_000
	srv := storagetest.Start(t)
	seeder := newReplicaStore(t, srv)
	seed(t, seeder, n, time.Now().Add(2*time.Second), 3*time.Second)

	p := newCountingPoster(n)
	cfg := scheduler.Config{
		Lease:      2 * time.Second,
		Recheck:    time.Second,
		Senders:    8,
		SendRate:   -1, // the fake Slack has no limits
		ChannelGap: -1,
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stores := make([]*crashingStore, 3)
	for i := range stores {
		stores[i] = &crashingStore{Store: newReplicaStore(t, srv), dead: new(atomic.Bool)}
	}
	victim := stores[2]
	victimCtx, victimCancel := context.WithCancel(ctx)
	defer victimCancel()
	// The victim dies in the middle of its own work: right after its 20th message, when the rest
	// of the batch it claimed is still queued under its leases. Killing it at a global count
	// instead could, on a busy machine, hit it while it held nothing.
	var once sync.Once
	kill := func(sent int64) {
		if sent >= 20 {
			once.Do(func() {
				victim.dead.Store(true)
				victimCancel()
			})
		}
	}
	var g errgroup.Group
	for i, store := range stores {
		rctx := ctx
		poster := replicaPoster{countingPoster: p, dead: store.dead, sent: new(atomic.Int64)}
		if i == 2 {
			rctx, poster.afterPost = victimCtx, kill
		}
		s := scheduler.New(store, poster, cfg, slog.New(slog.DiscardHandler))
		g.Go(func() error { return s.Run(rctx) })
	}

	select {
	case <-p.all:
	case <-time.After(60 * time.Second):
		p.mu.Lock()
		t.Errorf("only %d of %d campaigns reminded", len(p.counts), n)
		p.mu.Unlock()
	}
	cancel()
	if err := g.Wait(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var dups []string
	for id, c := range p.counts {
		if c != 1 {
			dups = append(dups, fmt.Sprintf("#%s×%d", id, c))
		}
	}
	if len(dups) > 0 || len(p.counts) != n || p.total != n {
		t.Errorf("reminded %d campaigns with %d messages; duplicates: %v", len(p.counts), p.total, dups)
	}
	if victim.refused.Load() == 0 {
		t.Errorf("the killed replica left no leases behind; the test did not exercise recovery")
	}
	t.Logf("killed replica left %d claims behind as leases", victim.refused.Load())
}

// A reminder goes out through the real Store, and a snooze (Save with a new DueAt) re-arms it;
// the wake-up reaches the sleeping scheduler through Redis pub/sub.
func TestRedisReminderAndSnooze(t *testing.T) {
	t.Parallel()
	srv := storagetest.Start(t)
	store := newReplicaStore(t, srv)
	p := newCountingPoster(1)
	got := make(chan time.Time, 4)
	p.onPost = func(int) { got <- time.Now() }
	ctx, cancel := context.WithCancel(t.Context())
	s := scheduler.New(store, p, scheduler.Config{SendRate: -1, ChannelGap: -1}, slog.New(slog.DiscardHandler))
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
	}()

	// Created while the scheduler sleeps with nothing to do: only the wake-up can get it out soon.
	due := time.Now().Add(300 * time.Millisecond)
	c, err := store.Create(ctx, campaign.Campaign{Team: "T1", Owner: "U1", Person: "Jane", Company: "Acme", DueAt: due, TimeGiven: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if at := <-got; at.Before(due) {
		t.Errorf("reminder at %v, before its due time %v", at, due)
	}
	c.DueAt = time.Now().Add(200 * time.Millisecond)
	if err := store.Save(ctx, c); err != nil {
		t.Fatal(err)
	}
	if at := <-got; at.Before(c.DueAt) {
		t.Errorf("snoozed reminder at %v, before %v", at, c.DueAt)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.total != 2 {
		t.Errorf("%d reminders, want 2", p.total)
	}
}
