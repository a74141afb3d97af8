package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Readings for operators: cheap enough to run on every metrics scrape.

// Ping reports whether Redis answers, for health checks.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping redis: %w", err)
	}
	return nil
}

// OldestDue returns the earliest due time of any reminder or scheduled job that is waiting to
// be claimed, across every workspace; zero when nothing waits. Work already claimed is not
// included: it is being sent, or its lease expires within Lease and it is put back. It costs one
// round trip per node: a ZRANGE … 0 0 of each workspace's two queues, pipelined.
func (s *Store) OldestDue(ctx context.Context) (time.Time, error) {
	teams, err := s.Teams(ctx)
	if err != nil || len(teams) == 0 {
		return time.Time{}, err
	}
	cmds := make([]*redis.ZSliceCmd, 0, 2*len(teams))
	_, err = s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, team := range teams {
			cmds = append(cmds, p.ZRangeWithScores(ctx, dueKey(team), 0, 0), p.ZRangeWithScores(ctx, jobsKey(team), 0, 0))
		}
		return nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("read oldest due: %w", err)
	}
	var oldest time.Time
	for _, c := range cmds {
		for _, z := range c.Val() {
			if at := time.UnixMilli(int64(z.Score)); oldest.IsZero() || at.Before(oldest) {
				oldest = at
			}
		}
	}
	return oldest, nil
}
