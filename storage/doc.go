// Package storage keeps campaigns in Redis: a listpack-encoded hash per campaign, per-rep indexes
// and a per-workspace sorted set of due follow-ups that the scheduler claims from.
//
// It is the only package that imports go-redis. Callers see campaign types and errors: redis.Nil
// becomes a campaign.NotFound error here, and nothing else of go-redis leaves the package.
// Every multi-key change runs as one Lua script, so a crash between two writes cannot leave a
// campaign without its index entries or an index entry without its campaign. All keys of one
// workspace share the hash tag {team}, so those scripts stay in one Redis Cluster slot.
package storage
