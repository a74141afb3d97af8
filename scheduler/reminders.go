package scheduler

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"campaignbot/campaign"
	"campaignbot/commands"
)

const (
	// catchUpPrefix names a rep's catch-up job: "cu:<user>".
	catchUpPrefix = "cu:"
	// reminderKeep is how long a delivered reminder is remembered: far longer than any lease, so
	// recovered work is never sent twice, and short enough that a million campaigns cost little.
	reminderKeep = 6 * time.Hour
	// gather is how long a catch-up waits after the first missed reminder is found, so every
	// replica's share of the backlog lands in the same message.
	gather = 3 * time.Second
)

// remind handles a claimed campaign: it sends the due DM, or defers it to working hours, or holds
// it for a catch-up (PTO, or found too late after downtime), or drops it if the campaign closed.
func (s *Scheduler) remind(ctx, hctx context.Context, q *sender, t task) error {
	c, err := s.store.Get(hctx, t.team, t.member)
	switch {
	case campaign.ErrorCode(err) == campaign.NotFound:
		return s.store.AckSend(hctx, t.team, t.member, t.token, "", 0, time.Time{})
	case err != nil:
		return fmt.Errorf("load campaign: %w", err) // the lease expires and another try follows
	case !c.Status.Open():
		return s.store.AckSend(hctx, t.team, t.member, t.token, "", 0, time.Time{})
	}
	rep, err := s.rep(hctx, t.team, c.Owner)
	if err != nil {
		return fmt.Errorf("load rep %s: %w", c.Owner, err)
	}
	now := s.now()
	h := s.hoursOf(rep)
	at := s.deliverAt(c, rep)
	switch {
	case at.After(now):
		// Claimed early: a date-only follow-up outside working hours, or re-armed meanwhile.
		return s.store.DeferClaim(hctx, t.team, t.member, t.token, at)
	case rep.AwayUntil.After(now):
		back := h.nextOpen(rep.AwayUntil)
		return s.store.HoldClaim(hctx, t.team, c.ID, t.token, c.Owner, catchUpPrefix+c.Owner, c.DueAt, back)
	case now.Sub(at) > s.cfg.CatchUpWindow:
		return s.store.HoldClaim(hctx, t.team, c.ID, t.token, c.Owner, catchUpPrefix+c.Owner, c.DueAt, h.nextOpen(now.Add(gather)))
	}
	var last *campaign.Note
	if notes, err := s.store.Notes(hctx, t.team, c.ID, 1); err == nil && len(notes) > 0 {
		last = &notes[len(notes)-1]
	}
	reply := commands.RenderReminder(c, last, now, h.loc)
	return s.deliver(ctx, hctx, q, t, delivery{
		kind:    KindReminder,
		channel: "dm:" + t.team + ":" + c.Owner,
		occ:     "r:" + c.ID + ":" + strconv.FormatInt(c.DueAt.UnixMilli(), 10),
		send:    func(ctx context.Context) error { return s.poster.DM(ctx, t.team, c.Owner, reply) },
		ack: func(ctx context.Context) error {
			return s.store.AckSend(ctx, t.team, t.member, t.token, "r:"+c.ID+":"+strconv.FormatInt(c.DueAt.UnixMilli(), 10), reminderKeep, time.Time{})
		},
		finish: func(ctx context.Context) error {
			return s.store.AckSend(ctx, t.team, t.member, t.token, "", 0, time.Time{})
		},
	})
}

// catchUp sends one message listing every reminder held for user, once the rep is back and
// within working hours.
func (s *Scheduler) catchUp(ctx, hctx context.Context, q *sender, t task, user string) error {
	rep, err := s.rep(hctx, t.team, user)
	if err != nil {
		return fmt.Errorf("load rep %s: %w", user, err)
	}
	now := s.now()
	h := s.hoursOf(rep)
	if rep.AwayUntil.After(now) {
		return s.store.DeferClaim(hctx, t.team, t.member, t.token, h.nextOpen(rep.AwayUntil))
	}
	if !h.open(now) {
		return s.store.DeferClaim(hctx, t.team, t.member, t.token, h.nextOpen(now))
	}
	held, err := s.store.Held(hctx, t.team, user)
	if err != nil {
		return fmt.Errorf("read held reminders: %w", err)
	}
	ids := make([]string, 0, len(held))
	var missed []campaign.Campaign
	var first, latest time.Time
	for id, due := range held {
		ids = append(ids, id)
		if latest.IsZero() || due.After(latest) {
			latest = due
		}
		if first.IsZero() || due.Before(first) {
			first = due
		}
		c, err := s.store.Get(hctx, t.team, id)
		if campaign.ErrorCode(err) == campaign.NotFound {
			continue
		}
		if err != nil {
			return fmt.Errorf("load held campaign %s: %w", id, err)
		}
		// Skip campaigns closed or moved since: the rep already dealt with them.
		if c.Status.Open() && c.DueAt.Equal(due) {
			missed = append(missed, c)
		}
	}
	slices.Sort(ids)
	occ := catchUpPrefix + user + ":" + strconv.FormatInt(latest.UnixMilli(), 10) + ":" + strconv.Itoa(len(ids))
	ack := func(ctx context.Context) error {
		return s.store.AckHeld(ctx, t.team, t.member, t.token, occ, reminderKeep, user, ids)
	}
	if len(missed) == 0 {
		return ack(hctx)
	}
	slices.SortFunc(missed, func(a, b campaign.Campaign) int { return a.DueAt.Compare(b.DueAt) })
	// It was PTO, not downtime, when the rep's time away covers the first missed reminder.
	away := !rep.AwayUntil.IsZero() && rep.AwayUntil.After(first)
	reply := commands.RenderCatchUp(missed, away, now, h.loc)
	return s.deliver(ctx, hctx, q, t, delivery{
		kind:    KindCatchUp,
		channel: "dm:" + t.team + ":" + user,
		occ:     occ,
		send:    func(ctx context.Context) error { return s.poster.DM(ctx, t.team, user, reply) },
		ack:     ack,
		finish: func(ctx context.Context) error {
			return s.store.AckSend(ctx, t.team, t.member, t.token, "", 0, time.Time{})
		},
	})
}
