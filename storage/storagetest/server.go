package storagetest

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is a running redis-server owned by one test.
type Server struct {
	// Socket is the path of the server's unix socket.
	Socket string
	// Dir is the server's working directory, where an AOF lands if one is enabled.
	Dir string
}

// URL returns a redis:// style URL for the server, as REDIS_URL would hold it.
func (s *Server) URL() string { return "unix://" + s.Socket }

// Start launches redis-server with extra arguments (for example "--appendonly", "yes") and stops
// it when the test ends. It fails the test, naming the script that installs Redis, if the binary
// is missing: a test that needs Redis never skips.
func Start(tb testing.TB, args ...string) *Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatalf("redis-server is not installed: run ./scripts/test, which installs it (%v)", err)
	}
	dir := tb.TempDir()
	sock := filepath.Join(dir, "redis.sock")
	base := []string{
		"--port", "0", "--unixsocket", sock, "--unixsocketperm", "700",
		"--dir", dir, "--save", "", "--appendonly", "no", "--logfile", filepath.Join(dir, "redis.log"),
	}
	// The server outlives no test: Cleanup kills it, so the command needs no cancellation of its own.
	cmd := exec.CommandContext(context.WithoutCancel(tb.Context()), bin, append(base, args...)...)
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start redis-server: %v", err)
	}
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	s := &Server{Socket: sock, Dir: dir}
	waitReady(tb, sock)
	return s
}

// waitReady pings until the server answers. Polling is the only signal redis-server gives that it
// is listening; the deadline is generous because CI machines are shared.
func waitReady(tb testing.TB, sock string) {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Network: "unix", Addr: sock, MaxRetries: -1})
	defer func() { _ = c.Close() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(tb.Context(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil || strings.HasPrefix(err.Error(), "NOAUTH") { // answering, with a password set
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("redis-server did not answer on %s: %v", sock, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// NewClient starts a private redis-server and returns a client for it. The client closes before
// the server stops (cleanups run last-in, first-out).
func NewClient(tb testing.TB, args ...string) *redis.Client {
	tb.Helper()
	s := Start(tb, args...)
	c := redis.NewClient(&redis.Options{Network: "unix", Addr: s.Socket})
	tb.Cleanup(func() { _ = c.Close() })
	return c
}
