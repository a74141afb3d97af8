package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"campaignbot/bot"
	"campaignbot/campaign"
	"campaignbot/commands"
	"campaignbot/scheduler"
)

// opsStore is what the metrics and health checks read from storage; storage.Store implements
// it.
type opsStore interface {
	commands.BoardSource
	Ping(ctx context.Context) error
	Teams(ctx context.Context) ([]string, error)
	OldestDue(ctx context.Context) (time.Time, error)
}

// countsTTL is how long per-workspace totals are reused: computing them reads every open
// campaign, far too much for every 15 s scrape of every replica.
const countsTTL = time.Minute

// metrics implements bot.Observer and scheduler.Observer with Prometheus counters, and reads
// the scheduler lag and the per-workspace totals from Redis when scraped. Only main knows about
// Prometheus; bot and scheduler see their own small interfaces.
type metrics struct {
	reg *prometheus.Registry

	received    *prometheus.CounterVec
	acked       *prometheus.CounterVec
	ackSeconds  *prometheus.HistogramVec
	handlerErrs prometheus.Counter
	rateLimited *prometheus.CounterVec
	sent        *prometheus.CounterVec
	recovered   prometheus.Counter

	// Read from Redis in refresh, before each scrape.
	store       opsStore
	defaultTZ   *time.Location
	now         func() time.Time
	log         *slog.Logger
	redisUp     prometheus.Gauge
	lag         prometheus.Gauge
	counting    *prometheus.GaugeVec
	lapsed      *prometheus.GaugeVec
	mu          sync.Mutex // serialises refresh; guards countsAt
	countsAt    time.Time
	countsError prometheus.Counter
}

var (
	_ bot.Observer       = (*metrics)(nil)
	_ scheduler.Observer = (*metrics)(nil)
)

// Slack expects an ack within 3 s; the buckets resolve the range around that.
var ackBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}

func newMetrics(store opsStore, defaultTZ *time.Location, log *slog.Logger) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "campaignbot_slack_events_received_total",
			Help: "Slack envelopes received that need an ack, by envelope type.",
		}, []string{"kind"}),
		acked: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "campaignbot_slack_events_acked_total",
			Help: "Slack envelopes acknowledged, by envelope type.",
		}, []string{"kind"}),
		ackSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "campaignbot_slack_ack_duration_seconds",
			Help:    "Time from receiving a Slack envelope to acknowledging it, by envelope type.",
			Buckets: ackBuckets,
		}, []string{"kind"}),
		handlerErrs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "campaignbot_handler_errors_total",
			Help: "Messages whose handling panicked or whose reply could not be delivered.",
		}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "campaignbot_slack_rate_limited_total",
			Help: "Slack Web API calls answered with 429 Too Many Requests, by method.",
		}, []string{"method"}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "campaignbot_reminders_sent_total",
			Help: "Scheduled messages Slack accepted, by kind (reminder, catch_up, digest, leaderboard).",
		}, []string{"kind"}),
		recovered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "campaignbot_leases_recovered_total",
			Help: "Expired claims of a stopped replica put back in the queue by this replica.",
		}),
		store:     store,
		defaultTZ: defaultTZ,
		now:       time.Now,
		log:       log,
		redisUp: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "campaignbot_redis_up",
			Help: "1 if Redis answered PING at the last scrape, else 0.",
		}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "campaignbot_scheduler_lag_seconds",
			Help: "How long the oldest due reminder or job waiting to be claimed is overdue; 0 when none is.",
		}),
		counting: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "campaignbot_counting_campaigns",
			Help: "Open campaigns that count toward reps' goals, per workspace (recomputed at most once a minute).",
		}, []string{"team"}),
		lapsed: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "campaignbot_lapsed_campaigns",
			Help: "Open campaigns past their grace period, per workspace (recomputed at most once a minute).",
		}, []string{"team"}),
		countsError: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "campaignbot_metrics_refresh_errors_total",
			Help: "Scrapes that could not read the lag or the per-workspace totals from Redis.",
		}),
	}
	m.reg.MustRegister(m.received, m.acked, m.ackSeconds, m.handlerErrs, m.rateLimited, m.sent,
		m.recovered, m.redisUp, m.lag, m.counting, m.lapsed, m.countsError,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// EventReceived implements bot.Observer.
func (m *metrics) EventReceived(kind string) { m.received.WithLabelValues(kind).Inc() }

// Acked implements bot.Observer.
func (m *metrics) Acked(kind string, d time.Duration) {
	m.acked.WithLabelValues(kind).Inc()
	m.ackSeconds.WithLabelValues(kind).Observe(d.Seconds())
}

// HandlerError implements bot.Observer.
func (m *metrics) HandlerError() { m.handlerErrs.Inc() }

// RateLimited implements bot.Observer.
func (m *metrics) RateLimited(method string) { m.rateLimited.WithLabelValues(method).Inc() }

// MessageSent implements scheduler.Observer.
func (m *metrics) MessageSent(kind string) { m.sent.WithLabelValues(kind).Inc() }

// LeasesRecovered implements scheduler.Observer.
func (m *metrics) LeasesRecovered(n int) { m.recovered.Add(float64(n)) }

// handler serves /metrics. Values that live in Redis are read first, on the request's context,
// so a scrape with a deadline bounds them too.
func (m *metrics) handler() http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(m.log.Handler(), slog.LevelError)})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.refresh(r.Context())
		h.ServeHTTP(w, r)
	})
}

// refresh reads the lag on every scrape (one ZRANGE per queue, pipelined) and the
// per-workspace totals when the cached ones are older than countsTTL. Failures keep the last
// values and count in campaignbot_metrics_refresh_errors_total; /healthz reports the outage.
func (m *metrics) refresh(ctx context.Context) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.store.Ping(ctx); err != nil {
		m.redisUp.Set(0)
		m.countsError.Inc()
		return
	}
	m.redisUp.Set(1)
	now := m.now()
	oldest, err := m.store.OldestDue(ctx)
	if err != nil {
		m.countsError.Inc()
		m.log.WarnContext(ctx, "metrics read lag", "err", err)
		return
	}
	lag := time.Duration(0)
	if !oldest.IsZero() && oldest.Before(now) {
		lag = now.Sub(oldest)
	}
	m.lag.Set(lag.Seconds())
	if !m.countsAt.IsZero() && now.Sub(m.countsAt) < countsTTL {
		return
	}
	if err := m.refreshCounts(ctx, now); err != nil {
		m.countsError.Inc()
		m.log.WarnContext(ctx, "metrics read workspace totals", "err", err)
		return
	}
	m.countsAt = now
}

// refreshCounts judges every open campaign the way the leaderboard does (campaign.Board, each
// rep in their own calendar) and sums the reps of each workspace.
func (m *metrics) refreshCounts(ctx context.Context, now time.Time) error {
	teams, err := m.store.Teams(ctx)
	if err != nil {
		return fmt.Errorf("list workspaces: %w", err)
	}
	counting := make(map[string]int, len(teams))
	lapsed := make(map[string]int, len(teams))
	for _, team := range teams {
		in, err := commands.BoardInput(ctx, m.store, team, campaign.ISOWeek(now), now, m.defaultTZ.String(), campaign.DefaultGrace)
		if err != nil {
			return fmt.Errorf("count campaigns of %s: %w", team, err)
		}
		for _, r := range campaign.Board(in) {
			counting[team] += r.Counting
			lapsed[team] += r.Lapsed
		}
	}
	// Reset drops workspaces that have gone, so their series end instead of freezing.
	m.counting.Reset()
	m.lapsed.Reset()
	for _, team := range teams {
		m.counting.WithLabelValues(team).Set(float64(counting[team]))
		m.lapsed.WithLabelValues(team).Set(float64(lapsed[team]))
	}
	return nil
}
