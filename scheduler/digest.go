package scheduler

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"campaignbot/campaign"
	"campaignbot/commands"
)

const (
	// digestPrefix names a rep's morning-list job: "d:<user>". The job re-arms itself for the
	// next working day each time it runs, whether or not a message went out.
	digestPrefix = "d:"
	// digestKeep remembers a morning list past its day, so it goes out once per local date.
	digestKeep = 48 * time.Hour
)

// digest sends user's morning due list if today is a working day, it is past their list time and
// something is due or lapsing. The occurrence is the rep's local date, so the list goes out once
// per day on every replica and across a DST change.
func (s *Scheduler) digest(ctx, hctx context.Context, q *sender, t task, user string) error {
	rep, err := s.rep(hctx, t.team, user)
	if err != nil {
		return fmt.Errorf("load rep %s: %w", user, err)
	}
	now := s.now()
	h := s.hoursOf(rep)
	today := campaign.DateOf(now, h.loc)
	if !h.cal.IsWorkday(today) || now.Before(s.digestAt(rep, today)) {
		// Early (the rep changed their time or zone since the job was armed): wait.
		return s.store.DeferClaim(hctx, t.team, t.member, t.token, s.nextDigest(rep, now))
	}
	next := s.nextDigest(rep, s.digestAt(rep, today))
	skip := func() error { return s.store.AckSend(hctx, t.team, t.member, t.token, "", 0, next) }
	// On PTO, or the working day ended before the bot got to it (a long outage): tomorrow's
	// list supersedes today's.
	if rep.AwayUntil.After(now) || !now.Before(h.endOn(today)) {
		return skip()
	}
	open, err := s.store.Open(hctx, t.team, user)
	if err != nil {
		return fmt.Errorf("list open campaigns: %w", err)
	}
	qualified, err := s.store.Qualified(hctx, t.team)
	if err != nil {
		return fmt.Errorf("list qualified companies: %w", err)
	}
	d := buildDigest(open, func(company string) bool {
		_, ok := qualified[campaign.CompanyKey(company)]
		return ok
	}, rep, h, now, s.cfg.Grace)
	if d.Empty() {
		return skip()
	}
	reply := commands.RenderDigest(d, now, h.loc)
	occ := digestPrefix + user + ":" + today.String()
	return s.deliver(ctx, hctx, q, t, delivery{
		kind:    KindDigest,
		channel: "dm:" + t.team + ":" + user,
		occ:     occ,
		send:    func(ctx context.Context) error { return s.poster.DM(ctx, t.team, user, reply) },
		ack: func(ctx context.Context) error {
			return s.store.AckSend(ctx, t.team, t.member, t.token, occ, digestKeep, next)
		},
		finish: func(ctx context.Context) error {
			return s.store.AckSend(ctx, t.team, t.member, t.token, "", 0, next)
		},
	})
}

// buildDigest sorts a rep's open campaigns into the morning list: overdue oldest first, due today
// hot first, and counting campaigns whose grace ends tonight, with the counting total against
// the goal (or the ramp target for a new rep).
func buildDigest(open []campaign.Campaign, qualified func(string) bool, rep campaign.Rep, h hours, now time.Time, grace int) commands.Digest {
	today := campaign.DateOf(now, h.loc)
	startOfDay, endOfDay := today.At(0, 0, h.loc), today.AddDays(1).At(0, 0, h.loc)
	var d commands.Digest
	var st campaign.Stats
	for _, c := range open {
		standing := campaign.Judge(c, qualified(c.Company), now, h.cal, grace)
		st.Add(c, standing)
		switch {
		case standing == campaign.Counting && c.DueAt.Before(now) && !campaign.LapseAt(c.DueAt, h.cal, grace).After(endOfDay):
			d.Lapsing = append(d.Lapsing, c)
		case c.DueAt.Before(startOfDay):
			d.Overdue = append(d.Overdue, c)
		case c.DueAt.Before(endOfDay):
			d.Today = append(d.Today, c)
		}
	}
	byDue := func(a, b campaign.Campaign) int { return a.DueAt.Compare(b.DueAt) }
	slices.SortStableFunc(d.Overdue, byDue)
	slices.SortStableFunc(d.Lapsing, byDue)
	slices.SortStableFunc(d.Today, func(a, b campaign.Campaign) int {
		return cmp.Or(cmp.Compare(heat(b.Temperature), heat(a.Temperature)), byDue(a, b))
	})
	d.Counting, d.Lapsed, d.Target = st.Counting, st.Lapsed, campaign.Goal
	if rep.Start != (campaign.Date{}) {
		if t := campaign.RampTarget(rep.Start, today); t < campaign.Goal {
			d.Target, d.Ramping = t, true
		}
	}
	return d
}

// heat orders temperatures: hot first.
func heat(t campaign.Temperature) int {
	switch t {
	case campaign.Hot:
		return 2
	case campaign.Warm:
		return 1
	}
	return 0
}
