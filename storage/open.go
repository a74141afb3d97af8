package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Options chooses where campaigns are kept. The zero value runs a local redis-server in ./data,
// or keeps data in memory if there is none.
type Options struct {
	// URL is REDIS_URL: redis://, rediss:// (TLS) or unix://, as go-redis ParseURL reads it, or
	// redis+cluster:// (rediss+cluster:// with TLS) for a Redis Cluster, naming one node in the
	// host and others in addr= parameters, as go-redis ParseClusterURL reads it:
	// redis+cluster://:pw@10.0.0.1:6379?addr=10.0.0.2:6379&addr=10.0.0.3:6379. It may carry a
	// password, so it never appears in logs or errors.
	URL string
	// DataDir is where a child redis-server keeps its socket, AOF and log (default "./data").
	DataDir string
	// RedisServerPath is the redis-server binary for child mode. Empty means "redis-server" on
	// PATH; a path that does not exist means there is none, which selects in-memory mode.
	RedisServerPath string
}

// Backend modes, as Store.Mode reports them.
const (
	ModeRedis  = "redis"
	ModeChild  = "redis-server child"
	ModeMemory = "in-memory"
)

// startTimeout bounds how long a child redis-server may take to answer PING; loading a large AOF
// is the slow case.
const startTimeout = 30 * time.Second

// stopTimeout is how long a child redis-server gets to flush its AOF after SIGTERM.
const stopTimeout = 10 * time.Second

// Open connects to the backend Options select, in this order: the Redis at URL; else a
// redis-server started as a child process with its data (AOF, fsync every second) in DataDir, so
// campaigns typed yesterday are there today; else an in-process miniredis that forgets
// everything on exit, announced by one warning. The same code and Lua scripts run in every mode.
// Close the Store last on shutdown: it stops the child server.
func Open(ctx context.Context, o Options, log *slog.Logger) (*Store, error) {
	if o.URL != "" {
		return openURL(ctx, o.URL, log)
	}
	bin := o.RedisServerPath
	if bin == "" {
		bin, _ = exec.LookPath("redis-server")
	} else if _, err := os.Stat(bin); err != nil {
		bin = ""
	}
	if bin != "" {
		return openChild(ctx, bin, cmp.Or(o.DataDir, "./data"), log)
	}
	return openMemory(ctx, log)
}

// RedactURL returns u with any password and query replaced, for logs. It never fails: a URL it
// cannot parse is not shown at all.
func RedactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparseable URL)"
	}
	p.RawQuery = ""
	p.Fragment = ""
	return p.Redacted()
}

// Cluster URL schemes: the go-redis scheme with "+cluster" appended.
const (
	clusterScheme    = "redis+cluster://"
	clusterTLSScheme = "rediss+cluster://"
)

func openURL(ctx context.Context, rawURL string, log *slog.Logger) (*Store, error) {
	redacted := RedactURL(rawURL)
	rdb, err := newURLClient(rawURL)
	if err != nil {
		// go-redis and net/url quote the whole URL in some errors; keep only the cause.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return nil, fmt.Errorf("parse REDIS_URL %s: %s", redacted, strings.ReplaceAll(err.Error(), rawURL, redacted))
	}
	s := New(rdb)
	s.mode = ModeRedis
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("connect to redis at %s: %w", redacted, err)
	}
	log.InfoContext(ctx, "redis connected", "url", redacted)
	return s, nil
}

// newURLClient returns a cluster client for the +cluster schemes and a plain client otherwise.
// Every key of a workspace carries its hash tag, so the same scripts run on both.
func newURLClient(rawURL string) (redis.UniversalClient, error) {
	lower := strings.ToLower(rawURL)
	for _, scheme := range []string{clusterScheme, clusterTLSScheme} {
		if strings.HasPrefix(lower, scheme) {
			plain := strings.TrimSuffix(scheme, "+cluster://") + "://" + rawURL[len(scheme):]
			opts, err := redis.ParseClusterURL(plain)
			if ue, ok := errors.AsType[*url.Error](err); ok {
				return nil, ue.Err // its URL is plain, which the caller would not redact
			}
			if err != nil {
				return nil, err
			}
			return redis.NewClusterClient(opts), nil
		}
	}
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	return redis.NewClient(opts), nil
}

func openMemory(ctx context.Context, log *slog.Logger) (*Store, error) {
	m := miniredis.NewMiniRedis()
	m.ClockTTL(true) // event dedupe keys must expire with the wall clock
	if err := m.Start(); err != nil {
		return nil, fmt.Errorf("start in-memory redis: %w", err)
	}
	s := New(redis.NewClient(&redis.Options{Addr: m.Addr()}))
	s.mode = ModeMemory
	s.stop = func() error { m.Close(); return nil }
	log.WarnContext(ctx, "campaigns are kept in memory and lost on exit; install redis-server or set REDIS_URL to keep them")
	return s, nil
}

// openChild runs redis-server with its data in dir and connects over a unix socket there.
func openChild(ctx context.Context, bin, dir string, log *slog.Logger) (*Store, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	sock := filepath.Join(dir, "redis.sock")
	if len(sock) > 100 { // sockaddr_un holds 108 bytes on Linux, 104 on macOS
		return nil, fmt.Errorf("data dir %s: path too long for a unix socket; choose a shorter DATA_DIR", dir)
	}
	if err := clearStale(ctx, dir, sock, log); err != nil {
		return nil, err
	}
	// Not cancelled with ctx: the server must outlive the start-up context and stop last, in
	// Close, after the bot has drained (shutdown order).
	cmd := exec.CommandContext(context.WithoutCancel(ctx), bin,
		"--port", "0", "--unixsocket", sock, "--unixsocketperm", "700", "--dir", dir,
		"--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
		"--pidfile", filepath.Join(dir, "redis.pid"), "--logfile", filepath.Join(dir, "redis.log"),
		"--daemonize", "no")
	cmd.SysProcAttr = childAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start redis-server: %w", err)
	}
	// exited closes when the process ends; waitErr is safe to read after that.
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	stop := func() error {
		select {
		case <-exited: // it died on its own; say why
			if waitErr != nil {
				return fmt.Errorf("redis-server exited early: %w", waitErr)
			}
			return nil
		default:
		}
		_ = cmd.Process.Signal(syscall.SIGTERM) // redis-server flushes its AOF and exits
		select {
		case <-exited:
			return nil
		case <-time.After(stopTimeout):
			_ = cmd.Process.Kill()
			<-exited
			return errors.New("redis-server did not stop within " + stopTimeout.String() + "; killed")
		}
	}

	s := New(redis.NewClient(&redis.Options{Network: "unix", Addr: sock}))
	s.mode = ModeChild
	s.stop = stop
	if err := waitPing(ctx, s.rdb, exited); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("start redis-server (log: %s): %w", filepath.Join(dir, "redis.log"), err)
	}
	log.InfoContext(ctx, "redis-server started", "pid", cmd.Process.Pid, "data_dir", dir)
	return s, nil
}

// clearStale makes sure no live server owns dir, then removes what a crashed one left behind.
// redis-server itself unlinks an existing socket file before binding, which would silently steal
// the socket of a server still running there, so liveness is checked first.
func clearStale(ctx context.Context, dir, sock string, log *slog.Logger) error {
	d := net.Dialer{Timeout: time.Second}
	if c, err := d.DialContext(ctx, "unix", sock); err == nil {
		_ = c.Close()
		return fmt.Errorf("data dir %s is in use by a running redis-server (another campaignbot?); stop it or set DATA_DIR", dir)
	}
	pidFile := filepath.Join(dir, "redis.pid")
	if b, err := os.ReadFile(pidFile); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 && isRedisServer(pid) {
			return fmt.Errorf("data dir %s is in use by redis-server pid %d; stop it or set DATA_DIR", dir, pid)
		}
		log.InfoContext(ctx, "stale redis pid file removed", "path", pidFile)
		_ = os.Remove(pidFile)
	}
	if _, err := os.Stat(sock); err == nil {
		log.InfoContext(ctx, "stale redis socket removed", "path", sock)
		_ = os.Remove(sock)
	}
	return nil
}

// waitPing polls until the server answers; polling is the only readiness signal redis-server
// gives. It gives up when the process exits, the context ends or startTimeout passes.
func waitPing(ctx context.Context, rdb redis.UniversalClient, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		pctx, pcancel := context.WithTimeout(ctx, time.Second)
		err := rdb.Ping(pctx).Err()
		pcancel()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return errors.New("redis-server exited during start")
		case <-ctx.Done():
			return fmt.Errorf("redis-server did not answer: %w", errors.Join(ctx.Err(), err))
		case <-tick.C:
		}
	}
}
