package scheduler

import (
	"context"
	"fmt"
	"time"

	"campaignbot/campaign"
	"campaignbot/commands"
)

const (
	// leaderboardJob is each workspace's weekly leaderboard job; it re-arms itself for the next
	// Monday each time it runs.
	leaderboardJob = "lb:weekly"
	// leaderboardKeep remembers a week's post past the week, so it goes out once per week.
	leaderboardKeep = 8 * 24 * time.Hour
	// leaderboardHour is when the post goes out on Monday, in the team's zone.
	leaderboardHour = 9
)

// weekStart is the Monday of t's week at the leaderboard hour in loc.
func weekStart(t time.Time, loc *time.Location) time.Time {
	d := campaign.DateOf(t, loc)
	back := (int(d.Weekday()) + 6) % 7 // days since Monday
	return d.AddDays(-back).At(leaderboardHour, 0, loc)
}

// nextLeaderboard is the first Monday leaderboard time after t, in the team's zone.
func (s *Scheduler) nextLeaderboard(t time.Time) time.Time {
	loc := s.cfg.DefaultLocation
	at := weekStart(t, loc)
	if !at.After(t) {
		at = campaign.DateOf(at, loc).AddDays(7).At(leaderboardHour, 0, loc)
	}
	return at
}

// leaderboard posts the week's ranking to the team channel, once per ISO week, and snapshots each
// rep's counting total so next week's post can show the change.
func (s *Scheduler) leaderboard(ctx, hctx context.Context, q *sender, t task) error {
	loc := s.cfg.DefaultLocation
	now := s.now().In(loc)
	start := weekStart(now, loc)
	if now.Before(start) {
		// Monday before nine: the job ran early; this week's post is due at nine.
		return s.store.DeferClaim(hctx, t.team, t.member, t.token, start)
	}
	next := s.nextLeaderboard(now)
	if s.cfg.TeamChannel == "" {
		return s.store.AckSend(hctx, t.team, t.member, t.token, "", 0, time.Time{})
	}
	week := campaign.ISOWeek(start)
	prev := campaign.ISOWeek(campaign.DateOf(start, loc).AddDays(-7).At(12, 0, loc))
	in, err := commands.BoardInput(hctx, s.store, t.team, prev, now, s.cfg.DefaultLocation.String(), s.cfg.Grace)
	if err != nil {
		return fmt.Errorf("leaderboard of %s: %w", t.team, err)
	}
	rows := campaign.Board(in)
	totals := make(map[string]int, len(rows))
	for _, r := range rows {
		totals[r.User] = r.Counting
	}
	if err := s.store.SaveWeekly(hctx, t.team, week, totals); err != nil {
		return err
	}
	title := "week of " + start.Format("Jan 2")
	reply := commands.RenderLeaderboard(title, rows, campaign.TopMovers(rows, campaign.MoversShown))
	occ := "lb:" + week
	return s.deliver(ctx, hctx, q, t, delivery{
		kind:    KindLeaderboard,
		channel: "ch:" + t.team + ":" + s.cfg.TeamChannel,
		occ:     occ,
		send:    func(ctx context.Context) error { return s.poster.Post(ctx, t.team, s.cfg.TeamChannel, reply) },
		ack: func(ctx context.Context) error {
			return s.store.AckSend(ctx, t.team, t.member, t.token, occ, leaderboardKeep, next)
		},
		finish: func(ctx context.Context) error {
			return s.store.AckSend(ctx, t.team, t.member, t.token, "", 0, next)
		},
	})
}
