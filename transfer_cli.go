package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"campaignbot/commands"
	"campaignbot/storage"
)

const exportUsage = `usage: campaignbot export --team T… [--owner U…] > campaigns.csv

Writes every campaign of the workspace (or of one rep), open and closed, as CSV on stdout: one row
per campaign with every field and the whole notes log. Cells that a spreadsheet would run as a
formula start with an apostrophe. Reads REDIS_URL, else the redis-server in DATA_DIR (./data).
`

const importUsage = `usage: campaignbot import --team T… [--owner U…] [--dry-run] [--tz zone] file.csv

Reads person, company, next follow-up date (2026-03-17, 3/17/2026 or "next Tuesday 3pm"),
temperature, qualified and notes columns, matched by header name, and prints what it creates,
which rows duplicate a campaign already open (left as they are) and which are rejected, by line.
If any row is rejected nothing is written and the exit status is 1; otherwise the whole file is
written in one atomic step. Importing the same file again changes nothing. An export file is
read back with its status, times and notes; without --owner its owner column is used.
`

// runExport is the "export" subcommand.
func runExport(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	team := fs.String("team", "", "the Slack workspace (team) ID")
	owner := fs.String("owner", "", "only this rep's campaigns (Slack user ID)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, err := io.WriteString(stdout, exportUsage)
			return err
		}
		return fmt.Errorf("export: %w\n%s", err, exportUsage)
	}
	if *team == "" || fs.NArg() > 0 {
		return fmt.Errorf("export: give --team and no other arguments\n%s", exportUsage)
	}
	store, err := openTransferStore(ctx, getenv)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	_, err = commands.Export(ctx, stdout, store, *team, *owner)
	return errors.Join(err, store.Close())
}

// runImport is the "import" subcommand. The report goes to stdout whatever happens; the error
// says why the exit status is not zero.
func runImport(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	team := fs.String("team", "", "the Slack workspace (team) ID")
	owner := fs.String("owner", "", "the rep (Slack user ID) the campaigns are for; default: the file's owner column")
	dryRun := fs.Bool("dry-run", false, "report what would happen and write nothing")
	tz := fs.String("tz", "", "IANA zone for dates without one (default DEFAULT_TZ, else the machine's)")
	nowFlag := fs.String("now", "", "the clock dates are judged against, RFC 3339 (default: the current time)")
	// flag stops at the first argument that is not a flag; the file may come before the flags.
	var files []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				_, err := io.WriteString(stdout, importUsage)
				return err
			}
			return fmt.Errorf("import: %w\n%s", err, importUsage)
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if *team == "" || len(files) != 1 {
		return fmt.Errorf("import: give --team and exactly one file\n%s", importUsage)
	}
	loc, err := time.LoadLocation(orDefault(*tz, orDefault(getenv("DEFAULT_TZ"), "Local")))
	if err != nil {
		return fmt.Errorf("import: time zone: %w", err)
	}
	now := time.Now()
	if *nowFlag != "" {
		if now, err = time.Parse(time.RFC3339, *nowFlag); err != nil {
			return fmt.Errorf("import: --now %q: want RFC 3339 like 2026-03-04T09:30:00-05:00: %w", *nowFlag, err)
		}
	}
	f, err := os.Open(files[0])
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer func() { _ = f.Close() }() // read-only: a close error loses nothing

	store, err := openTransferStore(ctx, getenv)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	err = importFile(ctx, store, f, commands.ImportOptions{Team: *team, Owner: *owner, Now: now, Location: loc}, *dryRun, stdout)
	return errors.Join(err, store.Close())
}

func importFile(ctx context.Context, store *storage.Store, r io.Reader, opts commands.ImportOptions, dryRun bool, stdout io.Writer) error {
	plan, err := commands.PlanImport(ctx, store, r, opts)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if !dryRun && !plan.Rejected() {
		if err := plan.Apply(ctx, store); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	if err := plan.Report.Write(stdout, opts.Location); err != nil {
		return fmt.Errorf("import: write report: %w", err)
	}
	if n := plan.Report.Count(commands.Reject); n > 0 {
		return fmt.Errorf("import: %d of %d rows rejected; nothing was written", n, len(plan.Report.Rows))
	}
	return nil
}

// openTransferStore opens the bot's store as main does, but refuses the in-memory fallback: an
// export from it would be empty and an import into it lost on exit.
func openTransferStore(ctx context.Context, getenv func(string) string) (*storage.Store, error) {
	// Storage's startup lines are for the bot's operators; stdout carries the CSV or the report.
	log := slog.New(slog.DiscardHandler)
	store, err := storage.Open(ctx, storage.Options{URL: storeURL(getenv).Reveal(), DataDir: storeDir(getenv)}, log)
	if err != nil {
		return nil, fmt.Errorf("open storage: %w", err)
	}
	if store.Mode() == storage.ModeMemory {
		return nil, errors.Join(errors.New("no Redis to read or write: set REDIS_URL or install redis-server"), store.Close())
	}
	return store, nil
}
