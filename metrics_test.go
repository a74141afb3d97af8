package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/redis/go-redis/v9"

	"campaignbot/bot/slacktest"
	"campaignbot/campaign"
	"campaignbot/storage"
	"campaignbot/storage/storagetest"
)

// freeAddr returns a loopback address nothing listens on, for METRICS_ADDR.
func freeAddr(t *testing.T) string {
	t.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// get fetches url and returns the status code and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, http.NoBody)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode, string(body)
}

// TestMetricsEndToEnd runs the program in Slack mode with METRICS_ADDR set, lets a real DM, a
// rate-limited reply and a reminder left behind by a crashed replica flow through it, and checks
// that /metrics exposes every series issue 6 lists.
func TestMetricsEndToEnd(t *testing.T) {
	const rep = "U0REP00001"
	srv := storagetest.Start(t)
	fs := slacktest.New(t)
	fs.AddUser(rep, "Europe/Berlin")

	// A crashed replica's work: a reminder due a minute ago, claimed under a lease that ran
	// out 50 s ago. The bot must recover it, send it, and count both.
	seed := storage.New(redis.NewClient(&redis.Options{Network: "unix", Addr: srv.Socket}))
	t.Cleanup(func() { _ = seed.Close() })
	now := time.Now()
	_, err := seed.Create(t.Context(), campaign.Campaign{
		Team: slacktest.Team, Owner: rep, Person: "Jane Smith",
		Company: "Acme", DueAt: now.Add(-time.Minute), TimeGiven: true,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, _, _, err := seed.ClaimDue(t.Context(), slacktest.Team, "dead", now.Add(-time.Minute), 10*time.Second, 10, 0); err != nil || len(got) != 1 {
		t.Fatalf("seed claim = %v, %v; want the campaign", got, err)
	}

	addr := freeAddr(t)
	vars := map[string]string{
		"SLACK_BOT_TOKEN": slacktest.BotToken,
		"SLACK_APP_TOKEN": slacktest.AppToken,
		"SLACK_API_URL":   fs.APIURL(),
		"REDIS_URL":       srv.URL(),
		"METRICS_ADDR":    addr,
		"LOG_LEVEL":       "debug",
	}
	stderr := &syncBuffer{}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, env(vars), strings.NewReader(""), &bytes.Buffer{}, stderr) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		if t.Failed() {
			t.Logf("stderr:\n%s", stderr)
		}
	}()
	fs.WaitConnections(t, 1)
	base := "http://" + addr

	fs.RateLimit("chat.postMessage", 10*time.Millisecond) // the next post gets one 429
	d := fs.SendDM(rep, "follow up Raj Patel at Globex next Tuesday")
	fs.WaitAck(t, d.EnvelopeID)
	fs.WaitMessage(t, func(m slacktest.Message) bool { return has(m, "Raj Patel") })
	fs.WaitMessage(t, func(m slacktest.Message) bool { return has(m, "Jane Smith") && !has(m, "Raj") })

	// The reply to the DM happens after its ack and 429 were counted, but the reminder's
	// counter moves after Slack answered the scheduler, so wait for that one.
	body := waitMetric(t, base, `campaignbot_reminders_sent_total{kind="reminder"} 1`)
	for _, want := range []string{
		`campaignbot_slack_events_received_total{kind="events_api"} `,
		`campaignbot_slack_events_acked_total{kind="events_api"} `,
		`campaignbot_slack_ack_duration_seconds_bucket{kind="events_api",le="0.5"} `,
		`campaignbot_slack_ack_duration_seconds_count{kind="events_api"} `,
		"campaignbot_handler_errors_total 0",
		`campaignbot_slack_rate_limited_total{method="chat.postMessage"} 1`,
		"campaignbot_leases_recovered_total 1",
		"campaignbot_scheduler_lag_seconds 0",
		"campaignbot_redis_up 1",
		`campaignbot_counting_campaigns{team="` + slacktest.Team + `"} 0`,
		`campaignbot_lapsed_campaigns{team="` + slacktest.Team + `"} 0`,
		"go_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	for _, secret := range []string{slacktest.BotToken, slacktest.AppToken, srv.Socket} {
		if strings.Contains(body, secret) {
			t.Errorf("/metrics shows %q", secret)
		}
	}
	if code, body := get(t, base+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d %q, want 200", code, body)
	}
	if code, body := get(t, base+"/readyz"); code != http.StatusOK {
		t.Errorf("/readyz = %d %q, want 200", code, body)
	}
}

// waitMetric scrapes /metrics until it contains line, which an asynchronous part of the bot
// is about to produce, and returns that scrape. It fails the test after 10 s.
func waitMetric(t *testing.T, base, line string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		code, body := get(t, base+"/metrics")
		if code == http.StatusOK && strings.Contains(body, line) {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics never showed %q; last scrape (status %d):\n%s", line, code, body)
		}
		<-tick.C
	}
}

// fakeOps is an opsStore with fixed answers that counts the expensive reads.
type fakeOps struct {
	mu      sync.Mutex
	pingErr error
	oldest  time.Time
	teams   []string
	open    map[string]map[string][]campaign.Campaign
	qual    map[string]map[string]campaign.Qualification
	openAll int // OpenAll calls
}

func (f *fakeOps) Ping(context.Context) error { return f.pingErr }

func (f *fakeOps) Teams(context.Context) ([]string, error) { return f.teams, nil }

func (f *fakeOps) OldestDue(context.Context) (time.Time, error) { return f.oldest, nil }

func (f *fakeOps) Reps(_ context.Context, team string) ([]campaign.Rep, error) {
	var reps []campaign.Rep
	for u := range f.open[team] {
		reps = append(reps, campaign.Rep{Team: team, User: u})
	}
	return reps, nil
}

// Weekly and OnTime: no snapshot and no follow-ups done yet; the gauges do not use them.
func (f *fakeOps) Weekly(context.Context, string, string) (map[string]int, error) { return nil, nil }

func (f *fakeOps) OnTime(context.Context, string, string) (done, onTime map[string]int, err error) {
	return nil, nil, nil
}

func (f *fakeOps) OpenAll(_ context.Context, team string) (map[string][]campaign.Campaign, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.openAll++
	return f.open[team], nil
}

func (f *fakeOps) Qualified(_ context.Context, team string) (map[string]campaign.Qualification, error) {
	return f.qual[team], nil
}

func TestMetricsRefresh(t *testing.T) {
	t0 := time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC) // a Tuesday
	open := func(company string, due time.Time) campaign.Campaign {
		return campaign.Campaign{Person: "P " + company, Company: company, Status: campaign.Active, DueAt: due}
	}
	f := &fakeOps{
		oldest: t0.Add(-90 * time.Second),
		teams:  []string{"T1", "T2"},
		open: map[string]map[string][]campaign.Campaign{
			"T1": {"U1": {open("Acme", t0.Add(time.Hour)), open("Globex", t0.Add(time.Hour)), open("Acme", t0.AddDate(0, 0, -30))}},
			"T2": {"U2": {open("Initech", t0.Add(time.Hour))}},
		},
		qual: map[string]map[string]campaign.Qualification{
			"T1": {campaign.CompanyKey("Acme"): {}},
			"T2": {},
		},
	}
	m := newMetrics(f, time.UTC, slog.New(slog.DiscardHandler))
	clock := t0
	m.now = func() time.Time { return clock }

	m.refresh(t.Context())
	want := map[string]float64{
		"lag":        90,
		"up":         1,
		"T1 counted": 1, // Acme, due in an hour; Globex is unqualified
		"T1 lapsed":  1, // Acme, a month overdue
		"T2 counted": 0,
		"errors":     0,
	}
	got := map[string]float64{
		"lag":        testutil.ToFloat64(m.lag),
		"up":         testutil.ToFloat64(m.redisUp),
		"T1 counted": testutil.ToFloat64(m.counting.WithLabelValues("T1")),
		"T1 lapsed":  testutil.ToFloat64(m.lapsed.WithLabelValues("T1")),
		"T2 counted": testutil.ToFloat64(m.counting.WithLabelValues("T2")),
		"errors":     testutil.ToFloat64(m.countsError),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after the first scrape (-want +got):\n%s", diff)
	}

	// Within countsTTL the totals are reused; the lag is read every time.
	clock = t0.Add(30 * time.Second)
	f.oldest = time.Time{}
	m.refresh(t.Context())
	if f.openAll != 2 {
		t.Errorf("OpenAll calls after two scrapes 30 s apart = %d, want 2 (one per team, once)", f.openAll)
	}
	if got := testutil.ToFloat64(m.lag); got != 0 {
		t.Errorf("lag with nothing waiting = %v, want 0", got)
	}
	clock = t0.Add(countsTTL + time.Second)
	m.refresh(t.Context())
	if f.openAll != 4 {
		t.Errorf("OpenAll calls after the cache expired = %d, want 4", f.openAll)
	}

	// Redis down: redis_up drops, the last values stay, and the failure is counted.
	f.pingErr = errors.New("dial tcp: connection refused")
	m.refresh(t.Context())
	if up, errs := testutil.ToFloat64(m.redisUp), testutil.ToFloat64(m.countsError); up != 0 || errs != 1 {
		t.Errorf("with Redis down: redis_up = %v, refresh errors = %v; want 0, 1", up, errs)
	}
}

// TestMetricsObservers checks each observer call lands in its series, and that the names pass
// Prometheus' own lint (units, _total on counters).
func TestMetricsObservers(t *testing.T) {
	m := newMetrics(&fakeOps{}, time.UTC, slog.New(slog.DiscardHandler))
	m.EventReceived("events_api")
	m.EventReceived("interactive")
	m.Acked("events_api", 3*time.Millisecond)
	m.HandlerError()
	m.RateLimited("chat.postMessage")
	m.RateLimited("chat.postMessage")
	m.MessageSent("digest")
	m.LeasesRecovered(3)
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"received events_api", testutil.ToFloat64(m.received.WithLabelValues("events_api")), 1},
		{"received interactive", testutil.ToFloat64(m.received.WithLabelValues("interactive")), 1},
		{"acked", testutil.ToFloat64(m.acked.WithLabelValues("events_api")), 1},
		{"ack latency samples", float64(testutil.CollectAndCount(m.ackSeconds)), 1},
		{"handler errors", testutil.ToFloat64(m.handlerErrs), 1},
		{"429s", testutil.ToFloat64(m.rateLimited.WithLabelValues("chat.postMessage")), 2},
		{"sent", testutil.ToFloat64(m.sent.WithLabelValues("digest")), 1},
		{"recovered", testutil.ToFloat64(m.recovered), 3},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
	problems, err := testutil.GatherAndLint(m.reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "campaign") {
			t.Errorf("lint: %s: %s", p.Metric, p.Text)
		}
	}
}
