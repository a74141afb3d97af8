package scheduler_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
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

// benchCampaigns is the stored dataset size: CB_BENCH_CAMPAIGNS, default 100,000 (the issue's
// 1,000,000 takes a few minutes to build, so it is opt-in).
func benchCampaigns(b *testing.B) int {
	b.Helper()
	n := 100_000
	if v := os.Getenv("CB_BENCH_CAMPAIGNS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatalf("CB_BENCH_CAMPAIGNS=%q: %v", v, err)
		}
	}
	return n
}

// commandCalls sums INFO commandstats calls, leaving out INFO itself (the measurement).
func commandCalls(b *testing.B, rdb *redis.Client) int64 {
	b.Helper()
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	if err != nil {
		b.Fatal(err)
	}
	var total int64
	for line := range strings.Lines(info) {
		name, rest, ok := strings.Cut(strings.TrimSpace(line), ":calls=")
		if !ok || name == "cmdstat_info" {
			continue
		}
		calls, _, _ := strings.Cut(rest, ",")
		n, _ := strconv.ParseInt(calls, 10, 64)
		total += n
	}
	return total
}

// countingHook counts the commands a client sends (pipelined ones one by one).
type countingHook struct{ n *atomic.Int64 }

func (h countingHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h countingHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}

func (h countingHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

// latencyPoster reports when each reminder reaches "Slack".
type latencyPoster struct {
	mu      sync.Mutex
	waiting map[string]chan time.Time // campaign ID → its arrival
}

func (p *latencyPoster) DM(_ context.Context, _, _ string, r commands.Reply) error {
	now := time.Now()
	id, ok := reminderID(r)
	if !ok {
		return nil
	}
	p.mu.Lock()
	ch := p.waiting[id]
	p.mu.Unlock()
	if ch != nil {
		ch <- now
	}
	return nil
}

func (p *latencyPoster) Post(context.Context, string, string, commands.Reply) error { return nil }

// BenchmarkDueToPost stores CB_BENCH_CAMPAIGNS campaigns due next month, runs three replicas,
// measures Redis commands per second per idle replica over idleWindow (as Redis counts them in
// INFO commandstats, including the commands inside scripts, and as the replicas send them), then
// creates one campaign at a time due 20 ms ahead and measures from its due time to the fake
// Slack receiving the DM. Run it as:
//
//	CB_BENCH_CAMPAIGNS=1000000 go test ./scheduler -run '^$' -bench DueToPost -benchtime 300x
func BenchmarkDueToPost(b *testing.B) {
	const replicas = 3
	const idleWindow = 30 * time.Second
	n := benchCampaigns(b)
	srv := storagetest.Start(b)
	seeder := storage.New(redis.NewClient(&redis.Options{Network: "unix", Addr: srv.Socket, PoolSize: 32}))
	b.Cleanup(func() { _ = seeder.Close() })

	began := time.Now()
	var g errgroup.Group
	const writers = 16
	month := time.Now().Add(30 * 24 * time.Hour)
	for w := range writers {
		g.Go(func() error {
			for i := w; i < n; i += writers {
				_, err := seeder.Create(context.Background(), campaign.Campaign{
					Team: "T1", Owner: fmt.Sprintf("U%04d", i%2000),
					Person: fmt.Sprintf("Person %d", i), Company: "Acme", DueAt: month.Add(time.Duration(i) * time.Second),
				}, nil)
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	b.Logf("stored %d campaigns in %v", n, time.Since(began).Round(time.Second))

	// A zone where it is now 20:00, so no morning list falls inside the measurement.
	h, m, _ := time.Now().UTC().Clock()
	evening := time.FixedZone("bench", (20*60-(h*60+m))*60)
	p := &latencyPoster{waiting: make(map[string]chan time.Time)}
	ctx, cancel := context.WithCancel(context.Background())
	var run errgroup.Group
	var sent atomic.Int64 // commands the replicas send
	for range replicas {
		rdb := redis.NewClient(&redis.Options{Network: "unix", Addr: srv.Socket})
		rdb.AddHook(countingHook{&sent})
		store := storage.New(rdb)
		b.Cleanup(func() { _ = store.Close() })
		s := scheduler.New(store, p, scheduler.Config{DefaultLocation: evening, SendRate: -1, ChannelGap: -1},
			slog.New(slog.DiscardHandler))
		run.Go(func() error { return s.Run(ctx) })
	}
	b.Cleanup(func() {
		cancel()
		_ = run.Wait()
	})

	probe := redis.NewClient(&redis.Options{Network: "unix", Addr: srv.Socket})
	b.Cleanup(func() { _ = probe.Close() })
	time.Sleep(3 * time.Second) // let start-up (arming 2,000 morning-list jobs) finish
	before, sentBefore := commandCalls(b, probe), sent.Load()
	time.Sleep(idleWindow)
	// Redis counts the commands a script runs too; the hook counts what the replicas send.
	idle := float64(commandCalls(b, probe)-before) / idleWindow.Seconds() / replicas
	idleSent := float64(sent.Load()-sentBefore) / idleWindow.Seconds() / replicas

	var lat []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		due := time.Now().Add(20 * time.Millisecond)
		arrived := make(chan time.Time, 1)
		c, err := seeder.Create(ctx, campaign.Campaign{
			Team: "T1", Owner: "U0001", Person: fmt.Sprintf("Probe %d", i),
			Company: "Acme", DueAt: due, TimeGiven: true,
		}, nil)
		if err != nil {
			b.Fatal(err)
		}
		p.mu.Lock()
		p.waiting[c.ID] = arrived
		p.mu.Unlock()
		select {
		case at := <-arrived:
			lat = append(lat, at.Sub(c.DueAt))
		case <-time.After(10 * time.Second):
			b.Fatalf("campaign #%s was not reminded within 10s of its due time", c.ID)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(q float64) float64 {
		return float64(lat[min(int(q*float64(len(lat))), len(lat)-1)]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1])/float64(time.Millisecond), "max-ms")
	b.ReportMetric(idle, "idle-redis-cmds/s/replica")
	b.ReportMetric(idleSent, "idle-sent-cmds/s/replica")
	b.ReportMetric(float64(n), "campaigns")
}
