package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"campaignbot/bot"
	"campaignbot/scheduler"
)

// pingTimeout bounds the Redis check of one /healthz request; probes usually give up after 1 s.
const pingTimeout = time.Second

// health answers the liveness and readiness probes.
type health struct {
	ping func(ctx context.Context) error
	// connected reports the chat connection; nil until a chat adapter that has one (Slack)
	// is running. The console has none to check.
	connected atomic.Pointer[func() bool]
	// stopping is closed when shutdown begins: the replica is finishing its work and should
	// get no new traffic.
	stopping <-chan struct{}
	log      *slog.Logger
}

// healthz reports 200 while Redis answers PING and, in Slack mode, the socket is connected. The
// body names the failing part but never an address, URL or error text, which could carry a
// secret; the log has the error.
func (h *health) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), pingTimeout)
	defer cancel()
	if err := h.ping(ctx); err != nil {
		h.log.WarnContext(ctx, "health check failed", "check", "redis", "err", err)
		http.Error(w, "redis unreachable", http.StatusServiceUnavailable)
		return
	}
	if c := h.connected.Load(); c != nil && !(*c)() {
		http.Error(w, "slack not connected", http.StatusServiceUnavailable)
		return
	}
	_, _ = fmt.Fprintln(w, "ok")
}

// readyz reports 200 until shutdown begins, then 503, so a load balancer or rollout stops
// counting on this replica while it drains.
func (h *health) readyz(w http.ResponseWriter, _ *http.Request) {
	select {
	case <-h.stopping:
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
	default:
		_, _ = fmt.Fprintln(w, "ready")
	}
}

// opsServer is the METRICS_ADDR listener: /healthz, /readyz and /metrics. A nil *opsServer
// (METRICS_ADDR unset) is valid and does nothing.
type opsServer struct {
	srv     *http.Server
	health  *health
	metrics *metrics
	done    chan error // Serve's result
}

// Server timeouts: probes and scrapes are small requests; the write timeout leaves room for
// recomputing the per-workspace totals of a large install.
const (
	opsReadHeaderTimeout = 5 * time.Second
	opsWriteTimeout      = 30 * time.Second
	opsIdleTimeout       = 2 * time.Minute
	opsShutdownTimeout   = 5 * time.Second
)

// startOps listens on addr (binding now, so a taken port fails startup) and serves in the
// background until Close. Readiness ends when ctx does.
func startOps(ctx context.Context, addr string, store opsStore, m *metrics, log *slog.Logger) (*opsServer, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics listener: %w", err)
	}
	h := &health{ping: store.Ping, stopping: ctx.Done(), log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", h.healthz)
	mux.HandleFunc("GET /readyz", h.readyz)
	mux.Handle("GET /metrics", m.handler())
	o := &opsServer{
		srv: &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: opsReadHeaderTimeout,
			ReadTimeout:       opsReadHeaderTimeout,
			WriteTimeout:      opsWriteTimeout,
			IdleTimeout:       opsIdleTimeout,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
		health:  h,
		metrics: m,
		done:    make(chan error, 1),
	}
	go func() { o.done <- o.srv.Serve(ln) }()
	log.InfoContext(ctx, "metrics listening", "addr", ln.Addr().String())
	return o, nil
}

// botObserver returns the observer for the Slack adapter, nil without a listener.
func (o *opsServer) botObserver() bot.Observer {
	if o == nil {
		return nil
	}
	return o.metrics
}

// schedulerObserver returns the observer for the scheduler, nil without a listener.
func (o *opsServer) schedulerObserver() scheduler.Observer {
	if o == nil {
		return nil
	}
	return o.metrics
}

// watchChat makes /healthz also require connected() to be true.
func (o *opsServer) watchChat(connected func() bool) {
	if o != nil {
		o.health.connected.Store(&connected)
	}
}

// Close stops the listener, letting requests in progress finish for a few seconds. run calls
// it after the chat adapter and scheduler have stopped and before Redis closes, so probes and
// scrapes keep working while the replica drains.
func (o *opsServer) Close(ctx context.Context) error {
	if o == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opsShutdownTimeout)
	defer cancel()
	err := o.srv.Shutdown(ctx)
	if serr := <-o.done; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("close metrics listener: %w", err)
	}
	return nil
}
