package commands

import (
	"context"
	"fmt"
	"strings"

	"campaignbot/campaign"
)

// standing is one rep's numbers at one moment, computed once and shown by both "stats" and the
// App Home.
type standing struct {
	stats  campaign.Stats
	open   []campaign.Campaign
	judged []campaign.Standing // parallel to open
	rep    campaign.Rep
}

func (h *Handler) standing(ctx context.Context, r request) (standing, error) {
	open, qualified, err := h.openAndQualified(ctx, r)
	if err != nil {
		return standing{}, err
	}
	rep, err := h.store.Rep(ctx, r.Team, r.User)
	if err != nil {
		return standing{}, fmt.Errorf("load rep %s: %w", r.User, err)
	}
	cal := rep.CalendarIn(r.loc)
	s := standing{open: open, rep: rep, judged: make([]campaign.Standing, len(open))}
	for i, c := range open {
		s.judged[i] = campaign.Judge(c, isQualified(qualified, c.Company), r.now, cal, h.grace)
		s.stats.Add(c, s.judged[i])
	}
	return s, nil
}

// stats answers "stats": the counting total against the goal, what is not counting and why, and
// the ramp for a new rep.
func (h *Handler) stats(ctx context.Context, r request) (Reply, error) {
	s, err := h.standing(ctx, r)
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: h.summary(s, r)}, nil
}

func (h *Handler) summary(s standing, r request) string {
	st := s.stats
	var b strings.Builder
	fmt.Fprintf(&b, "*Active campaigns: %d of %d* %s", st.Counting, campaign.Goal, progressBar(st.Counting, campaign.Goal))
	if st.Counting >= campaign.Goal {
		fmt.Fprintf(&b, " — goal reached; stretch is %d", campaign.Stretch)
	}
	fmt.Fprintf(&b, "\nHot %d · Warm %d · Cold %d", st.ByTemp[campaign.Hot], st.ByTemp[campaign.Warm], st.ByTemp[campaign.Cold])
	fmt.Fprintf(&b, "\nOpen %d: %d counting, %d lapsed, %d not qualified or missing a company.", st.Open, st.Counting, st.Lapsed, st.Unqualified)
	if st.Lapsed > 0 {
		b.WriteString("\nLapsed ones count again as soon as you mark them done with a next date, or move them: type \"overdue\" to see them.")
	}
	if !s.rep.Start.IsZero() {
		today := campaign.DateOf(r.now, r.loc)
		target := campaign.RampTarget(s.rep.Start, today)
		if target < campaign.Goal {
			fmt.Fprintf(&b, "\nRamp: the plan for today is %d (a straight line to %d by day %d); you're %s.",
				target, campaign.Goal, campaign.RampDays, aheadOrBehind(st.Counting-target))
		}
	}
	return b.String()
}

func aheadOrBehind(diff int) string {
	switch {
	case diff > 0:
		return fmt.Sprintf("%d ahead", diff)
	case diff < 0:
		return fmt.Sprintf("%d behind", -diff)
	}
	return "right on plan"
}

// progressBar draws n of goal as ten cells, e.g. ▓▓▓░░░░░░░ 30%.
func progressBar(n, goal int) string {
	pct := min(100, n*100/goal)
	return "`" + strings.Repeat("▓", pct/10) + strings.Repeat("░", 10-pct/10) + fmt.Sprintf("` %d%%", pct)
}

// homeNext is how many upcoming follow-ups the App Home shows.
const homeNext = 10

// Home is the rep's dashboard (Slack's App Home): their numbers, what is due today, what is
// overdue or lapsed, and what comes next. Sections are separated by blank lines. It reads the
// store once per section at most, and never changes anything.
func (h *Handler) Home(ctx context.Context, m Message) Reply {
	r := h.request(m)
	s, err := h.standing(ctx, r)
	if err != nil {
		h.log.ErrorContext(ctx, "home failed", "err", err, "user", m.User, "team", m.Team)
		return Reply{Text: apology, Refused: true, Failed: true}
	}
	sections := []string{h.summary(s, r)}
	endOfToday := campaign.DateOf(r.now, r.loc).AddDays(1).At(0, 0, r.loc)
	var overdue, today, next []string
	for i, c := range s.open {
		line := listLine(c, s.judged[i], r.now, r.loc)
		switch {
		case c.DueAt.Before(r.now):
			overdue = append(overdue, line)
		case c.DueAt.Before(endOfToday):
			today = append(today, line)
		case len(next) < homeNext:
			next = append(next, line)
		}
	}
	add := func(title string, lines []string, empty string) {
		if len(lines) > listLimit {
			lines = append(lines[:listLimit], fmt.Sprintf("…and %d more.", len(lines)-listLimit))
		}
		if len(lines) == 0 {
			lines = []string{empty}
		}
		sections = append(sections, "*"+title+"*\n"+strings.Join(lines, "\n"))
	}
	add("Overdue", overdue, "Nothing overdue.")
	add("Due today", today, "Nothing else due today.")
	add("Next up", next, "Nothing scheduled. Log a follow-up: follow up Jane Smith at Acme next Tuesday")
	if h.isManager(m.User) {
		lines, singles, err := h.teamLines(ctx, r)
		if err != nil {
			h.log.ErrorContext(ctx, "home failed", "err", err, "user", m.User, "team", m.Team)
			return Reply{Text: apology, Refused: true, Failed: true}
		}
		sections = append(sections, renderTeam(lines, singles, r))
	}
	return Reply{Text: strings.Join(sections, "\n\n")}
}
