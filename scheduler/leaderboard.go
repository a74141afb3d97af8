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

// trendWeeks is how many weekly team totals the leaderboard chart shows, oldest first.
const trendWeeks = 8

const trendCaption = "Team total of active campaigns, week by week."

// trend draws the team's counting total at each of the last trendWeeks weekly snapshots up to the
// week starting at start. It returns nil, and the post goes out as a table alone, when there are
// fewer than two weeks to compare or the snapshots cannot be read.
func (s *Scheduler) trend(ctx context.Context, team string, start time.Time) *commands.File {
	loc := s.cfg.DefaultLocation
	var labels []string
	var totals []int
	for i := trendWeeks - 1; i >= 0; i-- {
		week := campaign.ISOWeek(campaign.DateOf(start, loc).AddDays(-7*i).At(12, 0, loc))
		snap, err := s.store.Weekly(ctx, team, week)
		if err != nil {
			s.log.WarnContext(ctx, "leaderboard trend not read", "team", team, "err", err)
			return nil
		}
		if len(snap) == 0 && len(labels) == 0 {
			continue // weeks before the first snapshot
		}
		sum := 0
		for _, n := range snap {
			sum += n
		}
		labels = append(labels, week[len(week)-3:]) // "W10"
		totals = append(totals, sum)
	}
	if len(totals) < 2 {
		return nil
	}
	chart, err := commands.TrendChart(labels, totals)
	if err != nil {
		s.log.WarnContext(ctx, "leaderboard trend not drawn", "team", team, "err", err)
		return nil
	}
	return chart
}

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
	chart := s.trend(hctx, t.team, start)
	occ := "lb:" + week
	return s.deliver(ctx, hctx, q, t, delivery{
		kind:    KindLeaderboard,
		channel: "ch:" + t.team + ":" + s.cfg.TeamChannel,
		occ:     occ,
		send: func(ctx context.Context) error {
			if err := s.poster.Post(ctx, t.team, s.cfg.TeamChannel, reply); err != nil {
				return err
			}
			if chart == nil {
				return nil
			}
			// The table is the post; the chart is extra. Without the files:write scope, or on any
			// upload failure, the table stands alone and the post is not repeated.
			if err := s.poster.Post(ctx, t.team, s.cfg.TeamChannel, commands.Reply{Text: trendCaption, File: chart}); err != nil {
				s.log.WarnContext(ctx, "leaderboard chart not posted", "team", t.team, "err", err)
			}
			return nil
		},
		ack: func(ctx context.Context) error {
			return s.store.AckSend(ctx, t.team, t.member, t.token, occ, leaderboardKeep, next)
		},
		finish: func(ctx context.Context) error {
			return s.store.AckSend(ctx, t.team, t.member, t.token, "", 0, next)
		},
	})
}
