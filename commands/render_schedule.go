package commands

import (
	"fmt"
	"strings"
	"time"

	"campaignbot/campaign"
)

// Messages the scheduler sends on its own: the due reminder, the morning due list, the catch-up
// after downtime or PTO, and the weekly leaderboard. They live here, beside the command replies,
// so one package decides how campaignbot talks; every piece of user text goes through
// campaign.Escape.

// RenderReminder is the DM sent when c comes due: who, where, how warm, the last note and how long
// since the last touch, with the buttons that act on it.
func RenderReminder(c campaign.Campaign, last *campaign.Note, now time.Time, loc *time.Location) Reply {
	var b strings.Builder
	fmt.Fprintf(&b, ":bell: Time to follow up with %s (%s)", who(c), Ref(c.ID))
	if c.Channel != campaign.AnyChannel {
		fmt.Fprintf(&b, " by %s", c.Channel)
	}
	fmt.Fprintf(&b, ".\n%s · due %s", temperatureLabel(c.Temperature), scheduleWhen(c.DueAt, now, loc))
	since, verb := c.CreatedAt, "logged"
	if !c.LastDoneAt.IsZero() {
		since, verb = c.LastDoneAt, "last touch"
	}
	if !since.IsZero() {
		fmt.Fprintf(&b, " · %s %s", verb, agoText(since, now))
	}
	if last != nil && strings.TrimSpace(last.Text) != "" {
		fmt.Fprintf(&b, "\n> %s", campaign.Escape(oneLine(last.Text, 200)))
	}
	return Reply{Text: b.String(), Actions: ReminderActions(c.ID)}
}

// Digest is the content of a rep's morning due list.
type Digest struct {
	Overdue []campaign.Campaign // due before today, oldest first
	Today   []campaign.Campaign // due today, hot first
	// Lapsing lists counting campaigns that stop counting at the end of today unless touched.
	Lapsing  []campaign.Campaign
	Lapsed   int // campaigns that no longer count because their follow-up lapsed
	Counting int
	Target   int  // campaign.Goal, or the ramp target for a new rep
	Ramping  bool // Target is a ramp target
}

// Empty reports whether the digest has nothing worth a message: nothing due and nothing lapsing.
func (d Digest) Empty() bool { return len(d.Overdue)+len(d.Today)+len(d.Lapsing) == 0 }

// digestLimit caps each section so a rep with hundreds of overdue follow-ups gets a readable DM.
const digestLimit = 15

// RenderDigest is the morning due list: overdue first, then due today, then the counting total
// against the goal with lapsed campaigns called out, and bulk buttons for the overdue ones.
func RenderDigest(d Digest, now time.Time, loc *time.Location) Reply {
	var b strings.Builder
	b.WriteString(":sunrise: Good morning! Here's your follow-up list.")
	dueSection(&b, fmt.Sprintf("*Overdue (%d)*", len(d.Overdue)), d.Overdue, now, loc)
	dueSection(&b, fmt.Sprintf("*Due today (%d)*", len(d.Today)), d.Today, now, loc)
	dueSection(&b, fmt.Sprintf("*Stop counting tonight unless done or moved (%d)*", len(d.Lapsing)), d.Lapsing, now, loc)
	goal := "goal"
	if d.Ramping {
		goal = "ramp target"
	}
	fmt.Fprintf(&b, "\n\n*Counting: %d* of your %s of %d", d.Counting, goal, d.Target)
	if d.Lapsed > 0 {
		fmt.Fprintf(&b, " · :warning: %d lapsed (not counting until you follow up or move them)", d.Lapsed)
	}
	b.WriteString(".")
	r := Reply{Text: b.String()}
	if len(d.Overdue) > 0 {
		r.Actions = overdueActions()
	}
	return r
}

// RenderCatchUp lists reminders that came due while the bot was down (away false) or while the
// rep was on PTO (away true), in one message instead of a flood.
func RenderCatchUp(missed []campaign.Campaign, away bool, now time.Time, loc *time.Location) Reply {
	var b strings.Builder
	n := len(missed)
	if away {
		fmt.Fprintf(&b, ":wave: Welcome back! While you were away, %d %s came due:", n, plural(n, "follow-up", "follow-ups"))
	} else {
		fmt.Fprintf(&b, ":hourglass: While I was away, %d %s came due:", n, plural(n, "follow-up", "follow-ups"))
	}
	dueLines(&b, missed, now, loc)
	return Reply{Text: b.String(), Actions: overdueActions()}
}

// RenderLeaderboard is the team post: reps ranked by counting campaigns with the change since the
// last snapshot, on-time rate, lapsed count and ramp progress, then the top movers. title names
// the period, e.g. "week 2026-W10".
func RenderLeaderboard(title string, rows, movers []campaign.BoardRow) Reply {
	var b strings.Builder
	fmt.Fprintf(&b, ":trophy: *Leaderboard — %s*", campaign.Escape(title))
	if len(rows) == 0 {
		b.WriteString("\nNo campaigns yet.")
		return Reply{Text: b.String()}
	}
	for i, r := range rows {
		fmt.Fprintf(&b, "\n%d. <@%s> — *%d* counting", i+1, r.User, r.Counting)
		if !r.New {
			fmt.Fprintf(&b, " (%+d)", r.Change)
		} else {
			b.WriteString(" (new)")
		}
		if rate, ok := r.OnTimeRate(); ok {
			fmt.Fprintf(&b, " · on time %.0f%%", 100*rate)
		}
		if r.Lapsed > 0 {
			fmt.Fprintf(&b, " · %d lapsed", r.Lapsed)
		}
		if r.Ramping {
			fmt.Fprintf(&b, " · ramp %d/%d", r.Counting, r.Target)
		}
	}
	if len(movers) > 0 {
		b.WriteString("\n:rocket: Top movers:")
		for i, m := range movers {
			sep := ","
			if i == 0 {
				sep = ""
			}
			fmt.Fprintf(&b, "%s <@%s> %+d", sep, m.User, m.Change)
		}
	}
	return Reply{Text: b.String()}
}

// overdueActions are the morning list's bulk buttons.
func overdueActions() []Action {
	return []Action{
		{Label: "Snooze overdue to today", Command: "snooze overdue today"},
		{Label: "Snooze overdue to tomorrow", Command: "snooze overdue tomorrow"},
	}
}

func dueSection(b *strings.Builder, title string, cs []campaign.Campaign, now time.Time, loc *time.Location) {
	if len(cs) == 0 {
		return
	}
	fmt.Fprintf(b, "\n\n%s", title)
	dueLines(b, cs, now, loc)
}

func dueLines(b *strings.Builder, cs []campaign.Campaign, now time.Time, loc *time.Location) {
	for i, c := range cs {
		if i == digestLimit {
			fmt.Fprintf(b, "\n…and %d more. Type \"overdue\" or \"today\" to see them all.", len(cs)-digestLimit)
			return
		}
		fmt.Fprintf(b, "\n• %s (%s) — %s, %s", who(c), Ref(c.ID), scheduleWhen(c.DueAt, now, loc), c.Temperature)
	}
}

func temperatureLabel(t campaign.Temperature) string {
	switch t {
	case campaign.Hot:
		return ":fire: hot"
	case campaign.Warm:
		return "warm"
	}
	return "cold"
}

// scheduleWhen formats a due time in the rep's zone. It defers to FormatDue, the command
// replies' format, so a date reads the same in a reminder and in a reply.
func scheduleWhen(t, now time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return FormatDue(t, now, loc)
}

// ago says how long before now t was, in the largest whole unit: "3 days ago", "just now".
func agoText(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return countUnits(int(d/time.Minute), "minute") + " ago"
	case d < 24*time.Hour:
		return countUnits(int(d/time.Hour), "hour") + " ago"
	case d < 14*24*time.Hour:
		return countUnits(int(d/(24*time.Hour)), "day") + " ago"
	}
	return countUnits(int(d/(7*24*time.Hour)), "week") + " ago"
}

func countUnits(n int, unit string) string { return fmt.Sprintf("%d %s", n, plural(n, unit, unit+"s")) }

// oneLine flattens s to one line of at most n characters, for a quoted note.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
