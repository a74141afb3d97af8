// Command campaignbot is a Slack bot that keeps staffing-sales reps honest about their active
// campaigns. With no Slack tokens it runs a console session on an embedded store; see README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"golang.org/x/sync/errgroup"

	"campaignbot/bot"
	"campaignbot/commands"
	"campaignbot/scheduler"
	"campaignbot/storage"
)

// Console identity: one rep in one workspace, so data typed in console mode stays together.
const (
	consoleTeam = "console"
	consoleUser = "me"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "campaignbot:", err)
		os.Exit(1)
	}
}

// run is the whole program with its inputs made explicit, so tests can drive it end to end.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "parse":
			return runParse(args[1:], stdin, stdout)
		case "export":
			return runExport(ctx, args[1:], getenv, stdout)
		case "import":
			return runImport(ctx, args[1:], getenv, stdout)
		}
		return fmt.Errorf("unknown command %q: run with no arguments to start the bot, or use parse, export or import", args[0])
	}
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)

	store, err := storage.Open(ctx, storage.Options{URL: cfg.RedisURL.Reveal(), DataDir: cfg.DataDir}, log.With("component", "storage"))
	if err != nil {
		return fmt.Errorf("open storage: %w", err)
	}
	log.InfoContext(ctx, "storage ready", "mode", store.Mode())

	handler := commands.New(store, cfg.DefaultTZ, log.With("component", "commands"))
	handler.SetManagers(cfg.Managers)
	var ops *opsServer // nil unless METRICS_ADDR is set
	if cfg.MetricsAddr != "" {
		m := newMetrics(store, cfg.DefaultTZ, log.With("component", "metrics"))
		if ops, err = startOps(ctx, cfg.MetricsAddr, store, m, log.With("component", "ops")); err != nil {
			return errors.Join(err, store.Close())
		}
	}
	schedCfg := scheduler.Config{TeamChannel: cfg.TeamChannel, DefaultLocation: cfg.DefaultTZ, Observer: ops.schedulerObserver()}

	// Shutdown order: the chat adapter stops taking messages and finishes those in flight, the
	// scheduler finishes its sends and releases its leases, the metrics listener (which kept
	// answering probes meanwhile, /readyz with 503) closes, and only then does Redis close.
	var runErr error
	if cfg.SlackMode() {
		runErr = runSlack(ctx, cfg, store, handler, schedCfg, ops, log)
	} else {
		runErr = runConsole(ctx, cfg, store, handler, schedCfg, stdin, stdout, log)
	}
	return errors.Join(runErr, ops.Close(ctx), store.Close())
}

func runSlack(ctx context.Context, cfg Config, store *storage.Store, h *commands.Handler, schedCfg scheduler.Config, ops *opsServer, log *slog.Logger) error {
	slack := bot.NewSlack(bot.SlackConfig{
		BotToken:        cfg.SlackBotToken.Reveal(),
		AppToken:        cfg.SlackAppToken.Reveal(),
		APIURL:          cfg.SlackAPIURL,
		Dedupe:          store,
		DefaultLocation: cfg.DefaultTZ,
		Observer:        ops.botObserver(),
	}, log.With("component", "slack"))
	ops.watchChat(slack.Connected)
	sched := scheduler.New(store, slack, schedCfg, log.With("component", "scheduler"))
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return slack.Run(gctx, h) })
	g.Go(func() error { return sched.Run(gctx) })
	return ignoreCanceled(g.Wait())
}

// runConsole runs until stdin ends or a signal arrives; the scheduler prints reminders between
// replies for as long as the session lasts.
func runConsole(ctx context.Context, cfg Config, store *storage.Store, h *commands.Handler, schedCfg scheduler.Config, stdin io.Reader, stdout io.Writer, log *slog.Logger) error {
	console := &bot.Console{
		In: stdin, Out: stdout, Team: consoleTeam, User: consoleUser, Location: cfg.DefaultTZ, Prompt: isTerminal(stdin),
		ExportDir: filepath.Join(cfg.DataDir, "exports"), // "export" saves its CSV here
		Log:       log.With("component", "console"),
	}
	sched := scheduler.New(store, console, schedCfg, log.With("component", "scheduler"))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer cancel() // end of input ends the session
		return console.Run(gctx, h)
	})
	g.Go(func() error { return sched.Run(gctx) })
	return ignoreCanceled(g.Wait())
}

func ignoreCanceled(err error) error {
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// newLogger writes JSON for log collectors in Slack mode and readable text in the console.
func newLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.SlackMode() {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// isTerminal reports whether r is an interactive terminal, where a prompt helps; piped input
// gets none so its output stays clean.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
