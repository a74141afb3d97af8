package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"campaignbot/campaign"
	"campaignbot/commands"
)

const parseUsage = `usage: campaignbot parse [--now RFC3339] [--tz IANA zone] [--known-companies A,B] [text ...]

Reads one follow-up message (the text arguments) or, with no text, one message per line of stdin,
and writes one JSON object per message: {"ok":true,"person":…,"due":…} or {"ok":false,"code":…,"error":…}.
`

// parsed is the JSON line for a message the parser accepted. Optional fields are null when the
// rep did not say, so a script can tell "not said" from an empty value.
type parsed struct {
	OK           bool     `json:"ok"`
	Person       string   `json:"person"`
	Company      *string  `json:"company"`
	Due          string   `json:"due"`
	Alternatives []string `json:"alternatives"`
	TimeGiven    bool     `json:"time_given"`
	Temperature  *string  `json:"temperature"`
	Channel      *string  `json:"channel"`
	Note         *string  `json:"note"`
}

// refused is the JSON line for a message the parser refused.
type refused struct {
	OK    bool          `json:"ok"`
	Code  campaign.Code `json:"code"`
	Error string        `json:"error"`
}

// runParse is the "parse" subcommand: the parser as a filter, for scripts and for checking what
// the bot would read. A refused message is a JSON line, not an error; errors are bad flags and
// failed reads or writes.
func runParse(args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("parse", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	nowFlag := fs.String("now", "", "the clock, RFC 3339 (default: the current time)")
	tzFlag := fs.String("tz", "UTC", "the rep's IANA time zone")
	known := fs.String("known-companies", "", "comma-separated accounts that are not people")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, err := io.WriteString(stdout, parseUsage)
			return err
		}
		return fmt.Errorf("parse: %w\n%s", err, parseUsage)
	}
	loc, err := time.LoadLocation(*tzFlag)
	if err != nil {
		return fmt.Errorf("parse: --tz %q: %w", *tzFlag, err)
	}
	now := time.Now()
	if *nowFlag != "" {
		if now, err = time.Parse(time.RFC3339, *nowFlag); err != nil {
			return fmt.Errorf("parse: --now %q: want RFC 3339 like 2026-03-04T09:30:00-05:00: %w", *nowFlag, err)
		}
	}
	opts := commands.ParseOptions{Location: loc}
	for c := range strings.SplitSeq(*known, ",") {
		if c = strings.TrimSpace(c); c != "" {
			opts.KnownCompanies = append(opts.KnownCompanies, c)
		}
	}

	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false) // "—" and "&" stay readable; this is not HTML
	write := func(text string) error {
		if err := enc.Encode(parseLine(text, now, opts)); err != nil {
			return fmt.Errorf("parse: write: %w", err)
		}
		return nil
	}
	if fs.NArg() > 0 {
		return write(strings.Join(fs.Args(), " "))
	}
	// One object per input line, an empty line included, so output lines pair with input lines.
	// bufio.Reader rather than Scanner: a line longer than Scanner's buffer must still get its
	// too_long answer, not end the run.
	r := bufio.NewReader(stdin)
	for {
		line, err := r.ReadString('\n')
		if line != "" {
			if werr := write(strings.TrimRight(line, "\r\n")); werr != nil {
				return werr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("parse: read: %w", err)
		}
	}
}

// parseLine runs the parser on one message and shapes the JSON answer.
func parseLine(text string, now time.Time, opts commands.ParseOptions) any {
	d, err := commands.Parse(text, now, opts)
	if err != nil {
		if e, ok := errors.AsType[*campaign.Error](err); ok {
			return refused{Code: e.Code, Error: e.Message}
		}
		return refused{Code: "internal", Error: "Sorry, that failed on my side."}
	}
	out := parsed{
		OK:           true,
		Person:       d.Person,
		Company:      nonEmpty(d.Company),
		Due:          d.Due.Format(time.RFC3339),
		Alternatives: []string{},
		TimeGiven:    d.TimeGiven,
		Temperature:  nonEmpty(string(d.Temperature)),
		Channel:      nonEmpty(string(d.Channel)),
		Note:         nonEmpty(d.Note),
	}
	for _, a := range d.Alternatives {
		out.Alternatives = append(out.Alternatives, a.Format(time.RFC3339))
	}
	return out
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
