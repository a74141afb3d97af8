package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"campaignbot/campaign"
)

// Message is one thing a rep said, from any adapter.
type Message struct {
	Team    string // workspace ID
	User    string // the rep's user ID; every command acts only on this rep's campaigns
	Channel string // where the message came from, for logging
	Text    string
	// Location is the rep's zone from their chat profile; nil means the handler's default zone.
	Location *time.Location
}

// Handler answers reps' messages. It is safe for concurrent use.
type Handler struct {
	store      Store
	log        *slog.Logger
	defaultLoc *time.Location
	grace      int
	managers   atomic.Pointer[map[string]bool] // replaced whole by SetManagers, read lock-free
	// Now is the clock; tests replace it. It defaults to time.Now.
	Now func() time.Time
}

// New returns a handler that keeps campaigns in store. defaultLoc is the zone for reps whose
// chat profile has none (DEFAULT_TZ).
func New(store Store, defaultLoc *time.Location, log *slog.Logger) *Handler {
	if defaultLoc == nil {
		defaultLoc = time.UTC
	}
	return &Handler{store: store, log: log, defaultLoc: defaultLoc, grace: campaign.DefaultGrace, Now: time.Now}
}

// Length limits. Notes share one size-capped log per campaign (storage keeps the newest when it
// overflows), so one pasted essay must not push out the history; a sentence is what reps type.
const (
	maxNoteLen    = 2000
	maxMessageLen = 4000
)

// apology is all a rep sees of an internal error; the details go to the log.
const apology = "Sorry, that failed on my side. Nothing was changed, and it's been logged — please try again in a minute."

// Handle runs one message and returns the reply. Rep mistakes come back as a one-sentence
// explanation with Refused set; internal errors are logged here, once, and the rep gets an apology.
func (h *Handler) Handle(ctx context.Context, m Message) Reply {
	r, err := h.dispatch(ctx, h.request(m))
	if err == nil {
		return r
	}
	if r, ok := errorsIsChoice(err); ok {
		return r
	}
	if e, ok := errors.AsType[*campaign.Error](err); ok {
		return Reply{Text: e.Message, Refused: true}
	}
	h.log.ErrorContext(ctx, "command failed", "err", err, "user", m.User, "team", m.Team, "channel", m.Channel)
	return Reply{Text: apology, Refused: true, Failed: true}
}

// request is one message being handled, with its clock reading and zone fixed up front so every
// date in one reply agrees.
type request struct {
	Message
	now  time.Time
	loc  *time.Location
	text string // cleaned text: bot mention stripped, whitespace folded
	// cal is the rep's working calendar in loc, time off included; lapsing is judged on it.
	cal campaign.Calendar
	// newPerson is set by "new …": the rep confirmed the person is not one they already court
	// under a longer or shorter name.
	newPerson bool
}

var leadingMention = regexp.MustCompile(`^\s*<@[A-Z0-9]+>[\s,:]*`)

func (h *Handler) request(m Message) request {
	loc := m.Location
	if loc == nil {
		loc = h.defaultLoc
	}
	text := leadingMention.ReplaceAllString(m.Text, "")
	text = strings.Join(strings.Fields(text), " ")
	return request{Message: m, now: h.Now(), loc: loc, text: text, cal: campaign.WorkWeek(loc)}
}

// verb splits the first word off the text, lower-cased.
func verb(text string) (string, string) {
	first, rest, _ := strings.Cut(text, " ")
	return strings.ToLower(strings.Trim(first, ",.:!?")), strings.TrimSpace(rest)
}

// touchVerbs are past-tense reports of a touch: "called Jane at Acme, voicemail, next week"
// means the same as "done Jane, voicemail, next week".
var touchVerbs = map[string]bool{
	"done": true, "did": true, "called": true, "emailed": true, "texted": true, "met": true,
	"visited": true, "pinged": true, "messaged": true, "spoke": true, "talked": true, "touched": true,
}

func (h *Handler) dispatch(ctx context.Context, r request) (Reply, error) {
	if r.text == "" {
		return Reply{Text: helpText}, nil
	}
	rep, err := h.rememberZone(ctx, r)
	if err != nil {
		return Reply{}, err
	}
	r.cal = rep.CalendarIn(r.loc)
	if utf8.RuneCountInString(r.text) > maxMessageLen {
		return Reply{}, campaign.Errorf(campaign.Invalid, "That message is over %d characters — say it in a sentence or two, and put long notes in separate \"note\" messages.", maxMessageLen)
	}
	v, rest := verb(r.text)
	switch {
	case v == "help" || v == "?" || v == "hi" || v == "hello":
		return Reply{Text: helpText}, nil
	case v == "new" && rest != "":
		r.text, r.newPerson = rest, true
		return h.logFollowUp(ctx, r)
	case touchVerbs[v]:
		if v == "spoke" || v == "talked" {
			rest = strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(rest, "with "), "to "))
		}
		return h.done(ctx, r, v, rest)
	case v == "snooze":
		return h.snooze(ctx, r, rest)
	case v == "move" || v == "reschedule" || v == "push":
		return h.move(ctx, r, v, rest)
	case v == "hot" || v == "warm" || v == "cold":
		return h.temperature(ctx, r, v, rest, campaign.Temperature(v))
	case v == "note":
		return h.note(ctx, r, rest)
	case v == "close":
		return h.close(ctx, r, rest)
	case v == "undo":
		return h.undo(ctx, r, rest)
	case v == "qualify":
		return h.qualify(ctx, r, rest)
	case v == "list" || v == "today" || v == "overdue" || v == "find" || (v == "this" && strings.EqualFold(rest, "week")):
		return h.list(ctx, r, v, rest)
	case v == "leaderboard" || v == "board" || v == "ranking":
		return h.leaderboard(ctx, r)
	case v == "history":
		return h.history(ctx, r, rest)
	case v == "team":
		return h.team(ctx, r)
	case v == "export":
		return h.export(ctx, r, rest)
	case v == "start":
		return h.startDate(ctx, r, rest)
	case v == "stats" || v == "status":
		return h.stats(ctx, r)
	case v == "away":
		return h.away(ctx, r, rest)
	case v == "back":
		return h.back(ctx, r)
	case v == "hours":
		return h.hours(ctx, r, rest)
	case v == "digest":
		return h.digest(ctx, r, rest)
	}
	if target, temp, ok := temperatureStatement(r.text); ok {
		return h.temperature(ctx, r, string(temp), target, temp)
	}
	return h.logFollowUp(ctx, r)
}

// isTemperature matches "Jane is hot" and "#4f2 is warm".
var isTemperature = regexp.MustCompile(`(?i)^(.+?)\s+is\s+(?:now\s+)?(hot|warm|cold)[.!]?$`)

func temperatureStatement(text string) (target string, t campaign.Temperature, ok bool) {
	m := isTemperature.FindStringSubmatch(text)
	if m == nil {
		return "", "", false
	}
	t, ok = campaign.ParseTemperature(m[2])
	return m[1], t, ok
}

// rememberZone loads the rep's settings and stores their chat time zone the first time it is seen
// or when it changes, so the scheduler sends reminders at the rep's 9:00 rather than the server's.
func (h *Handler) rememberZone(ctx context.Context, r request) (campaign.Rep, error) {
	rep, err := h.store.Rep(ctx, r.Team, r.User)
	if err != nil {
		return rep, fmt.Errorf("load rep %s: %w", r.User, err)
	}
	if r.Location == nil || rep.TZ == r.Location.String() {
		return rep, nil
	}
	rep.Team, rep.User, rep.TZ = r.Team, r.User, r.Location.String()
	if err := h.store.SaveRep(ctx, rep); err != nil {
		return rep, fmt.Errorf("save rep %s zone: %w", r.User, err)
	}
	return rep, nil
}

// parseOptions are the parser's view of this rep: their zone and the workspace's accounts, so a
// company typed where a person belongs is caught.
func (h *Handler) parseOptions(r request, companies []string) ParseOptions {
	return ParseOptions{Location: r.loc, KnownCompanies: companies}
}
