// Package storage keeps campaigns in Redis: a listpack-encoded hash per campaign, per-rep indexes
// and a per-workspace sorted set of due follow-ups that the scheduler claims from.
//
// It is the only package that imports go-redis. Callers see campaign types and errors: an unknown
// campaign is a campaign.NotFound error, a duplicate is *campaign.DuplicateError, and nothing of
// go-redis leaves the package. It never imports commands, scheduler or bot; they describe what
// they need as interfaces, and *Store satisfies them.
//
// Every multi-key change runs as one Lua script (scripts.go) that validates before its first
// write, so a crash between two writes cannot leave a campaign without its index entries or an
// index entry without its campaign, and a refused change writes nothing. All keys of one
// workspace share the hash tag {team}, so those scripts stay in one Redis Cluster slot. The key
// schema is in keys.go and the hash layout in fields.go.
//
// Open picks the backend: REDIS_URL if set; else a redis-server child process with AOF in the
// data directory; else an in-process miniredis. The same scripts run in all three.
//
// Memory (BenchmarkMemoryPerCampaign, Redis 7.0): about 406 bytes per open campaign for its own
// state, about 104 for its "created" entry in the audit trail (each later change adds about 71),
// and about 187 for a first note. The hash keeps every value within hash-max-listpack-value by
// splitting long names into 64-byte chunks, and notes live in a separate string.
package storage
