package commands

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"campaignbot/campaign"
)

// outcomeWords are how a rep says a campaign ended. "left" alone is not one: "left voicemail" is
// a touch, so leaving needs "left company" or "left the company".
const outcomeWords = `(won|lost|left\s+(?:the\s+)?company|left)`

// closeOutcome reads the outcome at the end of a close command: "Jane won", "#4 left company".
var closeOutcome = regexp.MustCompile(`(?i)^(.*?)[\s,]+` + outcomeWords + `\b[\s,:;.—-]*(.*)$`)

// doneOutcome finds "close won" / "closed lost" / "close left company" inside a done message, or
// an outcome standing alone between commas ("done Jane, won, signed MSA").
var doneOutcome = regexp.MustCompile(`(?i)(?:^|[\s,;])(?:close[ds]?\s+` + outcomeWords + `|(won|lost|left\s+(?:the\s+)?company)\s*(?:$|[,;.]))`)

// findDoneOutcome returns the outcome in rest and rest without it, or ok false.
func findDoneOutcome(rest string) (outcome, note string, ok bool) {
	loc := doneOutcome.FindStringSubmatchIndex(rest)
	if loc == nil {
		return "", rest, false
	}
	if loc[2] >= 0 {
		outcome = rest[loc[2]:loc[3]]
	} else {
		outcome = rest[loc[4]:loc[5]]
	}
	return outcome, strings.Trim(rest[:loc[0]]+" "+rest[loc[1]:], " ,;:.—-"), true
}

// bareDuration is "1 hour", "for 2 days", "30 mins" at the end of a snooze: the rep means "in".
var bareDuration = regexp.MustCompile(`(?i)\s+(?:for\s+)?((?:\d+|an?|one|two|three)\s+(?:minutes?|mins?|hours?|hrs?|days?|weeks?))$`)

// splitTarget separates the campaign a command names from the rest: "#4 next Friday",
// "Jane, voicemail, next week", "Jane at Acme next week".
func (h *Handler) splitTarget(r request, body string) (target, rest string, m *Moment) {
	if id, after, ok := splitRef(body); ok {
		return "#" + id, strings.TrimLeft(after, " ,:;"), nil
	}
	if before, after, ok := strings.Cut(body, ","); ok {
		return before, strings.TrimSpace(after), nil
	}
	// No comma: the date phrase, if any, marks where the name ends.
	if mo, left, err := ExtractMoment(body, r.now, h.parseOptions(r, nil)); err == nil {
		return left, "", &mo
	}
	return body, "", nil
}

// moment reads the date in text, falling back to fallback when text has none.
func (h *Handler) moment(r request, text string) (Moment, string, error) {
	text = strings.Trim(text, " ,;:.")
	if text == "" {
		return Moment{}, "", noDateError("")
	}
	m, rest, err := ExtractMoment(text, r.now, h.parseOptions(r, nil))
	return m, strings.Trim(rest, " ,;:.—-"), err
}

// done records a touch ("done Jane, voicemail, next Friday") and sets the next follow-up in the
// same step, or closes the campaign when the rep gives an outcome ("done Jane, close won").
func (h *Handler) done(ctx context.Context, r request, v, body string) (Reply, error) {
	target, rest, m := h.splitTarget(r, body)
	c, err := h.resolve(ctx, r, target, func(ref string) string { return "done " + ref + ", " + rest + momentSuffix(m, r) })
	if err != nil {
		return Reply{}, err
	}
	if !c.Status.Open() {
		return Reply{}, closedError(c)
	}
	if outcome, note, ok := findDoneOutcome(rest); ok {
		return h.closeWith(ctx, r, c, outcome, note)
	}
	note := rest
	if m == nil {
		mo, left, err := h.moment(r, rest)
		switch {
		case campaign.ErrorCode(err) == CodeNoDate:
			// Done without a next date would leave the campaign undated; ask instead of guessing.
			cmd := "done " + Ref(c.ID) + ","
			if rest != "" {
				cmd += " " + rest
			}
			return Reply{
				Text:    fmt.Sprintf("When's the next follow-up with %s? Type it like \"done %s, next Friday\".", who(c), Ref(c.ID)),
				Actions: []Action{{Label: "Set next date", Command: cmd, Ask: "Next follow-up? (e.g. next Tuesday 10am)", Style: Primary}, CloseMenu(c.ID)},
				Refused: true,
			}, nil
		case err != nil:
			return Reply{}, err
		}
		m, note = &mo, left
	}
	// Save audits this as a done follow-up against the old due (LastDoneAt changes), which is
	// what the on-time rate counts.
	c.DueAt, c.TimeGiven, c.LastDoneAt, c.UpdatedAt = m.Due, m.TimeGiven, r.now, r.now
	if err := h.store.Save(ctx, c); err != nil {
		return Reply{}, fmt.Errorf("save campaign %s: %w", c.ID, err)
	}
	entry := "Done"
	if v != "done" && v != "did" {
		entry = strings.ToUpper(v[:1]) + v[1:]
	}
	if note != "" {
		entry += ": " + note
	}
	if err := h.store.AddNote(ctx, r.Team, c.ID, campaign.Note{At: r.now, Author: r.User, Text: entry}); err != nil {
		return Reply{}, fmt.Errorf("add note to %s: %w", c.ID, err)
	}
	reply := Reply{Text: fmt.Sprintf("Done with %s. Next follow-up: *%s*.", who(c), FormatDue(c.DueAt, r.now, r.loc))}
	reply.Actions = alternativeActions(c, m.Alternatives, r)
	return reply, nil
}

func momentSuffix(m *Moment, r request) string {
	if m == nil {
		return ""
	}
	return FormatDue(m.Due, r.now, r.loc)
}

func alternativeActions(c campaign.Campaign, alts []time.Time, r request) []Action {
	var out []Action
	for _, alt := range alts {
		when := FormatDue(alt, r.now, r.loc)
		out = append(out, Action{Label: "Use " + when, Command: "move " + Ref(c.ID) + " to " + when})
	}
	return out
}

func closedError(c campaign.Campaign) error {
	return campaign.Errorf(campaign.Invalid, "%s is already closed (%s). Log a new follow-up to start again.", who(c), c.Status)
}

// snooze pushes a follow-up without recording a touch: "snooze Jane 1 hour", "snooze #4
// tomorrow morning", and "snooze overdue today" for the whole overdue list at once.
func (h *Handler) snooze(ctx context.Context, r request, body string) (Reply, error) {
	if v, rest := verb(body); v == "overdue" || v == "all" {
		return h.snoozeOverdue(ctx, r, rest)
	}
	body = bareDuration.ReplaceAllString(body, ", in $1")
	target, rest, m := h.splitTarget(r, body)
	c, err := h.resolve(ctx, r, target, func(ref string) string { return "snooze " + ref + " " + rest + momentSuffix(m, r) })
	if err != nil {
		return Reply{}, err
	}
	if m == nil {
		if strings.TrimSpace(rest) == "" {
			rest = "tomorrow morning" // the snooze a rep most often means
		}
		mo, _, err := h.moment(r, rest)
		if err != nil {
			return Reply{}, err
		}
		m = &mo
	}
	return h.reschedule(ctx, r, c, *m, "Snoozed")
}

// move sets a new date without recording a touch: "move Jane to Monday".
func (h *Handler) move(ctx context.Context, r request, v, body string) (Reply, error) {
	var target, rest string
	var m *Moment
	if before, after, ok := cutWord(body, "to"); ok {
		target, rest = before, after
	} else {
		target, rest, m = h.splitTarget(r, body)
	}
	c, err := h.resolve(ctx, r, target, func(ref string) string { return v + " " + ref + " to " + rest + momentSuffix(m, r) })
	if err != nil {
		return Reply{}, err
	}
	if m == nil {
		mo, _, err := h.moment(r, rest)
		if campaign.ErrorCode(err) == CodeNoDate {
			return Reply{}, campaign.Errorf(CodeNoDate, "Say the new date, like \"move %s to next Monday\".", Ref(c.ID))
		}
		if err != nil {
			return Reply{}, err
		}
		m = &mo
	}
	return h.reschedule(ctx, r, c, *m, "Moved")
}

func (h *Handler) reschedule(ctx context.Context, r request, c campaign.Campaign, m Moment, what string) (Reply, error) {
	if !c.Status.Open() {
		return Reply{}, closedError(c)
	}
	c.DueAt, c.TimeGiven, c.UpdatedAt = m.Due, m.TimeGiven, r.now
	if err := h.store.Save(ctx, c); err != nil {
		return Reply{}, fmt.Errorf("save campaign %s: %w", c.ID, err)
	}
	reply := Reply{Text: fmt.Sprintf("%s %s to *%s*.", what, who(c), FormatDue(c.DueAt, r.now, r.loc))}
	reply.Actions = alternativeActions(c, m.Alternatives, r)
	return reply, nil
}

// snoozeOverdue moves every overdue follow-up to one date: the morning list's bulk buttons.
func (h *Handler) snoozeOverdue(ctx context.Context, r request, when string) (Reply, error) {
	if strings.TrimSpace(when) == "" {
		when = "tomorrow"
	}
	m, _, err := h.moment(r, when)
	if err != nil {
		return Reply{}, err
	}
	open, err := h.store.Open(ctx, r.Team, r.User)
	if err != nil {
		return Reply{}, fmt.Errorf("list campaigns of %s: %w", r.User, err)
	}
	moved := 0
	for _, c := range open {
		if !c.DueAt.Before(r.now) {
			continue
		}
		c.DueAt, c.TimeGiven, c.UpdatedAt = m.Due, m.TimeGiven, r.now
		if err := h.store.Save(ctx, c); err != nil {
			return Reply{}, fmt.Errorf("save campaign %s: %w", c.ID, err)
		}
		moved++
	}
	if moved == 0 {
		return Reply{Text: "Nothing is overdue — nice."}, nil
	}
	return Reply{Text: fmt.Sprintf("Moved %d overdue %s to *%s*.", moved, plural(moved, "follow-up", "follow-ups"), FormatDue(m.Due, r.now, r.loc))}, nil
}

// temperature answers "hot Jane", "Jane is warm" and the temperature buttons.
func (h *Handler) temperature(ctx context.Context, r request, v, target string, t campaign.Temperature) (Reply, error) {
	c, err := h.resolve(ctx, r, target, func(ref string) string { return v + " " + ref })
	if err != nil {
		return Reply{}, err
	}
	if !c.Status.Open() {
		return Reply{}, closedError(c)
	}
	c.Temperature, c.UpdatedAt = t, r.now
	if err := h.store.Save(ctx, c); err != nil {
		return Reply{}, fmt.Errorf("save campaign %s: %w", c.ID, err)
	}
	return Reply{Text: fmt.Sprintf("%s is now %s%s.", who(c), t, map[campaign.Temperature]string{campaign.Hot: " 🔥"}[t])}, nil
}

// note appends to a campaign's log: "note Jane: asked for rates".
func (h *Handler) note(ctx context.Context, r request, body string) (Reply, error) {
	target, text, ok := strings.Cut(body, ":")
	if id, after, isRef := splitRef(body); isRef && !ok {
		target, text, ok = "#"+id, after, true
	}
	text = strings.TrimSpace(text)
	if !ok || text == "" {
		return Reply{}, campaign.Errorf(campaign.Invalid, "Put the note after a colon, like \"note Jane: asked for rates\".")
	}
	if utf8.RuneCountInString(text) > maxNoteLen {
		return Reply{}, campaign.Errorf(campaign.Invalid, "That note is over %d characters — shorten it, or split it into two notes.", maxNoteLen)
	}
	c, err := h.resolve(ctx, r, target, func(ref string) string { return "note " + ref + ": " + text })
	if err != nil {
		return Reply{}, err
	}
	if err := h.store.AddNote(ctx, r.Team, c.ID, campaign.Note{At: r.now, Author: r.User, Text: text}); err != nil {
		return Reply{}, fmt.Errorf("add note to %s: %w", c.ID, err)
	}
	return Reply{Text: fmt.Sprintf("Noted on %s: %s", who(c), campaign.Escape(text))}, nil
}

// close ends a campaign with its outcome: "close Jane won", "close #4 left company".
func (h *Handler) close(ctx context.Context, r request, body string) (Reply, error) {
	m := closeOutcome.FindStringSubmatch(body)
	if m == nil {
		return Reply{}, campaign.Errorf(campaign.Invalid, "Say how it ended, like \"close Jane won\", \"close Jane lost\" or \"close Jane left company\".")
	}
	target, outcome, note := m[1], m[2], strings.Trim(m[3], " ,;:.—-")
	c, err := h.resolve(ctx, r, target, func(ref string) string { return "close " + ref + " " + outcome + " " + note })
	if err != nil {
		return Reply{}, err
	}
	if !c.Status.Open() {
		return Reply{}, closedError(c)
	}
	return h.closeWith(ctx, r, c, outcome, note)
}

func (h *Handler) closeWith(ctx context.Context, r request, c campaign.Campaign, outcome, note string) (Reply, error) {
	// (?i) also folds non-ASCII look-alikes ("loſt"), so compare the folded word, not bytes.
	switch o := strings.ToLower(outcome); {
	case o == "won":
		c.Status = campaign.Won
	case strings.EqualFold(o, "lost"):
		c.Status = campaign.Lost
	case strings.HasPrefix(o, "left"):
		c.Status = campaign.Left
	default:
		return Reply{}, campaign.Errorf(campaign.Invalid, "Say how it ended with won, lost or left — like \"close %s won\".", Ref(c.ID))
	}
	c.UpdatedAt = r.now
	if err := h.store.Save(ctx, c); err != nil {
		return Reply{}, fmt.Errorf("close campaign %s: %w", c.ID, err)
	}
	entry := "Closed: " + string(c.Status)
	if note != "" {
		entry += " — " + note
	}
	if err := h.store.AddNote(ctx, r.Team, c.ID, campaign.Note{At: r.now, Author: r.User, Text: entry}); err != nil {
		return Reply{}, fmt.Errorf("add note to %s: %w", c.ID, err)
	}
	msg := map[campaign.Status]string{campaign.Won: "Closed %s as won. 🎉", campaign.Lost: "Closed %s as lost.", campaign.Left: "Closed %s: they left the company. If they landed somewhere new, log them there."}
	return Reply{Text: fmt.Sprintf(msg[c.Status], who(c))}, nil
}

// undoWindow is how long after logging a campaign the rep can take it back entirely. Later, the
// history matters and the rep should close it instead.
const undoWindow = 15 * time.Minute

// undo deletes a campaign logged by mistake: "undo #4".
func (h *Handler) undo(ctx context.Context, r request, body string) (Reply, error) {
	id, _, ok := splitRef(body)
	if !ok {
		return Reply{}, campaign.Errorf(campaign.Invalid, "Say which campaign to undo by its number, like \"undo #4\".")
	}
	c, err := h.own(ctx, r, id)
	if err != nil {
		return Reply{}, err
	}
	if !c.Status.Open() {
		return Reply{}, campaign.Errorf(campaign.Invalid, "%s is already closed (%s), so I keep it and its history.", who(c), c.Status)
	}
	if r.now.Sub(c.CreatedAt) > undoWindow {
		return Reply{}, campaign.Errorf(campaign.Invalid, "%s was logged more than 15 minutes ago, so I keep its history — close it instead, like \"close %s lost\".", who(c), Ref(c.ID))
	}
	if err := h.store.Delete(ctx, r.Team, c.ID); err != nil {
		return Reply{}, fmt.Errorf("delete campaign %s: %w", c.ID, err)
	}
	return Reply{Text: fmt.Sprintf("Undone: %s is gone.", who(c))}, nil
}

// cutWord splits s around the first standalone word w ("Jane to Monday" around "to").
func cutWord(s, w string) (before, after string, ok bool) {
	words := strings.Fields(s)
	for i, x := range words {
		if strings.EqualFold(x, w) && i > 0 {
			return strings.Join(words[:i], " "), strings.Join(words[i+1:], " "), true
		}
	}
	return s, "", false
}
