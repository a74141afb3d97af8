package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"campaignbot/storage"
	"campaignbot/storage/storagetest"
)

func TestHealthz(t *testing.T) {
	const secret = "redis://:s3cret@10.0.0.7:6379"
	down := errors.New("dial " + secret + ": connection refused")
	tests := []struct {
		name      string
		pingErr   error
		connected *bool // nil: console mode, no chat connection to watch
		wantCode  int
		wantBody  string
	}{
		{"console, redis up", nil, nil, http.StatusOK, "ok\n"},
		{"console, redis down", down, nil, http.StatusServiceUnavailable, "redis unreachable\n"},
		{"slack connected", nil, new(true), http.StatusOK, "ok\n"},
		{"slack reconnecting", nil, new(false), http.StatusServiceUnavailable, "slack not connected\n"},
		{"slack connected, redis down", down, new(true), http.StatusServiceUnavailable, "redis unreachable\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &health{ping: func(context.Context) error { return tt.pingErr }, log: slog.New(slog.DiscardHandler)}
			if tt.connected != nil {
				c := func() bool { return *tt.connected }
				h.connected.Store(&c)
			}
			w := httptest.NewRecorder()
			h.healthz(w, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/healthz", http.NoBody))
			if w.Code != tt.wantCode || w.Body.String() != tt.wantBody {
				t.Errorf("healthz = %d %q, want %d %q", w.Code, w.Body, tt.wantCode, tt.wantBody)
			}
			if strings.Contains(w.Body.String(), "s3cret") {
				t.Errorf("healthz body shows the Redis URL: %q", w.Body)
			}
		})
	}
}

func TestReadyzFlipsOnShutdown(t *testing.T) {
	stopping := make(chan struct{})
	h := &health{stopping: stopping}
	ready := func() int {
		w := httptest.NewRecorder()
		h.readyz(w, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/readyz", http.NoBody))
		return w.Code
	}
	if got := ready(); got != http.StatusOK {
		t.Errorf("readyz while running = %d, want 200", got)
	}
	close(stopping) // what cancelling run's context does
	if got := ready(); got != http.StatusServiceUnavailable {
		t.Errorf("readyz after shutdown began = %d, want 503", got)
	}
}

// TestOpsServerRedisDown serves the real listener over a Store whose Redis is gone: /healthz
// fails, /metrics still answers and says so, /readyz follows run's context.
func TestOpsServerRedisDown(t *testing.T) {
	gone := filepath.Join(t.TempDir(), "gone.sock")
	store := storage.New(redis.NewClient(&redis.Options{Network: "unix", Addr: gone, MaxRetries: -1}))
	t.Cleanup(func() { _ = store.Close() })
	log := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	addr := freeAddr(t)
	ops, err := startOps(ctx, addr, store, newMetrics(store, nil, log), log)
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + addr
	tests := []struct {
		path     string
		wantCode int
		wantBody string
	}{
		{"/healthz", http.StatusServiceUnavailable, "redis unreachable"},
		{"/metrics", http.StatusOK, "campaignbot_redis_up 0"},
		{"/readyz", http.StatusOK, "ready"},
	}
	for _, tt := range tests {
		code, body := get(t, base+tt.path)
		if code != tt.wantCode || !strings.Contains(body, tt.wantBody) {
			t.Errorf("GET %s = %d %q, want %d with %q", tt.path, code, body, tt.wantCode, tt.wantBody)
		}
		if strings.Contains(body, gone) {
			t.Errorf("GET %s shows the Redis address", tt.path)
		}
	}
	cancel()
	if code, _ := get(t, base+"/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz after cancel = %d, want 503", code)
	}
	if err := ops.Close(t.Context()); err != nil {
		t.Errorf("Close: %v", err)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/readyz", http.NoBody)
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_ = resp.Body.Close()
		t.Error("listener still answers after Close")
	}
}

// TestRunMetricsAddrInUse: a METRICS_ADDR that cannot be bound stops startup with an error
// naming the listener, rather than running without the probes an orchestrator relies on.
func TestRunMetricsAddrInUse(t *testing.T) {
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	vars := map[string]string{"REDIS_URL": storagetest.Start(t).URL(), "METRICS_ADDR": ln.Addr().String()}
	err = run(t.Context(), nil, env(vars), strings.NewReader(""), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "metrics listener") {
		t.Errorf("run with METRICS_ADDR in use = %v, want a metrics listener error", err)
	}
}

func TestConfigMetricsAddr(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"", "", false},
		{":9090", ":9090", false},
		{" 127.0.0.1:9090 ", "127.0.0.1:9090", false},
		{"[::1]:9090", "[::1]:9090", false},
		{"9090", "", true},
		{"localhost", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			cfg, err := LoadConfig(env(map[string]string{"METRICS_ADDR": tt.in}))
			if (err != nil) != tt.wantErr {
				t.Fatalf("LoadConfig(METRICS_ADDR=%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if err == nil && cfg.MetricsAddr != tt.want {
				t.Errorf("MetricsAddr = %q, want %q", cfg.MetricsAddr, tt.want)
			}
		})
	}
}
