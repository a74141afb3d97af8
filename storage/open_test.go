package storage_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"campaignbot/campaign"
	"campaignbot/storage"
	"campaignbot/storage/storagetest"
)

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// logBuffer returns a logger writing text lines into the returned buffer.
func logBuffer() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewTextHandler(&buf, nil)), &buf
}

func redisServerPath(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redis-server is not installed: run ./scripts/test, which installs it (%v)", err)
	}
	return bin
}

// openT opens a Store with o and closes it when the test ends (if the test did not).
func openT(t *testing.T, o storage.Options) *storage.Store {
	t.Helper()
	s, err := storage.Open(t.Context(), o, discard())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestOpenModes runs the same scenario, and so the same Lua scripts, on every backend.
func TestOpenModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mode string
		opts func(t *testing.T) storage.Options
	}{
		{storage.ModeRedis, func(t *testing.T) storage.Options {
			t.Helper()
			return storage.Options{URL: storagetest.Start(t).URL()}
		}},
		{storage.ModeChild, func(t *testing.T) storage.Options {
			t.Helper()
			return storage.Options{DataDir: t.TempDir(), RedisServerPath: redisServerPath(t)}
		}},
		{storage.ModeMemory, func(t *testing.T) storage.Options {
			t.Helper()
			return storage.Options{DataDir: t.TempDir(), RedisServerPath: "/nonexistent/redis-server"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			t.Parallel()
			s := openT(t, tt.opts(t))
			s.Now = func() time.Time { return t0 }
			if got := s.Mode(); got != tt.mode {
				t.Errorf("Mode() = %q, want %q", got, tt.mode)
			}
			scenario(t, s)
		})
	}
}

// scenario exercises every script and the reads behind them.
func scenario(t *testing.T, s *storage.Store) {
	t.Helper()
	ctx := t.Context()
	first := campaign.Note{At: t0, Author: "U1", Text: "met at expo"}
	c, err := s.Create(ctx, jane(), &first)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	dupe := jane()
	dupe.Company = "ACME Inc."
	if _, err := s.Create(ctx, dupe, nil); !isDuplicateOf(err, c.ID) {
		t.Errorf("Create duplicate = %v, want DuplicateError{%s}", err, c.ID)
	}
	raj := jane()
	raj.Person = "Raj"
	raj = mustCreate(t, s, raj)
	raj.Person = "Jane Smith"
	if err := s.Save(ctx, raj); !isDuplicateOf(err, c.ID) {
		t.Errorf("Save onto a duplicate = %v, want DuplicateError{%s}", err, c.ID)
	}
	c.DueAt = c.DueAt.Add(time.Hour)
	mustSave(t, s, c)
	if err := s.AddNote(ctx, team, c.ID, campaign.Note{At: t0, Author: "U1", Text: "called"}); err != nil {
		t.Fatal(err)
	}
	if notes, err := s.Notes(ctx, team, c.ID, 1); err != nil || len(notes) != 1 || notes[0].Text != "called" {
		t.Errorf("Notes = %v, %v", notes, err)
	}
	got, err := s.Get(ctx, team, c.ID)
	if err != nil || !got.DueAt.Equal(c.DueAt) {
		t.Errorf("Get after moving = %v, %v; want due %v", got.DueAt, err, c.DueAt)
	}
	if err := s.Delete(ctx, team, raj.ID); err != nil {
		t.Fatal(err)
	}
	if open, err := s.Open(ctx, team, "U1"); err != nil || len(open) != 1 || open[0].ID != c.ID {
		t.Errorf("Open = %v, %v; want only #%s", open, err, c.ID)
	}
	if ok, err := s.FirstDelivery(ctx, team, "Ev1"); err != nil || !ok {
		t.Errorf("FirstDelivery = %v, %v", ok, err)
	}
	if ok, err := s.FirstDelivery(ctx, team, "Ev1"); err != nil || ok {
		t.Errorf("second FirstDelivery = %v, %v", ok, err)
	}
	if teams, err := s.Teams(ctx); err != nil || len(teams) != 1 {
		t.Errorf("Teams = %v, %v", teams, err)
	}
}

func TestOpenChildPersists(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	o := storage.Options{DataDir: dir, RedisServerPath: redisServerPath(t)}
	ctx := t.Context()

	s, err := storage.Open(ctx, o, discard())
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Create(ctx, jane(), &campaign.Note{At: t0, Author: "U1", Text: "typed yesterday"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	// Close waits for redis-server to exit, which removes its pid file.
	if _, err := os.Stat(filepath.Join(dir, "redis.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pid file after Close: %v, want it gone", err)
	}

	s2 := openT(t, o)
	got, err := s2.Get(ctx, team, c.ID)
	if err != nil {
		t.Fatalf("Get after restart: %v", err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("campaign after restart (-before +after):\n%s", diff)
	}
	if notes, err := s2.Notes(ctx, team, c.ID, 0); err != nil || len(notes) != 1 {
		t.Errorf("notes after restart = %v, %v", notes, err)
	}
	// The restarted store keeps numbering where the first left off.
	next := jane()
	next.Person = "Raj"
	if got := mustCreate(t, s2, next).ID; got != "2" {
		t.Errorf("next ID after restart = %q, want 2", got)
	}
}

func TestOpenChildInUse(t *testing.T) {
	t.Parallel()
	o := storage.Options{DataDir: t.TempDir(), RedisServerPath: redisServerPath(t)}
	s := openT(t, o)
	_, err := storage.Open(t.Context(), o, discard())
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second Open on the same data dir = %v, want an in-use error", err)
	}
	if _, err := s.Teams(t.Context()); err != nil {
		t.Errorf("the first server stopped working: %v", err)
	}
}

func TestOpenChildStale(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A crashed run leaves a socket file nobody listens on and the pid of a dead process.
	dead := exec.CommandContext(t.Context(), "true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "redis.sock"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "redis.pid"), []byte(strconv.Itoa(dead.Process.Pid)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	log, buf := logBuffer()
	s, err := storage.Open(t.Context(), storage.Options{DataDir: dir, RedisServerPath: redisServerPath(t)}, log)
	if err != nil {
		t.Fatalf("Open over stale files: %v", err)
	}
	defer func() { _ = s.Close() }()
	if !strings.Contains(buf.String(), "stale redis socket removed") {
		t.Errorf("log does not mention the stale socket:\n%s", buf)
	}
	mustCreate(t, s, jane())
}

func TestOpenMemoryWarnsOnce(t *testing.T) {
	t.Parallel()
	log, buf := logBuffer()
	s, err := storage.Open(t.Context(), storage.Options{RedisServerPath: "/nonexistent"}, log)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "level=WARN") || !strings.Contains(lines[0], "REDIS_URL") {
		t.Errorf("log = %q, want one warning that names REDIS_URL", lines)
	}
}

func TestOpenURLHidesPassword(t *testing.T) {
	t.Parallel()
	const secret = "s3cretPassw0rd"
	tests := []struct{ name, url string }{
		{"refused", "redis://bot:" + secret + "@127.0.0.1:1/0"},
		{"bad port", "redis://bot:" + secret + "@localhost:nope/0"},
		{"bad db", "redis://bot:" + secret + "@localhost:6379/x"},
		{"bad scheme", "http://bot:" + secret + "@localhost/"},
		{"query password", "redis://localhost:1/0?password=" + secret},
		{"unix", "unix://bot:" + secret + "@/nonexistent/redis.sock"},
		{"cluster refused", "redis+cluster://bot:" + secret + "@127.0.0.1:1?addr=127.0.0.1:2"},
		{"cluster bad option", "rediss+cluster://bot:" + secret + "@localhost:1?dial_timeout=soon"},
		{"cluster bad port", "redis+cluster://bot:" + secret + "@localhost:nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			log, buf := logBuffer()
			s, err := storage.Open(t.Context(), storage.Options{URL: tt.url}, log)
			if err == nil {
				_ = s.Close()
				t.Fatal("Open succeeded, want an error")
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(buf.String(), secret) {
				t.Errorf("password leaked:\nerr: %v\nlog: %s", err, buf)
			}
		})
	}
	if got := storage.RedactURL("rediss://bot:" + secret + "@db.example:6380/2?x=" + secret); got != "rediss://bot:xxxxx@db.example:6380/2" {
		t.Errorf("RedactURL = %q", got)
	}
}

func TestOpenURLUnix(t *testing.T) {
	t.Parallel()
	srv := storagetest.Start(t, "--requirepass", "pw")
	log, buf := logBuffer()
	s, err := storage.Open(t.Context(), storage.Options{URL: "unix://:pw@" + srv.Socket}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	if strings.Contains(buf.String(), ":pw@") {
		t.Errorf("log shows the password: %s", buf)
	}
	mustCreate(t, s, jane())
}

// TestOpenChildAfterCrash kills a bot (a copy of this test binary) that runs a child
// redis-server. The kernel stops the server (Pdeathsig), and the next Open on the same data
// dir starts cleanly and finds the data.
func TestOpenChildAfterCrash(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bot := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestHelperBot$")
	bot.Env = append(os.Environ(), "STORAGE_HELPER_DIR="+dir)
	out, err := bot.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := bot.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make([]byte, 6)
	if _, err := out.Read(ready); err != nil || string(ready) != "ready\n" {
		_ = bot.Process.Kill()
		t.Fatalf("helper bot said %q, %v", ready, err)
	}
	_ = bot.Process.Kill()
	_ = bot.Wait()

	var s *storage.Store
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if s, err = storage.Open(t.Context(), storage.Options{DataDir: dir, RedisServerPath: redisServerPath(t)}, discard()); err == nil {
			break
		}
		if time.Now().After(deadline) { // the orphaned server never stopped
			t.Fatalf("Open after the crash: %v", err)
		}
	}
	defer func() { _ = s.Close() }()
	if _, err := s.Get(t.Context(), team, "1"); err != nil {
		t.Errorf("campaign created before the crash: %v", err)
	}
}

// TestHelperBot is the crashing bot of TestOpenChildAfterCrash; it does nothing in a normal run.
func TestHelperBot(t *testing.T) {
	dir := os.Getenv("STORAGE_HELPER_DIR")
	if dir == "" {
		return
	}
	s, err := storage.Open(t.Context(), storage.Options{DataDir: dir}, discard())
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, jane())
	fmt.Println("ready")
	time.Sleep(time.Minute) // killed long before this
}
