package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"campaignbot/campaign"
)

// Bulk reads and the all-or-nothing batch write behind CSV export and import.

// importScript stores a whole batch of campaigns, their notes and index entries, and new
// qualifications, or nothing. Like every script it checks all it can refuse before its first
// write: an open campaign whose name is already held by an open campaign of its owner (or by an
// earlier one in the batch) rejects the whole batch.
//
// Every imported campaign is audited as created by its owner, in the same script, so its history
// starts with the import.
//
// KEYS[1] seq STRING, KEYS[2] campaign key prefix, KEYS[3] notes key prefix, KEYS[4] rep index
// prefix, KEYS[5] name index prefix, KEYS[6] closed index prefix, KEYS[7] due ZSET, KEYS[8] reps
// SET, KEYS[9] qualified HASH, KEYS[10] audit STREAM, KEYS[11] trail HASH.
// ARGV[1] team, ARGV[2] wake channel, ARGV[3] open status, ARGV[4] n campaigns, ARGV[5] m
// qualifications, ARGV[6] now as 13-digit ms, ARGV[7] oldest audit ms kept; then n records of owner, "1" if open, due ms, name field, closed-at ms, notes
// (concatenated netstrings, "" for none), k, and k hash field/value strings; then m pairs of
// company key and qualification JSON, written only where the company is not qualified yet.
// Returns {"ok", s}: the campaigns got IDs s+1 … s+n in base 36, in batch order. Or {"dup", r,
// id}: record r (1-based) is a duplicate of open campaign id, and nothing was written.
var importScript = newScript(`
local n, m = tonumber(ARGV[4]), tonumber(ARGV[5])
if not n or not m then
  return redis.error_reply('import: malformed arguments')
end
local recs, claimed, i = {}, {}, 8
for r = 1, n do
  local k = tonumber(ARGV[i + 6])
  local open, due = ARGV[i + 1] == '1', ARGV[i + 2]
  if not k or k < 2 or k % 2 ~= 0 or i + 6 + k > #ARGV or (open and not tonumber(due)) then
    return redis.error_reply('import: malformed record ' .. r)
  end
  local owner, name = ARGV[i], ARGV[i + 3]
  if open then
    local other = redis.call('HGET', KEYS[5] .. owner, name)
    if other and isOpen(KEYS[2] .. other, ARGV[3]) then
      return {'dup', tostring(r), other}
    end
    -- '{' cannot occur in an owner ID (checkTag), so the pair is unambiguous.
    local key = owner .. '{' .. name
    if claimed[key] then
      return redis.error_reply('import: record ' .. r .. ' repeats an earlier name')
    end
    claimed[key] = true
  end
  recs[r] = {owner, open, due, name, ARGV[i + 4], ARGV[i + 5], i + 7, i + 6 + k}
  i = i + 7 + k
end
if i + 2 * m - 1 ~= #ARGV then
  return redis.error_reply('import: malformed qualifications')
end

-- Validated: from here on every call writes.
local first = 0
if n > 0 then
  first = redis.call('INCRBY', KEYS[1], n) - n
end
local owners, armed = {}, false
local ms = n > 0 and auditStamp(KEYS[10], ARGV[6])
for r = 1, n do
  local rec = recs[r]
  local id = b36(first + r)
  redis.call('HSET', KEYS[2] .. id, unpack(ARGV, rec[7], rec[8]))
  audit(KEYS[10], ms, ARGV[7], 'c', id, rec[1], '', rec[3])
  trail(KEYS[11], id, ms, ARGV[7])
  if rec[2] then
    redis.call('HSET', KEYS[4] .. rec[1], id, rec[3])
    redis.call('HSET', KEYS[5] .. rec[1], rec[4], id)
    redis.call('ZADD', KEYS[7], rec[3], id)
    armed = true
  else
    redis.call('HSET', KEYS[6] .. rec[1], id, rec[5])
  end
  if rec[6] ~= '' then
    redis.call('SET', KEYS[3] .. id, rec[6])
  end
  if not owners[rec[1]] then
    owners[rec[1]] = true
    redis.call('SADD', KEYS[8], rec[1])
  end
end
for q = 0, m - 1 do
  redis.call('HSETNX', KEYS[9], ARGV[i + 2 * q], ARGV[i + 2 * q + 1])
end
-- One wake-up for the whole batch: the scheduler re-reads the head itself.
if armed then
  redis.call('PUBLISH', ARGV[2], ARGV[1])
end
return {'ok', tostring(first)}
`)

// Import stores a batch of campaigns (open or closed) with their notes, and qualifies companies,
// in one atomic step: either all of it is written or none of it. notes is nil or parallel to
// batch; quals are only written for companies not yet qualified, so an earlier qualification
// and its evidence are kept. It returns the new IDs in batch order.
//
// Campaigns keep the CreatedAt, UpdatedAt and LastDoneAt they carry (a restore keeps its history);
// zero ones become now. Empty Status and Temperature default to Active and Cold. A closed
// campaign is filed in its owner's closed index as closed at its UpdatedAt. If an open campaign
// duplicates one of its owner's open campaigns (by PersonKey and CompanyKey), Import writes
// nothing and returns *campaign.DuplicateError naming the existing one.
//
// The whole batch runs as one Lua script, so Redis serves no other client while it runs: about
// a second for 10,000 campaigns.
func (s *Store) Import(ctx context.Context, team string, batch []campaign.Campaign, notes [][]campaign.Note, quals []campaign.Qualification) ([]string, error) {
	if err := checkTag("team", team); err != nil {
		return nil, fmt.Errorf("import campaigns: %w", err)
	}
	if notes != nil && len(notes) != len(batch) {
		return nil, fmt.Errorf("import campaigns: %d notes lists for %d campaigns", len(notes), len(batch))
	}
	if len(batch) == 0 && len(quals) == 0 {
		return nil, nil
	}
	now := s.now()
	prepared := make([]campaign.Campaign, len(batch)) // with defaults applied; the caller's slice is left alone
	args := make([]any, 0, 5+len(batch)*24+2*len(quals))
	args = append(args, team, wakeChannel, string(campaign.Active), len(batch), len(quals), stamp(now), s.auditFloor(now))
	for i, c := range batch {
		c.Team = team
		c.Status = cmp.Or(c.Status, campaign.Active)
		c.Temperature = cmp.Or(c.Temperature, campaign.Cold)
		if c.CreatedAt.IsZero() {
			c.CreatedAt = now
		}
		if c.UpdatedAt.IsZero() {
			c.UpdatedAt = now
		}
		c = truncateTimes(c)
		if err := validate(c); err != nil {
			return nil, fmt.Errorf("import campaigns: campaign %d (%s): %w", i+1, c.Person, err)
		}
		prepared[i] = c
		open, due := "0", ""
		if c.Status.Open() {
			open, due = "1", msOf(c.DueAt)
		}
		var ns []campaign.Note
		if notes != nil {
			ns = notes[i]
		}
		fields := encodeCampaign(c)
		args = append(args, c.Owner, open, due, nameField(c.Person, c.Company), msOf(c.UpdatedAt), encodeNotes(ns), len(fields))
		for _, f := range fields {
			args = append(args, f)
		}
	}
	seen := make(map[string]bool, len(quals))
	for _, q := range quals {
		key := campaign.CompanyKey(q.Company)
		if key == "" {
			return nil, fmt.Errorf("import campaigns: qualification without a company")
		}
		if seen[key] {
			continue // the first of a repeated company wins, as HSETNX would decide anyway
		}
		seen[key] = true
		v, err := encodeQualification(q)
		if err != nil {
			return nil, fmt.Errorf("import campaigns: qualify %s: %w", key, err)
		}
		args = append(args, key, string(v))
	}
	args[4] = len(seen)

	if err := s.addTeam(ctx, team); err != nil {
		return nil, fmt.Errorf("import campaigns: %w", err)
	}
	keys := []string{
		seqKey(team), campaignKey(team, ""), notesKey(team, ""), repIndexKey(team, ""),
		nameIndexKey(team, ""), closedIndexKey(team, ""), dueKey(team), repsKey(team), qualifiedKey(team),
		auditKey(team), trailKey(team),
	}
	res, err := importScript.Run(ctx, s.rdb, keys, args...).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("import campaigns: %w", err)
	}
	switch {
	case len(res) == 3 && res[0] == "dup":
		r, err := strconv.Atoi(res[1])
		if err != nil || r < 1 || r > len(batch) {
			return nil, fmt.Errorf("import campaigns: unexpected reply %q", res)
		}
		return nil, s.duplicate(ctx, "import campaigns", prepared[r-1], res[2])
	case len(res) != 2 || res[0] != "ok":
		return nil, fmt.Errorf("import campaigns: unexpected reply %q", res)
	}
	first, err := strconv.ParseInt(res[1], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("import campaigns: unexpected reply %q", res)
	}
	ids := make([]string, len(batch))
	for i := range ids {
		ids[i] = strconv.FormatInt(first+int64(i)+1, 36) // the same digits as the script's b36
	}
	return ids, nil
}

// encodeNotes concatenates notes as the notes STRING holds them. Like AddNote it keeps at most
// maxNotesBytes, dropping the oldest, but always keeps the newest note.
func encodeNotes(notes []campaign.Note) string {
	enc := make([]string, len(notes))
	total := 0
	for i, n := range notes {
		enc[i] = encodeNote(n)
		total += len(enc[i])
	}
	for len(enc) > 1 && total > maxNotesBytes {
		total -= len(enc[0])
		enc = enc[1:]
	}
	return strings.Join(enc, "")
}

// All returns every campaign of team, open and closed, or only owner's when owner is not "". They
// are ordered by owner, then creation time, then ID, so an export lists each rep's campaigns in
// the order they were logged and re-imports them in that order. It reads the owners' open and
// closed indexes, then the campaigns, in pipelined round trips.
func (s *Store) All(ctx context.Context, team, owner string) ([]campaign.Campaign, error) {
	owners := []string{owner}
	if owner == "" {
		var err error
		if owners, err = s.rdb.SMembers(ctx, repsKey(team)).Result(); err != nil {
			return nil, fmt.Errorf("list all campaigns: %w", err)
		}
	}
	if len(owners) == 0 {
		return nil, nil
	}
	pipe := s.rdb.Pipeline()
	idx := make([]*redis.StringSliceCmd, 0, 2*len(owners))
	for _, o := range owners {
		idx = append(idx, pipe.HKeys(ctx, repIndexKey(team, o)), pipe.HKeys(ctx, closedIndexKey(team, o)))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("list all campaigns: %w", err)
	}
	var ids []string
	for _, cmd := range idx {
		ids = append(ids, cmd.Val()...)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	pipe = s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HGetAll(ctx, campaignKey(team, id))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("list all campaigns: %w", err)
	}
	cs := make([]campaign.Campaign, 0, len(ids))
	for i, cmd := range cmds {
		if h := cmd.Val(); len(h) > 0 { // an index entry without its hash is skipped, as load does
			cs = append(cs, decodeCampaign(team, ids[i], h))
		}
	}
	slices.SortFunc(cs, func(a, b campaign.Campaign) int {
		return cmp.Or(strings.Compare(a.Owner, b.Owner), a.CreatedAt.Compare(b.CreatedAt),
			cmp.Compare(len(a.ID), len(b.ID)), strings.Compare(a.ID, b.ID))
	})
	return cs, nil
}

// NotesOf returns all the notes of each campaign in ids, oldest first, in one pipelined round
// trip. A campaign without notes, or one that does not exist, gets an empty list.
func (s *Store) NotesOf(ctx context.Context, team string, ids []string) ([][]campaign.Note, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.StringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.Get(ctx, notesKey(team, id))
	}
	// Exec reports the first failed command, and a campaign without notes fails with redis.Nil;
	// each command's own error is checked below.
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("read notes: %w", err)
	}
	out := make([][]campaign.Note, len(ids))
	for i, cmd := range cmds {
		v, err := cmd.Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("read notes of campaign %s: %w", ids[i], err)
		}
		if out[i], err = decodeNotes(v); err != nil {
			return nil, fmt.Errorf("read notes of campaign %s: %w", ids[i], err)
		}
		if out[i] == nil {
			out[i] = []campaign.Note{}
		}
	}
	return out, nil
}
