package commands

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"campaignbot/campaign"
)

// Coaching thresholds: a hot prospect untouched for two weeks is cooling, and a cold one
// untouched for a quarter is probably not a campaign any more.
const (
	hotIdle  = 14 * 24 * time.Hour
	coldIdle = 90 * 24 * time.Hour
	// onTimeWeeks is the window of the team view's on-time rate.
	onTimeWeeks = 4
	// teamExamples caps the examples listed under each coaching flag.
	teamExamples = 5
)

// Mass date pushes: the audit-trail pattern of a rep clearing a backlog by moving follow-ups
// later instead of doing them. Precisely: a later-move is a moved event (not a done one) whose
// new due is after the old. It is unexplained when its campaign got no note from anyone within
// pushNoteSlack before or after it. A rep is flagged when, within the last pushLookback, the
// unexplained later-moves of at least pushMin distinct campaigns fall inside one pushWindow
// (sliding, not clock hours). The flag shows the largest such burst.
const (
	pushMin       = 10
	pushWindow    = time.Hour
	pushNoteSlack = time.Hour
	pushLookback  = 7 * 24 * time.Hour
)

// massPush is a rep's largest burst of unexplained later-moves.
type massPush struct {
	campaigns int
	start     time.Time
}

// massPushes finds each rep's largest burst in events (oldest first), keeping those of at least
// pushMin campaigns.
func massPushes(events []campaign.Event) map[string]massPush {
	notes := map[string][]time.Time{}
	for _, e := range events {
		if e.Kind == campaign.EventNote {
			notes[e.Campaign] = append(notes[e.Campaign], e.At)
		}
	}
	explained := func(e campaign.Event) bool {
		return slices.ContainsFunc(notes[e.Campaign], func(at time.Time) bool {
			d := at.Sub(e.At)
			return -pushNoteSlack <= d && d <= pushNoteSlack
		})
	}
	moves := map[string][]campaign.Event{}
	for _, e := range events {
		if e.Kind == campaign.EventMoved && e.Delta() > 0 && !explained(e) {
			moves[e.Actor] = append(moves[e.Actor], e)
		}
	}
	out := map[string]massPush{}
	for user, ms := range moves {
		best := massPush{}
		inWindow := map[string]int{} // campaign → its moves in the window
		lo := 0
		for _, e := range ms {
			inWindow[e.Campaign]++
			for e.At.Sub(ms[lo].At) >= pushWindow {
				if inWindow[ms[lo].Campaign]--; inWindow[ms[lo].Campaign] == 0 {
					delete(inWindow, ms[lo].Campaign)
				}
				lo++
			}
			if len(inWindow) > best.campaigns {
				best = massPush{campaigns: len(inWindow), start: ms[lo].At}
			}
		}
		if best.campaigns >= pushMin {
			out[user] = best
		}
	}
	return out
}

// isManager reports whether user may see the team view. Managers see everyone's numbers but,
// like everyone, change only their own campaigns.
func (h *Handler) isManager(user string) bool {
	m := h.managers.Load()
	return m != nil && (*m)[user]
}

// SetManagers names the users (MANAGERS) who may see the team view. It is safe to call while
// messages are being handled.
func (h *Handler) SetManagers(ids []string) {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	h.managers.Store(&m)
}

// repLine is one rep in the team view, with the numbers a sales manager reviews weekly.
type repLine struct {
	row      campaign.BoardRow
	stats    campaign.Stats
	done     int // follow-ups done over the on-time window
	onTime   int
	hotIdle  []campaign.Campaign
	coldIdle []campaign.Campaign
	push     massPush // zero unless the rep pushed pushMin+ follow-ups at once
}

// team answers "team": every rep's counting total against the goal, what holds it back, and
// coaching flags. Only managers may ask.
func (h *Handler) team(ctx context.Context, r request) (Reply, error) {
	if !h.isManager(r.User) {
		return Reply{}, campaign.Errorf(campaign.Forbidden, "The team view is for managers — type \"stats\" for your own numbers or \"leaderboard\" for the team ranking.")
	}
	lines, singles, err := h.teamLines(ctx, r)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: renderTeam(lines, singles, r), Private: true}, nil
}

func (h *Handler) teamLines(ctx context.Context, r request) ([]repLine, []string, error) {
	in, err := h.boardInput(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	rows := campaign.Board(in)
	byUser := make(map[string]campaign.Rep, len(in.Reps))
	for _, rep := range in.Reps {
		byUser[rep.User] = rep
	}
	done, onTime := map[string]int{}, map[string]int{}
	for w := range onTimeWeeks {
		week := campaign.ISOWeek(r.now.In(r.loc).AddDate(0, 0, -7*w))
		d, o, err := h.store.OnTime(ctx, r.Team, week)
		if err != nil {
			return nil, nil, fmt.Errorf("read on-time counts of %s: %w", week, err)
		}
		for u, n := range d {
			done[u] += n
		}
		for u, n := range o {
			onTime[u] += n
		}
	}
	events, err := h.store.Events(ctx, r.Team, r.now.Add(-pushLookback), r.now.Add(time.Second))
	if err != nil {
		return nil, nil, fmt.Errorf("read audit trail: %w", err)
	}
	pushes := massPushes(events)
	lines := make([]repLine, 0, len(rows))
	for _, row := range rows {
		l := repLine{row: row, done: done[row.User], onTime: onTime[row.User], push: pushes[row.User]}
		cal := byUser[row.User].Calendar() // each rep's own zone and time off
		for _, c := range in.Open[row.User] {
			l.stats.Add(c, campaign.Judge(c, in.Qualified(c.Company), r.now, cal, in.Grace))
			idle := r.now.Sub(lastTouch(c))
			switch {
			case c.Temperature == campaign.Hot && idle >= hotIdle:
				l.hotIdle = append(l.hotIdle, c)
			case c.Temperature == campaign.Cold && idle >= coldIdle:
				l.coldIdle = append(l.coldIdle, c)
			}
		}
		lines = append(lines, l)
	}
	return lines, singleContactCompanies(in.Open), nil
}

// BoardSource is what a leaderboard reads. storage.Store implements it; the scheduler's weekly
// post and the "leaderboard" and "team" commands all gather through BoardInput, so they agree.
type BoardSource interface {
	Reps(ctx context.Context, team string) ([]campaign.Rep, error)
	OpenAll(ctx context.Context, team string) (map[string][]campaign.Campaign, error)
	Qualified(ctx context.Context, team string) (map[string]campaign.Qualification, error)
	Weekly(ctx context.Context, team, week string) (map[string]int, error)
	OnTime(ctx context.Context, team, week string) (done, onTime map[string]int, err error)
}

// BoardInput gathers what campaign.Board needs to rank the team at now: the reps (defaults
// applied with defaultTZ), their open campaigns and the qualified companies, plus the totals
// snapshot and the on-time counts of the ISO week named week ("2026-W10").
func BoardInput(ctx context.Context, src BoardSource, team, week string, now time.Time, defaultTZ string, grace int) (campaign.BoardInput, error) {
	all, err := src.Reps(ctx, team)
	if err != nil {
		return campaign.BoardInput{}, fmt.Errorf("list reps: %w", err)
	}
	open, err := src.OpenAll(ctx, team)
	if err != nil {
		return campaign.BoardInput{}, fmt.Errorf("list open campaigns: %w", err)
	}
	qualified, err := src.Qualified(ctx, team)
	if err != nil {
		return campaign.BoardInput{}, fmt.Errorf("load qualified companies: %w", err)
	}
	last, err := src.Weekly(ctx, team, week)
	if err != nil {
		return campaign.BoardInput{}, fmt.Errorf("read totals of %s: %w", week, err)
	}
	done, onTime, err := src.OnTime(ctx, team, week)
	if err != nil {
		return campaign.BoardInput{}, fmt.Errorf("read on-time counts of %s: %w", week, err)
	}
	// Rank people who sell: anyone with open campaigns, on the last board, or with a start date
	// (a new rep ramping from zero). A manager who only looks, or someone who only typed "help",
	// is not a rep with zero campaigns.
	var reps []campaign.Rep
	for _, rep := range all {
		_, ranked := last[rep.User]
		if len(open[rep.User]) > 0 || ranked || !rep.Start.IsZero() {
			reps = append(reps, rep.WithDefaults(defaultTZ))
		}
	}
	return campaign.BoardInput{
		Reps: reps, Open: open, LastWeek: last, Done: done, OnTime: onTime, Now: now, Grace: grace,
		Qualified: func(company string) bool { return isQualified(qualified, company) },
	}, nil
}

// boardInput is BoardInput for the week containing r.now. The weekly post snapshots totals under
// its own week, so "change" on demand is the change since this week's post.
func (h *Handler) boardInput(ctx context.Context, r request) (campaign.BoardInput, error) {
	return BoardInput(ctx, h.store, r.Team, campaign.ISOWeek(r.now.In(r.loc)), r.now, h.defaultLoc.String(), h.grace)
}

// leaderboard answers "leaderboard": the team ranking so far this week. Everyone may see it.
func (h *Handler) leaderboard(ctx context.Context, r request) (Reply, error) {
	in, err := h.boardInput(ctx, r)
	if err != nil {
		return Reply{}, err
	}
	rows := campaign.Board(in)
	return RenderLeaderboard("so far this week", rows, campaign.TopMovers(rows, campaign.MoversShown)), nil
}

// lastTouch is when the rep last did something with the prospect: the last done follow-up, or
// the day the campaign was logged.
func lastTouch(c campaign.Campaign) time.Time {
	if c.LastDoneAt.After(c.CreatedAt) {
		return c.LastDoneAt
	}
	return c.CreatedAt
}

// singleContactCompanies lists companies the team courts through one person only: one contact is
// one resignation away from losing the account, so managers coach reps to add a second.
func singleContactCompanies(open map[string][]campaign.Campaign) []string {
	people := map[string]map[string]bool{}
	names := map[string]string{}
	for _, cs := range open {
		for _, c := range cs {
			k := campaign.CompanyKey(c.Company)
			if k == "" {
				continue
			}
			if people[k] == nil {
				people[k], names[k] = map[string]bool{}, c.Company
			}
			people[k][campaign.PersonKey(c.Person)] = true
		}
	}
	var out []string
	for k, ps := range people {
		if len(ps) == 1 {
			out = append(out, names[k])
		}
	}
	slices.SortFunc(out, func(a, b string) int { return cmp.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return out
}

func renderTeam(lines []repLine, singles []string, r request) string {
	if len(lines) == 0 {
		return "Nobody on the team has logged a campaign yet."
	}
	var b strings.Builder
	total := 0
	for _, l := range lines {
		total += l.row.Counting
	}
	fmt.Fprintf(&b, "*Team: %d active %s across %d %s* (goal %d each, stretch %d)", total, plural(total, "campaign", "campaigns"),
		len(lines), plural(len(lines), "rep", "reps"), campaign.Goal, campaign.Stretch)
	for i, l := range lines {
		st := l.stats
		fmt.Fprintf(&b, "\n%d. <@%s> *%d*/%d %s · lapsed %d · unqualified %s · hot %d warm %d cold %d · on-time %s",
			i+1, l.row.User, l.row.Counting, campaign.Goal, progressBar(l.row.Counting, campaign.Goal), st.Lapsed,
			percent(st.Unqualified, st.Open), st.ByTemp[campaign.Hot], st.ByTemp[campaign.Warm], st.ByTemp[campaign.Cold],
			percent(l.onTime, l.done))
		if l.row.Ramping {
			fmt.Fprintf(&b, " · ramp plan %d (%s)", l.row.Target, aheadOrBehind(l.row.Counting-l.row.Target))
		}
	}
	flag := func(title string, pick func(repLine) []campaign.Campaign) {
		var examples []string
		n := 0
		for _, l := range lines {
			for _, c := range pick(l) {
				n++
				if len(examples) < teamExamples {
					examples = append(examples, fmt.Sprintf("%s %s (<@%s>, last touch %s)", Ref(c.ID), who(c), c.Owner, lastTouch(c).In(r.loc).Format("Jan 2")))
				}
			}
		}
		if n > 0 {
			fmt.Fprintf(&b, "\n*%s: %d*\n%s", title, n, strings.Join(examples, "\n"))
		}
	}
	flag("Hot with no touch in 14+ days", func(l repLine) []campaign.Campaign { return l.hotIdle })
	flag("Cold untouched for 90+ days", func(l repLine) []campaign.Campaign { return l.coldIdle })
	var pushed []string
	for _, l := range lines {
		if l.push.campaigns > 0 {
			pushed = append(pushed, fmt.Sprintf("<@%s>: %d follow-ups pushed later from %s, no note", l.row.User,
				l.push.campaigns, l.push.start.In(r.loc).Format("Mon Jan 2, 3:04 PM")))
		}
	}
	if len(pushed) > 0 {
		fmt.Fprintf(&b, "\n*Mass date pushes (%d+ within an hour, last 7 days): %d*\n%s", pushMin, len(pushed), strings.Join(pushed, "\n"))
	}
	if len(singles) > 0 {
		shown := singles[:min(len(singles), 15)]
		escaped := make([]string, len(shown))
		for i, s := range shown {
			escaped[i] = campaign.Escape(s)
		}
		more := ""
		if len(singles) > len(shown) {
			more = fmt.Sprintf(" and %d more", len(singles)-len(shown))
		}
		fmt.Fprintf(&b, "\n*Companies with only one contact: %d* — %s%s", len(singles), strings.Join(escaped, ", "), more)
	}
	return b.String()
}

// percent renders n/of as "12%", or "—" when there is nothing to divide.
func percent(n, of int) string {
	if of == 0 {
		return "—"
	}
	return fmt.Sprintf("%d%%", n*100/of)
}

// startDatePattern reads "start date <@U123> 2026-02-01" (Slack renders the mention) or with a
// US date, "start date <@U123> 2/1/2026".
var startDatePattern = regexp.MustCompile(`(?i)^date\s+<@([A-Z0-9]+)(?:\|[^>]*)?>\s+(\S+)$`)

// startDate lets a manager set a rep's first day, which drives the ramp plan. Start dates are in
// the past, so they are read as exact dates rather than through the follow-up parser, which
// refuses past dates.
func (h *Handler) startDate(ctx context.Context, r request, body string) (Reply, error) {
	if !h.isManager(r.User) {
		return Reply{}, campaign.Errorf(campaign.Forbidden, "Only a manager can set a rep's start date.")
	}
	m := startDatePattern.FindStringSubmatch(strings.TrimSpace(body))
	usage := campaign.Errorf(campaign.Invalid, "Mention the rep and give the date, like \"start date @jane 2026-02-01\".")
	if m == nil {
		return Reply{}, usage
	}
	var day time.Time
	var err error
	for _, layout := range []string{"2006-01-02", "1/2/2006"} {
		if day, err = time.ParseInLocation(layout, m[2], r.loc); err == nil {
			break
		}
	}
	if err != nil {
		return Reply{}, usage
	}
	rep, err := h.updateRep(ctx, r.Team, m[1], func(rep *campaign.Rep) { rep.Start = campaign.DateOf(day, r.loc) })
	if err != nil {
		return Reply{}, err
	}
	today := campaign.DateOf(r.now, r.loc)
	return Reply{Text: fmt.Sprintf("<@%s> started on %s; today's ramp plan is %d active campaigns.", m[1], rep.Start, campaign.RampTarget(rep.Start, today))}, nil
}
