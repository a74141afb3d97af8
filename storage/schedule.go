package storage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// The Redis side of the scheduler. Work waits in two ZSETs per workspace: dueKey (campaign IDs,
// maintained by Create and Save) and jobsKey (morning lists, catch-ups, the leaderboard). A
// replica claims due members into leaseKey with a token, sends, and acks; a replica that dies
// leaves a lease that any replica's next claim puts back once it expires. sentKey marks each
// delivered occurrence, so recovered work that was in fact delivered is not sent again.
//
// Every method takes the instant "now" from the caller, whose clock tests control, and scores
// are Unix ms. Tokens and members never contain '|'.

// schedPrelude holds helpers shared by the scheduling scripts. home and owns read KEYS by the
// fixed positions each script documents.
const schedPrelude = `
-- home is the ZSET a member waits in: job names contain ':', campaign IDs never do.
local function home(m, due, jobs)
  if string.find(m, ':', 1, true) then
    return jobs
  end
  return due
end

-- owns reports whether token holds the claim on m, and returns the score m had when claimed.
local function owns(claim, m, token)
  local v = redis.call('HGET', claim, m)
  if not v then
    return false, nil
  end
  local t, score = string.match(v, '^(.*)|([^|]*)$')
  return t == token, score
end

-- release ends token's claim on m: its lease and its claim entry go. It returns false, changing
-- nothing, when the claim is no longer token's (its lease expired and another replica took it).
local function release(lease, claim, m, token)
  if not owns(claim, m, token) then
    return false
  end
  redis.call('ZREM', lease, m)
  redis.call('HDEL', claim, m)
  return true
end

-- wakeIfHead publishes team on channel when m is now the earliest member of zset, so sleeping
-- replicas re-arm their timers (pub/sub is only a hint; they re-read heads anyway).
local function wakeIfHead(zset, m, channel, team)
  local head = redis.call('ZRANGE', zset, 0, 0)
  if head[1] == m then
    redis.call('PUBLISH', channel, team)
  end
end
`

func newSchedScript(src string) *redis.Script { return redis.NewScript(schedPrelude + src) }

// claimScript recovers expired leases, claims due work and reports the next instant anything in
// the workspace needs attention.
//
// KEYS[1] due ZSET, KEYS[2] jobs ZSET, KEYS[3] lease ZSET, KEYS[4] claim HASH.
// ARGV[1] now ms, ARGV[2] lease expiry ms, ARGV[3] token, ARGV[4] most campaigns to claim,
// ARGV[5] most jobs to claim, ARGV[6] most expired leases to recover.
// Returns {head, recovered, member1, score1, member2, score2, …}; head is the lowest score in
// due, jobs and lease after the claim ("" when all three are empty), recovered the number of
// expired leases put back. Claimed scores are the due scores.
var claimScript = newSchedScript(`
local now = tonumber(ARGV[1])
-- Recovery first, so work of a dead replica is claimed in the same call once its lease is over.
-- NX: a Save that re-armed the campaign meanwhile has the newer due time.
local expired = redis.call('ZRANGE', KEYS[3], '-inf', now, 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[6]))
for _, m in ipairs(expired) do
  local _, score = owns(KEYS[4], m, '')
  redis.call('ZREM', KEYS[3], m)
  redis.call('HDEL', KEYS[4], m)
  redis.call('ZADD', home(m, KEYS[1], KEYS[2]), 'NX', score or now, m)
end
local out = {'', tostring(#expired)}
local function claim(key, limit)
  if limit <= 0 then
    return
  end
  local items = redis.call('ZRANGE', key, '-inf', now, 'BYSCORE', 'LIMIT', 0, limit, 'WITHSCORES')
  for i = 1, #items, 2 do
    local m, s = items[i], items[i + 1]
    redis.call('ZREM', key, m)
    redis.call('ZADD', KEYS[3], ARGV[2], m)
    redis.call('HSET', KEYS[4], m, ARGV[3] .. '|' .. s)
    out[#out + 1] = m
    out[#out + 1] = s
  end
end
claim(KEYS[1], tonumber(ARGV[4]))
claim(KEYS[2], tonumber(ARGV[5]))
local head
for i = 1, 3 do
  local h = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
  if h[2] and (not head or tonumber(h[2]) < tonumber(head)) then
    head = h[2]
  end
end
out[1] = head or ''
return out
`)

// beginScript checks, right before a send, that the caller still holds the lease and that the
// occurrence was not delivered already; if so it extends the lease to cover the send.
//
// KEYS[1] lease ZSET, KEYS[2] claim HASH, KEYS[3] sent STRING of the occurrence.
// ARGV[1] member, ARGV[2] token, ARGV[3] now ms, ARGV[4] new lease expiry ms.
// Returns 1 (send), 0 (lease lost or expired: another replica may own it now; do nothing) or 2
// (already delivered: finish without sending).
var beginScript = newSchedScript(`
local mine = owns(KEYS[2], ARGV[1], ARGV[2])
if not mine then
  return 0
end
local exp = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]))
if not exp or exp <= tonumber(ARGV[3]) then
  return 0
end
if redis.call('EXISTS', KEYS[3]) == 1 then
  return 2
end
redis.call('ZADD', KEYS[1], 'XX', ARGV[4], ARGV[1])
return 1
`)

// ackScript records a delivery and ends the lease, re-arming a recurring job.
//
// KEYS[1] lease ZSET, KEYS[2] claim HASH, KEYS[3] sent STRING, KEYS[4] jobs ZSET.
// ARGV[1] member, ARGV[2] token, ARGV[3] how long to remember the delivery in ms ("" = nothing
// was delivered), ARGV[4] when the job runs next in ms ("" = not again), ARGV[5] team,
// ARGV[6] wake channel.
// Returns 1, or 0 when the lease was no longer the caller's (the delivery is recorded anyway:
// the message went out, so whoever holds the work now must not send it again).
var ackScript = newSchedScript(`
if ARGV[3] ~= '' then
  redis.call('SET', KEYS[3], '1', 'PX', ARGV[3])
end
if not release(KEYS[1], KEYS[2], ARGV[1], ARGV[2]) then
  return 0
end
if ARGV[4] ~= '' then
  redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
  wakeIfHead(KEYS[4], ARGV[1], ARGV[6], ARGV[5])
end
return 1
`)

// deferScript hands claimed work back to wait until a later instant (quiet hours, a morning
// list that is not due yet). LT keeps an earlier time a Save wrote meanwhile.
//
// KEYS[1] lease ZSET, KEYS[2] claim HASH, KEYS[3] due ZSET, KEYS[4] jobs ZSET.
// ARGV[1] member, ARGV[2] token, ARGV[3] at ms, ARGV[4] team, ARGV[5] wake channel.
// Returns 1, or 0 when the lease was no longer the caller's.
var deferScript = newSchedScript(`
if not release(KEYS[1], KEYS[2], ARGV[1], ARGV[2]) then
  return 0
end
local dest = home(ARGV[1], KEYS[3], KEYS[4])
redis.call('ZADD', dest, 'LT', ARGV[3], ARGV[1])
wakeIfHead(dest, ARGV[1], ARGV[5], ARGV[4])
return 1
`)

// holdScript moves a claimed reminder into its rep's held set and arms the rep's catch-up job,
// so all reminders missed in an outage (or during PTO) go out as one message. LT: a catch-up
// already armed for earlier keeps its time.
//
// KEYS[1] lease ZSET, KEYS[2] claim HASH, KEYS[3] held ZSET, KEYS[4] jobs ZSET.
// ARGV[1] campaign ID, ARGV[2] token, ARGV[3] due ms, ARGV[4] catch-up job name, ARGV[5] its
// time ms, ARGV[6] team, ARGV[7] wake channel.
// Returns 1, or 0 when the lease was no longer the caller's.
var holdScript = newSchedScript(`
if not release(KEYS[1], KEYS[2], ARGV[1], ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[4], 'LT', ARGV[5], ARGV[4])
wakeIfHead(KEYS[4], ARGV[4], ARGV[7], ARGV[6])
return 1
`)

// ackHeldScript records a delivered catch-up: the listed reminders leave the held set and the
// job's lease ends. Reminders held after the caller read the set stay for the next catch-up.
//
// KEYS[1] lease ZSET, KEYS[2] claim HASH, KEYS[3] held ZSET, KEYS[4] sent STRING.
// ARGV[1] job name, ARGV[2] token, ARGV[3] how long to remember the delivery in ms,
// ARGV[4…] the campaign IDs the message listed.
// Returns 1, or 0 when the lease was no longer the caller's.
var ackHeldScript = newSchedScript(`
redis.call('SET', KEYS[4], '1', 'PX', ARGV[3])
for i = 4, #ARGV do
  redis.call('ZREM', KEYS[3], ARGV[i])
end
if not release(KEYS[1], KEYS[2], ARGV[1], ARGV[2]) then
  return 0
end
return 1
`)

// releaseScript gives back claims that were never started (a replica shutting down), each with
// the due score it had, so another replica sends them at once.
//
// KEYS[1] lease ZSET, KEYS[2] claim HASH, KEYS[3] due ZSET, KEYS[4] jobs ZSET.
// ARGV[1] token, ARGV[2…] members. Returns how many were released.
var releaseScript = newSchedScript(`
local n = 0
for i = 2, #ARGV do
  local m = ARGV[i]
  local mine, score = owns(KEYS[2], m, ARGV[1])
  if mine then
    redis.call('ZREM', KEYS[1], m)
    redis.call('HDEL', KEYS[2], m)
    redis.call('ZADD', home(m, KEYS[3], KEYS[4]), 'NX', score, m)
    n = n + 1
  end
end
return n
`)

// armScript adds a job unless it is already waiting.
//
// KEYS[1] jobs ZSET. ARGV[1] job name, ARGV[2] at ms, ARGV[3] team, ARGV[4] wake channel.
// Returns 1 if added.
var armScript = newSchedScript(`
local added = redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
if added == 1 then
  wakeIfHead(KEYS[1], ARGV[1], ARGV[4], ARGV[3])
end
return added
`)

// unarmedScript lists reps who have no job named prefix..user, neither waiting nor leased.
//
// KEYS[1] reps SET, KEYS[2] jobs ZSET, KEYS[3] claim HASH. ARGV[1] job name prefix.
var unarmedScript = newSchedScript(`
local out = {}
for _, u in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local job = ARGV[1] .. u
  if not redis.call('ZSCORE', KEYS[2], job) and redis.call('HEXISTS', KEYS[3], job) == 0 then
    out[#out + 1] = u
  end
end
return out
`)

// maxRecover bounds the leases one claim puts back, so one call stays short after a big crash.
const maxRecover = 500

func msArg(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

func durArg(d time.Duration) string { return strconv.FormatInt(d.Milliseconds(), 10) }

// checkToken keeps the claim-value separator out of tokens and members.
func checkToken(token string, members ...string) error {
	if token == "" || strings.Contains(token, "|") {
		return fmt.Errorf("invalid claim token %q", token)
	}
	for _, m := range members {
		if m == "" || strings.Contains(m, "|") {
			return fmt.Errorf("invalid member %q", m)
		}
	}
	return nil
}

// ClaimDue puts expired leases of team back, then claims up to dueLimit campaigns and jobLimit
// jobs due at now into a lease that ends at now+lease, held under token. It returns the claimed
// members (campaign IDs and job names) with their due times, and the next instant anything in the
// workspace needs attention (a due time or a lease expiry; zero when there is nothing), and how
// many expired leases it put back. With both limits zero it only recovers and peeks.
func (s *Store) ClaimDue(ctx context.Context, team, token string, now time.Time, lease time.Duration, dueLimit, jobLimit int) (claimed map[string]time.Time, head time.Time, recovered int, err error) {
	if err := checkToken(token); err != nil {
		return nil, time.Time{}, 0, fmt.Errorf("claim due work: %w", err)
	}
	keys := []string{dueKey(team), jobsKey(team), leaseKey(team), claimKey(team)}
	res, err := claimScript.Run(ctx, s.rdb, keys, msArg(now), msArg(now.Add(lease)), token,
		max(dueLimit, 0), max(jobLimit, 0), maxRecover).StringSlice()
	if err != nil {
		return nil, time.Time{}, 0, fmt.Errorf("claim due work of %s: %w", team, err)
	}
	if len(res) < 2 || len(res)%2 != 0 {
		return nil, time.Time{}, 0, fmt.Errorf("claim due work of %s: unexpected reply %q", team, res)
	}
	if res[0] != "" {
		head = scoreTime(res[0])
	}
	recovered, _ = strconv.Atoi(res[1])
	claimed = make(map[string]time.Time, (len(res)-2)/2)
	for i := 2; i < len(res); i += 2 {
		claimed[res[i]] = scoreTime(res[i+1])
	}
	return claimed, head, recovered, nil
}

// scoreTime reads a ZSET score of Unix ms; Redis prints large integral scores without exponent,
// but a float parse accepts both forms.
func scoreTime(s string) time.Time {
	f, _ := strconv.ParseFloat(s, 64)
	return time.UnixMilli(int64(f))
}

// BeginSend is called right before delivering occurrence occ of a claimed member. It returns
// true when the caller still holds the lease and occ was not delivered before, and then extends
// the lease to now+lease to cover the send. On false the caller must not send; it should still
// call AckSend with an empty occ, which finishes the work if the lease is still its own (the
// occurrence was delivered already) and does nothing otherwise.
func (s *Store) BeginSend(ctx context.Context, team, member, token, occ string, now time.Time, lease time.Duration) (bool, error) {
	if err := checkToken(token, member); err != nil {
		return false, fmt.Errorf("begin send: %w", err)
	}
	keys := []string{leaseKey(team), claimKey(team), sentKey(team, occ)}
	n, err := beginScript.Run(ctx, s.rdb, keys, member, token, msArg(now), msArg(now.Add(lease))).Int()
	if err != nil {
		return false, fmt.Errorf("begin send of %s: %w", member, err)
	}
	return n == 1, nil
}

// AckSend ends the lease on member. A non-empty occ records that occurrence as delivered for
// keep (even if the lease was lost meanwhile: the message did go out). A non-zero next re-arms
// a job for that instant.
func (s *Store) AckSend(ctx context.Context, team, member, token, occ string, keep time.Duration, next time.Time) error {
	if err := checkToken(token, member); err != nil {
		return fmt.Errorf("ack send: %w", err)
	}
	keepArg, nextArg := "", ""
	if occ != "" {
		keepArg = durArg(max(keep, time.Minute))
	}
	if !next.IsZero() {
		nextArg = msArg(next)
	}
	keys := []string{leaseKey(team), claimKey(team), sentKey(team, occ), jobsKey(team)}
	if err := ackScript.Run(ctx, s.rdb, keys, member, token, keepArg, nextArg, team, wakeChannel).Err(); err != nil {
		return fmt.Errorf("ack send of %s: %w", member, err)
	}
	return nil
}

// DeferClaim hands a claimed member back to wait until at (or an earlier time a Save set).
func (s *Store) DeferClaim(ctx context.Context, team, member, token string, at time.Time) error {
	if err := checkToken(token, member); err != nil {
		return fmt.Errorf("defer: %w", err)
	}
	keys := []string{leaseKey(team), claimKey(team), dueKey(team), jobsKey(team)}
	if err := deferScript.Run(ctx, s.rdb, keys, member, token, msArg(at), team, wakeChannel).Err(); err != nil {
		return fmt.Errorf("defer %s: %w", member, err)
	}
	return nil
}

// HoldClaim moves a claimed reminder (campaign id, due at due) into user's held set and arms the
// job catchUp to run at at, unless it is armed for earlier.
func (s *Store) HoldClaim(ctx context.Context, team, id, token, user, catchUp string, due, at time.Time) error {
	if err := checkToken(token, id, catchUp); err != nil {
		return fmt.Errorf("hold: %w", err)
	}
	keys := []string{leaseKey(team), claimKey(team), heldKey(team, user), jobsKey(team)}
	err := holdScript.Run(ctx, s.rdb, keys, id, token, msArg(due), catchUp, msArg(at), team, wakeChannel).Err()
	if err != nil {
		return fmt.Errorf("hold reminder %s: %w", id, err)
	}
	return nil
}

// Held returns user's held reminders: campaign ID → due time.
func (s *Store) Held(ctx context.Context, team, user string) (map[string]time.Time, error) {
	zs, err := s.rdb.ZRangeWithScores(ctx, heldKey(team, user), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("list held reminders of %s: %w", user, err)
	}
	out := make(map[string]time.Time, len(zs))
	for _, z := range zs {
		id, _ := z.Member.(string)
		out[id] = time.UnixMilli(int64(z.Score))
	}
	return out, nil
}

// AckHeld records a delivered catch-up (occurrence occ, remembered for keep): ids leave user's
// held set and the lease on the job ends.
func (s *Store) AckHeld(ctx context.Context, team, job, token, occ string, keep time.Duration, user string, ids []string) error {
	if err := checkToken(token, job); err != nil {
		return fmt.Errorf("ack catch-up: %w", err)
	}
	keys := []string{leaseKey(team), claimKey(team), heldKey(team, user), sentKey(team, occ)}
	args := make([]any, 0, 3+len(ids))
	args = append(args, job, token, durArg(max(keep, time.Minute)))
	for _, id := range ids {
		args = append(args, id)
	}
	if err := ackHeldScript.Run(ctx, s.rdb, keys, args...).Err(); err != nil {
		return fmt.Errorf("ack catch-up of %s: %w", user, err)
	}
	return nil
}

// ReleaseClaims gives back members claimed under token that were never sent, with their due
// times, so another replica takes them at once instead of waiting for the lease to expire.
func (s *Store) ReleaseClaims(ctx context.Context, team, token string, members []string) error {
	if len(members) == 0 {
		return nil
	}
	if err := checkToken(token, members...); err != nil {
		return fmt.Errorf("release claims: %w", err)
	}
	keys := []string{leaseKey(team), claimKey(team), dueKey(team), jobsKey(team)}
	args := make([]any, 0, 1+len(members))
	args = append(args, token)
	for _, m := range members {
		args = append(args, m)
	}
	if err := releaseScript.Run(ctx, s.rdb, keys, args...).Err(); err != nil {
		return fmt.Errorf("release %d claims of %s: %w", len(members), team, err)
	}
	return nil
}

// ArmJob schedules job at at unless it is already waiting. Job names contain ':' (see jobsKey).
func (s *Store) ArmJob(ctx context.Context, team, job string, at time.Time) error {
	if !strings.Contains(job, ":") || strings.Contains(job, "|") {
		return fmt.Errorf("arm job: invalid job name %q", job)
	}
	if err := armScript.Run(ctx, s.rdb, []string{jobsKey(team)}, job, msArg(at), team, wakeChannel).Err(); err != nil {
		return fmt.Errorf("arm job %s: %w", job, err)
	}
	return nil
}

// UnarmedReps returns the workspace's reps that have no job named prefix+user, waiting or leased:
// the ones whose recurring job must still be created.
func (s *Store) UnarmedReps(ctx context.Context, team, prefix string) ([]string, error) {
	keys := []string{repsKey(team), jobsKey(team), claimKey(team)}
	users, err := unarmedScript.Run(ctx, s.rdb, keys, prefix).StringSlice()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("list reps without %s jobs: %w", prefix, err)
	}
	return users, nil
}

// Wake subscribes to the wake-up channel and returns the team IDs published on it. An empty
// string means the subscription was (re)established and messages may have been missed, so the
// reader should re-read every workspace. stop closes the subscription and returns once the
// channel is closed and nothing reads from Redis for it any more. Messages the reader is too slow for are
// dropped: they are hints, and the scheduler re-reads heads periodically.
func (s *Store) Wake(ctx context.Context) (<-chan string, func() error) {
	ps := s.rdb.Subscribe(ctx, wakeChannel)
	out := make(chan string, 64)
	go func() {
		defer close(out)
		backoff := 100 * time.Millisecond
		for {
			msg, err := ps.Receive(ctx)
			if err != nil {
				if ctx.Err() != nil || errors.Is(err, redis.ErrClosed) {
					return
				}
				// Receive reconnects and resubscribes on the next call; don't spin while Redis is down.
				select {
				case <-ctx.Done():
					return
				case <-time.After(backoff):
				}
				backoff = min(2*backoff, 5*time.Second)
				continue
			}
			backoff = 100 * time.Millisecond
			var team string
			switch m := msg.(type) {
			case *redis.Subscription:
				if m.Kind != "subscribe" {
					continue
				}
			case *redis.Message:
				team = m.Payload
			default:
				continue
			}
			select {
			case out <- team:
			default:
			}
		}
	}()
	// stop returns only after the reading goroutine has ended (it closes out), so nothing is
	// left using the connection when the caller goes on to close Redis.
	stop := func() error {
		err := ps.Close()
		for range out { // draining is the wait
		}
		return err
	}
	return out, stop
}

// statsTTL keeps weekly snapshots long enough for any "last week" comparison.
const statsTTL = 60 * 24 * time.Hour

// SaveWeekly stores each rep's counting total as the snapshot of week, replacing an earlier one.
func (s *Store) SaveWeekly(ctx context.Context, team, week string, totals map[string]int) error {
	if len(totals) == 0 {
		return nil
	}
	key := weeklyKey(team, week)
	pairs := make([]any, 0, 2*len(totals))
	for u, n := range totals {
		pairs = append(pairs, u, n)
	}
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, key)
		p.HSet(ctx, key, pairs...)
		p.Expire(ctx, key, statsTTL)
		return nil
	})
	if err != nil {
		return fmt.Errorf("save weekly totals of %s: %w", week, err)
	}
	return nil
}

// Weekly returns the snapshot SaveWeekly stored for week (empty if none).
func (s *Store) Weekly(ctx context.Context, team, week string) (map[string]int, error) {
	h, err := s.rdb.HGetAll(ctx, weeklyKey(team, week)).Result()
	if err != nil {
		return nil, fmt.Errorf("read weekly totals of %s: %w", week, err)
	}
	out := make(map[string]int, len(h))
	for u, v := range h {
		out[u], _ = strconv.Atoi(v)
	}
	return out, nil
}
