package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"campaignbot/campaign"
)

// Hooks for the black-box tests in storage_test, which need to look at raw keys.

var (
	CampaignKey    = campaignKey
	NotesKey       = notesKey
	RepIndexKey    = repIndexKey
	ClosedIndexKey = closedIndexKey
	NameIndexKey   = nameIndexKey
	DueKey         = dueKey
	TeamsKey       = teamsKey
	WakeChannel    = wakeChannel
	NameField      = nameField
	LeaseKey       = leaseKey
	ClaimKey       = claimKey
	HeldKey        = heldKey
)

// CheckIndexes verifies the invariants the scripts maintain for team, returning every violation:
// an open campaign is in its owner's rep and name indexes (and in due, unless dueMayLack says the
// scheduler took it), a closed one is only in its owner's closed index, and every index entry
// points at a campaign in the matching state.
func CheckIndexes(ctx context.Context, rdb redis.UniversalClient, team string, dueMayLack bool) error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	keys, err := rdb.Keys(ctx, teamTag(team)+"*").Result()
	if err != nil {
		return err
	}
	campaigns := map[string]map[string]string{}
	for _, k := range keys {
		if id, ok := strings.CutPrefix(k, campaignKey(team, "")); ok {
			campaigns[id] = rdb.HGetAll(ctx, k).Val()
		}
	}
	due := map[string]float64{}
	for _, z := range rdb.ZRangeWithScores(ctx, dueKey(team), 0, -1).Val() {
		due[z.Member.(string)] = z.Score
	}
	for id, h := range campaigns {
		owner, open := h[fOwner], campaign.Status(h[fStatus]).Open()
		inRep := rdb.HGet(ctx, repIndexKey(team, owner), id).Val()
		inName := rdb.HGet(ctx, nameIndexKey(team, owner), h[fName]).Val()
		inClosed := rdb.HExists(ctx, closedIndexKey(team, owner), id).Val()
		_, inDue := due[id]
		if open {
			if inRep != h[fDue] {
				bad("#%s open: rep index has %q, want due %q", id, inRep, h[fDue])
			}
			if inName != id {
				bad("#%s open: name index has %q", id, inName)
			}
			if !inDue && !dueMayLack {
				bad("#%s open: not in due", id)
			}
			if inDue && fmt.Sprint(int64(due[id])) != h[fDue] {
				bad("#%s open: due score %v, want %s", id, int64(due[id]), h[fDue])
			}
			if inClosed {
				bad("#%s open: in closed index", id)
			}
		} else if inRep != "" || inName == id || inDue || !inClosed {
			bad("#%s closed: rep=%q name=%q due=%v closed=%v", id, inRep, inName, inDue, inClosed)
		}
	}
	for id := range due {
		if h, ok := campaigns[id]; !ok || !campaign.Status(h[fStatus]).Open() {
			bad("due has #%s, which is not an open campaign", id)
		}
	}
	for _, k := range keys {
		for _, kind := range []struct {
			prefix string
			byName bool
		}{{repIndexKey(team, ""), false}, {nameIndexKey(team, ""), true}, {closedIndexKey(team, ""), false}} {
			owner, ok := strings.CutPrefix(k, kind.prefix)
			if !ok {
				continue
			}
			for f, v := range rdb.HGetAll(ctx, k).Val() {
				id := f
				if kind.byName {
					id = v
				}
				h, ok := campaigns[id]
				if !ok || h[fOwner] != owner {
					bad("%s: entry %s=%s points at no campaign of %s", k, f, v, owner)
				}
				if kind.byName && h[fName] != f {
					bad("%s: entry %s points at #%s whose name field is %s", k, f, id, h[fName])
				}
			}
		}
	}
	return errors.Join(errs...)
}

// CreateMany stores campaigns the way Create does, through the same script, but pipelined in
// batches: benchmarks use it to load 100,000 campaigns in seconds.
func CreateMany(ctx context.Context, s *Store, cs []campaign.Campaign, first *campaign.Note) error {
	if err := createScript.Load(ctx, s.rdb).Err(); err != nil {
		return err
	}
	for len(cs) > 0 {
		batch := cs[:min(len(cs), 500)]
		cs = cs[len(batch):]
		pipe := s.rdb.Pipeline()
		for _, c := range batch {
			if err := s.addTeam(ctx, c.Team); err != nil {
				return err
			}
			_, keys, args, err := s.createArgs(c, first)
			if err != nil {
				return err
			}
			createScript.EvalSha(ctx, pipe, keys, args...)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}
