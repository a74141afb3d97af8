package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"campaignbot/campaign"
)

// The audit trail is written by the scripts in scripts.go, in the same atomic step as the change
// it records (see auditKey and trailKey in keys.go); this file reads it. Nothing else writes it,
// and nothing keeps counters beside it: the on-time rate is computed from it, so it cannot drift.

// DefaultAuditRetention is how long the audit trail keeps events when Store.AuditRetention is
// zero: a year plus a margin, so a review can compare a month with the same month last year.
const DefaultAuditRetention = 400 * 24 * time.Hour

// eventCodes maps the one-letter kind codes stored in the stream (field k) to kinds. One letter
// because the field repeats in every entry.
var eventCodes = map[string]campaign.EventKind{
	"c": campaign.EventCreated,
	"m": campaign.EventMoved,
	"d": campaign.EventDone,
	"t": campaign.EventTemperature,
	"b": campaign.EventCompany,
	"o": campaign.EventOwner,
	"x": campaign.EventClosed,
	"r": campaign.EventReopened,
	"n": campaign.EventNote,
	"z": campaign.EventDeleted,
	"q": campaign.EventQualified,
}

// stampLen is the width of an audit time stamp: Unix ms in 13 zero-padded digits (until 2286),
// fixed so the scripts can compare stamps as strings and split the trail index without commas.
const stampLen = 13

// stamp renders t as an audit time stamp.
func stamp(t time.Time) string { return fmt.Sprintf("%0*d", stampLen, max(0, t.UnixMilli())) }

func (s *Store) retention() time.Duration {
	if s.AuditRetention > 0 {
		return s.AuditRetention
	}
	return DefaultAuditRetention
}

// auditFloor is the stamp of the oldest event kept at now; older ones are trimmed.
func (s *Store) auditFloor(now time.Time) string { return stamp(now.Add(-s.retention())) }

// decodeEvent reads one stream entry. Unknown kind codes (from a newer version) are kept raw
// rather than dropped, so a mixed deployment shows them instead of hiding them.
func decodeEvent(m redis.XMessage) campaign.Event {
	str := func(f string) string { v, _ := m.Values[f].(string); return v }
	msPart, _, _ := strings.Cut(m.ID, "-")
	kind, ok := eventCodes[str("k")]
	if !ok {
		kind = campaign.EventKind(str("k"))
	}
	e := campaign.Event{ID: m.ID, At: timeOf(msPart), Actor: str("a"), Campaign: str("i"), Kind: kind}
	from, to := str("f"), str("t")
	switch kind {
	case campaign.EventCreated:
		e.NewDue = timeOf(to)
	case campaign.EventMoved, campaign.EventDone:
		e.OldDue, e.NewDue = timeOf(from), timeOf(to)
	case campaign.EventTemperature:
		e.OldTemp, e.NewTemp = campaign.Temperature(from), campaign.Temperature(to)
	case campaign.EventCompany:
		e.OldCompany, e.Company = from, to
	case campaign.EventOwner:
		e.Owner = to
	case campaign.EventClosed:
		e.Outcome = campaign.Status(to)
	case campaign.EventReopened:
		e.Outcome = campaign.Status(from)
	case campaign.EventQualified:
		e.Company = to
	}
	return e
}

// History returns up to limit of a campaign's audit events, newest first (limit ≤ 0: all that
// are kept). It reads the campaign's stamps from the trail index and then only the stream
// entries at those milliseconds, so its cost does not grow with the workspace's activity. A
// missing campaign is campaign.NotFound; one changed only before the trail existed (or only by
// an import that does not audit) has an empty history.
func (s *Store) History(ctx context.Context, team, id string, limit int) ([]campaign.Event, error) {
	id, ok := normID(id)
	if !ok {
		return nil, notFound(id)
	}
	pipe := s.rdb.Pipeline()
	exists := pipe.Exists(ctx, campaignKey(team, id))
	idx := pipe.HGet(ctx, trailKey(team), id)
	if _, err := pipe.Exec(ctx); err != nil && !isNil(err) {
		return nil, fmt.Errorf("read history of campaign %s: %w", id, err)
	}
	if exists.Val() == 0 {
		return nil, notFound(id)
	}
	floor := s.auditFloor(s.now())
	var stamps []string // newest first
	for v := idx.Val(); len(v) >= stampLen; v = v[:len(v)-stampLen] {
		if st := v[len(v)-stampLen:]; st >= floor {
			stamps = append(stamps, st)
		}
	}
	events := []campaign.Event{}
	for len(stamps) > 0 && (limit <= 0 || len(events) < limit) {
		// Every stamp holds at least one event of this campaign, so limit stamps are enough
		// unless some were trimmed; then the loop reads on.
		n := len(stamps)
		if limit > 0 {
			n = min(n, limit-len(events))
		}
		pipe := s.rdb.Pipeline()
		cmds := make([]*redis.XMessageSliceCmd, n)
		for i, st := range stamps[:n] {
			cmds[i] = pipe.XRange(ctx, auditKey(team), st, st)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, fmt.Errorf("read history of campaign %s: %w", id, err)
		}
		stamps = stamps[n:]
		for _, cmd := range cmds {
			for _, msg := range slices.Backward(cmd.Val()) {
				if e := decodeEvent(msg); e.Campaign == id {
					events = append(events, e)
				}
			}
		}
	}
	if limit > 0 && len(events) > limit {
		events = events[:limit]
	}
	return events, nil
}

// eventPage is how many entries Events reads per round trip.
const eventPage = 1000

// Events returns the workspace's audit events at or after since and before until, oldest first,
// for views over the whole team (the on-time rate, the mass-push flag). It reads the stream's
// range in pages, so its cost is the team's activity over the range: keep ranges to weeks.
func (s *Store) Events(ctx context.Context, team string, since, until time.Time) ([]campaign.Event, error) {
	if floor := s.now().Add(-s.retention()); since.Before(floor) {
		since = floor // entries the approximate trim left behind are not shown either
	}
	start, end := strconv.FormatInt(since.UnixMilli(), 10), strconv.FormatInt(until.UnixMilli()-1, 10)
	var events []campaign.Event
	for {
		if !until.After(since) {
			return events, nil
		}
		msgs, err := s.rdb.XRangeN(ctx, auditKey(team), start, end, eventPage).Result()
		if err != nil {
			return nil, fmt.Errorf("read audit trail: %w", err)
		}
		for _, m := range msgs {
			events = append(events, decodeEvent(m))
		}
		if len(msgs) < eventPage {
			return events, nil
		}
		start, err = nextID(msgs[len(msgs)-1].ID)
		if err != nil {
			return nil, fmt.Errorf("read audit trail: %w", err)
		}
	}
}

// nextID is the smallest stream ID after id, for paging with an inclusive XRANGE.
func nextID(id string) (string, error) {
	ms, seq, ok := strings.Cut(id, "-")
	n, err := strconv.ParseUint(seq, 10, 64)
	if !ok || err != nil {
		return "", fmt.Errorf("malformed stream ID %q", id)
	}
	return ms + "-" + strconv.FormatUint(n+1, 10), nil
}

// OnTime returns, per rep, how many follow-ups they marked done in the ISO week named week (see
// ISOWeek) and how many of those by the end of the day they were due. Both the week and the due
// day are reckoned in the rep's zone from their profile, falling back to UTC. It is computed from
// the audit trail's done events: the week's UTC range widened by a day each side covers every
// zone, and the exact cut is made per rep.
func (s *Store) OnTime(ctx context.Context, team, week string) (done, onTime map[string]int, err error) {
	monday, err := weekStart(week)
	if err != nil {
		return nil, nil, fmt.Errorf("read on-time counts of %s: %w", week, err)
	}
	events, err := s.Events(ctx, team, monday.AddDate(0, 0, -1), monday.AddDate(0, 0, 8))
	if err != nil {
		return nil, nil, fmt.Errorf("read on-time counts of %s: %w", week, err)
	}
	events = slices.DeleteFunc(events, func(e campaign.Event) bool { return e.Kind != campaign.EventDone })
	zones, err := s.zones(ctx, team, events)
	if err != nil {
		return nil, nil, fmt.Errorf("read on-time counts of %s: %w", week, err)
	}
	done, onTime = map[string]int{}, map[string]int{}
	for _, e := range events {
		loc := zones[e.Actor]
		at := e.At.In(loc)
		if campaign.ISOWeek(at) != week {
			continue
		}
		done[e.Actor]++
		y, m, d := e.OldDue.In(loc).Date()
		if !e.OldDue.IsZero() && at.Before(time.Date(y, m, d+1, 0, 0, 0, 0, loc)) {
			onTime[e.Actor]++
		}
	}
	return done, onTime, nil
}

// zones loads the profile zone of every actor in events, in one pipeline.
func (s *Store) zones(ctx context.Context, team string, events []campaign.Event) (map[string]*time.Location, error) {
	out := map[string]*time.Location{}
	cmds := map[string]*redis.StringCmd{}
	pipe := s.rdb.Pipeline()
	for _, e := range events {
		if _, ok := cmds[e.Actor]; !ok {
			cmds[e.Actor] = pipe.HGet(ctx, profileKey(team, e.Actor), fRepTZ)
		}
	}
	if len(cmds) == 0 {
		return out, nil
	}
	if _, err := pipe.Exec(ctx); err != nil && !isNil(err) {
		return nil, err
	}
	for user, cmd := range cmds {
		out[user] = campaign.Rep{TZ: cmd.Val()}.Location()
	}
	return out, nil
}

// weekStart returns 00:00 UTC on the Monday of an ISO week named like "2026-W03".
func weekStart(week string) (time.Time, error) {
	var y, w int
	if n, err := fmt.Sscanf(week, "%d-W%d", &y, &w); n != 2 || err != nil || w < 1 || w > 53 {
		return time.Time{}, fmt.Errorf("malformed ISO week %q", week)
	}
	jan4 := time.Date(y, time.January, 4, 0, 0, 0, 0, time.UTC) // always in week 1
	monday := jan4.AddDate(0, 0, -(int(jan4.Weekday())+6)%7+7*(w-1))
	if campaign.ISOWeek(monday) != week {
		return time.Time{}, fmt.Errorf("no ISO week %q", week)
	}
	return monday, nil
}

// isNil reports a pipeline error that only says some reply was nil (a missing field).
func isNil(err error) bool { return errors.Is(err, redis.Nil) }
