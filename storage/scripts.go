package storage

import (
	"strings"

	"github.com/redis/go-redis/v9"
)

// The Lua scripts behind every multi-key change. Redis runs a script atomically, but it does not
// roll one back: a script that fails after its first write leaves that write in place. So every
// script checks everything it can refuse (missing campaign, duplicate, malformed arguments)
// before its first write, and the Go side validates the campaign before calling it.
//
// Field names are written @owner, @status, … and replaced with the constants of fields.go, so
// the scripts and the Go encoder cannot disagree.

var luaFields = strings.NewReplacer(
	"@owner", "'"+fOwner+"'",
	"@status", "'"+fStatus+"'",
	"@due", "'"+fDue+"'",
	"@name", "'"+fName+"'",
	"@temp", "'"+fTemp+"'",
	"@lastdone", "'"+fLastDone+"'",
	"@company", "'"+fCompany+"'",
)

// luaPrelude holds helpers shared by the scripts.
const luaPrelude = `
-- b36 renders a positive integer in base 36: the IDs reps type ("#4f2").
local function b36(n)
  local digits = '0123456789abcdefghijklmnopqrstuvwxyz'
  local s = ''
  repeat
    local r = n % 36
    s = string.sub(digits, r + 1, r + 1) .. s
    n = (n - r) / 36
  until n == 0
  return s
end

-- arm puts id in the due ZSET and, if it is now the earliest, wakes the schedulers.
local function arm(due, id, ms, channel, team)
  redis.call('ZADD', due, ms, id)
  local head = redis.call('ZRANGE', due, 0, 0)
  if head[1] == id then
    redis.call('PUBLISH', channel, team)
  end
end

-- auditStamp returns the Unix ms (13 digits) of this script's audit entries: now, or the
-- stream's newest ms when now is behind it (a replica with a slower clock, a test's pinned
-- clock), because XADD refuses an ID that does not increase.
local function auditStamp(stream, now)
  local last = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)[1]
  if last then
    local ms = string.match(last[1], '^(%d+)')
    if tonumber(ms) > tonumber(now) then
      return string.rep('0', 13 - #ms) .. ms
    end
  end
  return now
end

-- audit appends one event to the audit stream (see auditKey in keys.go) and trims entries older
-- than minms, a whole node at a time.
local function audit(stream, ms, minms, kind, id, actor, from, to)
  redis.call('XADD', stream, 'MINID', '~', minms, ms .. '-*',
    'k', kind, 'i', id, 'a', actor, 'f', from or '', 't', to or '')
end

-- trail notes that campaign id changed at ms (see trailKey), dropping stamps older than minms.
local function trail(index, id, ms, minms)
  local v = redis.call('HGET', index, id) or ''
  if string.sub(v, -13) ~= ms then
    v = v .. ms
  end
  while #v > 13 and string.sub(v, 1, 13) < minms do
    v = string.sub(v, 14)
  end
  redis.call('HSET', index, id, v)
end

-- isOpen reports whether the campaign stored under key exists and is open, which is what makes
-- a name-index entry pointing at it live (anything else is a stale entry we may overwrite).
local function isOpen(key, openStatus)
  return redis.call('HGET', key, @status) == openStatus
end
`

func newScript(src string) *redis.Script { return redis.NewScript(luaFields.Replace(luaPrelude + src)) }

// createScript stores a new open campaign and its index entries, and audits it as created.
//
// KEYS[1] seq STRING, KEYS[2] campaign key prefix, KEYS[3] notes key prefix, KEYS[4] rep index
// HASH, KEYS[5] name index HASH, KEYS[6] due ZSET, KEYS[7] reps SET, KEYS[8] audit STREAM,
// KEYS[9] trail HASH.
// ARGV[1] owner, ARGV[2] name field, ARGV[3] due ms, ARGV[4] team, ARGV[5] open status,
// ARGV[6] wake channel, ARGV[7] first note as a netstring ("" for none), ARGV[8] now as 13-digit
// ms, ARGV[9] oldest audit ms kept (13 digits), ARGV[10…] hash field/value pairs.
// Returns {"ok", id} or {"dup", id of the open campaign with the same name}.
var createScript = newScript(`
if (#ARGV - 9) % 2 ~= 0 or #ARGV < 11 or not tonumber(ARGV[3]) or #ARGV[8] ~= 13 then
  return redis.error_reply('create: malformed arguments')
end
local other = redis.call('HGET', KEYS[5], ARGV[2])
if other and isOpen(KEYS[2] .. other, ARGV[5]) then
  return {'dup', other}
end
local id = b36(redis.call('INCR', KEYS[1]))
redis.call('HSET', KEYS[2] .. id, unpack(ARGV, 10))
redis.call('HSET', KEYS[4], id, ARGV[3])
redis.call('HSET', KEYS[5], ARGV[2], id)
redis.call('SADD', KEYS[7], ARGV[1])
if ARGV[7] ~= '' then
  redis.call('SET', KEYS[3] .. id, ARGV[7])
end
arm(KEYS[6], id, ARGV[3], ARGV[6], ARGV[4])
local ms = auditStamp(KEYS[8], ARGV[8])
audit(KEYS[8], ms, ARGV[9], 'c', id, ARGV[1], '', ARGV[3])
trail(KEYS[9], id, ms, ARGV[9])
return {'ok', id}
`)

// saveScript overwrites a campaign's fields, moves its index entries to match, and audits what
// changed by comparing the old hash with the new fields: a new LastDoneAt is a follow-up done
// (with the due it was done against), else a new due on an open campaign is a move; then
// temperature, company, owner, and a status change (closed or reopened). The actor is the owner
// before the change: only owners change campaigns.
//
// KEYS[1] campaign HASH, KEYS[2] campaign key prefix, KEYS[3] due ZSET, KEYS[4] reps SET,
// KEYS[5] rep index prefix, KEYS[6] name index prefix, KEYS[7] closed index prefix, KEYS[8]
// lease ZSET, KEYS[9] claim HASH, KEYS[10] held prefix (the scheduler's keys: a closed campaign
// leaves them too, so no reminder is sent or recovered for it), KEYS[11] audit STREAM, KEYS[12]
// trail HASH.
// ARGV[1] id, ARGV[2] owner, ARGV[3] "1" if the campaign is open, ARGV[4] due ms, ARGV[5] name
// field, ARGV[6] now as 13-digit ms (the closing time), ARGV[7] team, ARGV[8] wake channel,
// ARGV[9] open status, ARGV[10] oldest audit ms kept (13 digits), ARGV[11] n = number of fields
// to delete, ARGV[12…11+n] those fields, then the hash field/value pairs.
// Returns {"ok"}, {"nf"} when the campaign does not exist, or {"dup", id}.
var saveScript = newScript(`
local id, owner, open, due, name = ARGV[1], ARGV[2], ARGV[3] == '1', ARGV[4], ARGV[5]
local ndel = tonumber(ARGV[11])
if not ndel or (#ARGV - 11 - ndel) % 2 ~= 0 or #ARGV - 11 - ndel < 2 or (open and not tonumber(due)) or #ARGV[6] ~= 13 then
  return redis.error_reply('save: malformed arguments')
end
local old = {}
local flat = redis.call('HGETALL', KEYS[1])
for i = 1, #flat, 2 do
  old[flat[i]] = flat[i + 1]
end
local oldOwner, wasOpen, oldDue, oldName = old[@owner], old[@status] == ARGV[9], old[@due], old[@name]
if not oldOwner then
  return {'nf'}
end
-- The name entry must be (re)claimed when it changes, when the owner changes, or on reopening.
local claim = open and (not wasOpen or oldOwner ~= owner or oldName ~= name)
if claim then
  local other = redis.call('HGET', KEYS[6] .. owner, name)
  if other and other ~= id and isOpen(KEYS[2] .. other, ARGV[9]) then
    return {'dup', other}
  end
end

-- Validated: from here on every call writes.
if ndel > 0 then
  redis.call('HDEL', KEYS[1], unpack(ARGV, 12, 11 + ndel))
end
redis.call('HSET', KEYS[1], unpack(ARGV, 12 + ndel))
if wasOpen and (not open or oldOwner ~= owner) then
  redis.call('HDEL', KEYS[5] .. oldOwner, id)
end
if wasOpen and oldName and (not open or claim) and redis.call('HGET', KEYS[6] .. oldOwner, oldName) == id then
  redis.call('HDEL', KEYS[6] .. oldOwner, oldName)
end
if not wasOpen and (open or oldOwner ~= owner) then
  redis.call('HDEL', KEYS[7] .. oldOwner, id)
end
if not open or oldOwner ~= owner then
  redis.call('ZREM', KEYS[10] .. oldOwner, id)
end
if open then
  redis.call('HSET', KEYS[5] .. owner, id, due)
  if claim then
    redis.call('HSET', KEYS[6] .. owner, name, id)
  end
  -- Re-arm only on a new due time: an unchanged one may already have been reminded and claimed.
  if not wasOpen or oldDue ~= due then
    arm(KEYS[3], id, due, ARGV[8], ARGV[7])
  end
else
  redis.call('ZREM', KEYS[3], id)
  redis.call('ZREM', KEYS[8], id)
  redis.call('HDEL', KEYS[9], id)
  if wasOpen or oldOwner ~= owner then
    redis.call('HSET', KEYS[7] .. owner, id, ARGV[6])
  end
end
redis.call('SADD', KEYS[4], owner)

-- The audit trail, derived from the fields just written.
local new = {}
for i = 12 + ndel, #ARGV, 2 do
  new[ARGV[i]] = ARGV[i + 1]
end
local function company(h)
  local s, i = h[@company] or '', 1
  while h[@company .. i] do
    s, i = s .. h[@company .. i], i + 1
  end
  return s
end
local ms, changed = nil, false
local function event(kind, from, to)
  ms = ms or auditStamp(KEYS[11], ARGV[6])
  audit(KEYS[11], ms, ARGV[10], kind, id, oldOwner, from, to)
  changed = true
end
if new[@lastdone] and new[@lastdone] ~= old[@lastdone] then
  event('d', oldDue, new[@due])
elseif open and new[@due] ~= oldDue then
  event('m', oldDue, new[@due])
end
if (new[@temp] or '') ~= (old[@temp] or '') then
  event('t', old[@temp], new[@temp])
end
local oldCompany, newCompany = company(old), company(new)
if oldCompany ~= newCompany then
  event('b', oldCompany, newCompany)
end
if owner ~= oldOwner then
  event('o', oldOwner, owner)
end
if new[@status] ~= old[@status] then
  event(open and 'r' or 'x', old[@status], new[@status])
end
if changed then
  trail(KEYS[12], id, ms, ARGV[10])
end
return {'ok'}
`)

// deleteScript removes a campaign, its notes, its trail index entry and every index entry, and
// audits the deletion (the stream keeps the campaign's earlier events until they age out).
//
// KEYS[1] campaign HASH, KEYS[2] notes STRING, KEYS[3] due ZSET, KEYS[4] rep index prefix,
// KEYS[5] name index prefix, KEYS[6] closed index prefix, KEYS[7] lease ZSET, KEYS[8] claim
// HASH, KEYS[9] held prefix, KEYS[10] audit STREAM, KEYS[11] trail HASH.
// ARGV[1] id, ARGV[2] now as 13-digit ms, ARGV[3] oldest audit ms kept.
// Returns 1, or 0 when there was no such campaign.
var deleteScript = newScript(`
local id = ARGV[1]
local old = redis.call('HMGET', KEYS[1], @owner, @name)
local owner, name = old[1], old[2]
if not owner then
  return 0
end
redis.call('HDEL', KEYS[4] .. owner, id)
redis.call('HDEL', KEYS[6] .. owner, id)
if name and redis.call('HGET', KEYS[5] .. owner, name) == id then
  redis.call('HDEL', KEYS[5] .. owner, name)
end
redis.call('ZREM', KEYS[3], id)
redis.call('ZREM', KEYS[7], id)
redis.call('HDEL', KEYS[8], id)
redis.call('ZREM', KEYS[9] .. owner, id)
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HDEL', KEYS[11], id)
audit(KEYS[10], auditStamp(KEYS[10], ARGV[2]), ARGV[3], 'z', id, owner, '', '')
return 1
`)

// addNoteScript appends a note if the campaign exists. The notes are one STRING rewritten whole
// (GET, SET) rather than APPENDed to, because APPEND leaves spare capacity behind; when it grows
// past ARGV[2] bytes the oldest notes are dropped, but never the one just added.
//
// The note is audited (without its text, which the notes keep) so the trail shows which changes
// came with an explanation.
//
// KEYS[1] campaign HASH, KEYS[2] notes STRING, KEYS[3] audit STREAM, KEYS[4] trail HASH.
// ARGV[1] the note as a netstring, ARGV[2] maximum bytes kept, ARGV[3] campaign ID, ARGV[4] the
// author, ARGV[5] now as 13-digit ms, ARGV[6] oldest audit ms kept.
// Returns 1, or 0 when there is no such campaign.
var addNoteScript = newScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local v = (redis.call('GET', KEYS[2]) or '') .. ARGV[1]
local max = tonumber(ARGV[2])
while #v > max and #v > #ARGV[1] do
  local colon = string.find(v, ':', 1, true)
  v = string.sub(v, colon + tonumber(string.sub(v, 1, colon - 1)) + 2)
end
redis.call('SET', KEYS[2], v)
local ms = auditStamp(KEYS[3], ARGV[5])
audit(KEYS[3], ms, ARGV[6], 'n', ARGV[3], ARGV[4], '', '')
trail(KEYS[4], ARGV[3], ms, ARGV[6])
return 1
`)

// qualifyScript records a company's qualification for the workspace and audits it.
//
// KEYS[1] qualified HASH, KEYS[2] audit STREAM. ARGV[1] company key, ARGV[2] the qualification
// as JSON, ARGV[3] the qualifying rep, ARGV[4] the company as written, ARGV[5] now as 13-digit
// ms, ARGV[6] oldest audit ms kept. Returns 1.
var qualifyScript = newScript(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
audit(KEYS[2], auditStamp(KEYS[2], ARGV[5]), ARGV[6], 'q', '', ARGV[3], '', ARGV[4])
return 1
`)
