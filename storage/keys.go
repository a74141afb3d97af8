package storage

// Every Redis key campaignbot uses is built here, so the schema can be read in one place.
//
// {team} is a Redis Cluster hash tag: all keys of one workspace live in one slot, which is what
// lets a Lua script touch several of them at once. A few scripts receive a key *prefix* (a
// function below called with an empty suffix) and append a campaign ID or a user ID themselves,
// because the ID is only known inside the script (Create) or the owner is read from the hash
// (Save, Delete). Such keys share the declared key's hash tag, so they are in the same slot.
//
// Scores and hash values that hold instants are Unix milliseconds.

const prefix = "cb:"

func teamTag(team string) string { return prefix + "{" + team + "}:" }

// wakeChannel is the pub/sub channel a write publishes on (message = team ID) when it puts a
// campaign at the head of its workspace's due ZSET, so a sleeping scheduler re-arms its timer.
// Pub/sub is at-most-once: it is a hint, and the scheduler still re-reads heads periodically.
const wakeChannel = prefix + "wake"

// teamsKey is the only cross-workspace key. SET of team IDs, read by the scheduler to find work.
// It sits in no workspace's slot, so no script touches it: it is written by a plain SADD before
// the first script of a team (a listed team with no campaigns is harmless).
func teamsKey() string { return prefix + "teams" }

// seqKey is a STRING counter; campaign IDs are its values in base 36, short enough to type ("#4f2").
func seqKey(team string) string { return teamTag(team) + "seq" }

// campaignKey is a HASH of one campaign's fields, with one-letter field names and values of at
// most 64 bytes so Redis keeps it listpack-encoded (see fields.go). The scheduler may add fields
// of its own; Save only touches the fields listed in fields.go.
func campaignKey(team, id string) string { return teamTag(team) + "c:" + id }

// notesKey is a STRING of a campaign's notes, oldest first, each a netstring (see encodeNote).
// Notes live outside the hash because one long value would push the whole hash out of its
// compact encoding, and in a string rather than a LIST because a quicklist costs ~90 bytes more.
func notesKey(team, id string) string { return teamTag(team) + "n:" + id }

// repIndexKey is a HASH of one rep's open campaigns: field = campaign ID, value = due Unix ms.
// A hash stays listpack-encoded up to 512 entries (a rep's stretch goal is 500), at about a
// sixth of a sorted set's cost; lists are sorted in Go.
func repIndexKey(team, owner string) string { return teamTag(team) + "r:" + owner }

// closedIndexKey is a HASH of one rep's closed campaigns: field = campaign ID, value = the Unix ms
// at which it was closed (for "won this week" and leaderboards).
func closedIndexKey(team, owner string) string { return teamTag(team) + "x:" + owner }

// nameIndexKey is a HASH for the duplicate guard over one rep's open campaigns: field =
// nameField(person, company), a 63-bit hash in decimal (stored as an integer in the listpack),
// value = campaign ID.
func nameIndexKey(team, owner string) string { return teamTag(team) + "nm:" + owner }

// dueKey is a ZSET of campaigns whose next reminder has not been sent: member = campaign ID,
// score = due Unix ms. Create and Save add to it (only when DueAt changes); the scheduler claims
// from it.
func dueKey(team string) string { return teamTag(team) + "due" }

// qualifiedKey is a HASH of the workspace's qualified companies: field = campaign.CompanyKey,
// value = the qualification as JSON.
func qualifiedKey(team string) string { return teamTag(team) + "q" }

// repsKey is a SET of the user IDs of everyone who has a campaign or a profile in the workspace.
func repsKey(team string) string { return teamTag(team) + "reps" }

// profileKey is a HASH of one rep's settings (campaign.Rep, see encodeRep).
func profileKey(team, user string) string { return teamTag(team) + "p:" + user }

// eventKey is a STRING set with NX and an expiry, so an event Slack redelivers is handled once.
func eventKey(team, eventID string) string { return teamTag(team) + "evt:" + eventID }

// --- Scheduling (storage/schedule.go) ---------------------------------------------------------
// The scheduler claims work from dueKey and jobsKey into leaseKey; every key below is in the
// workspace's slot, so claim, ack and recovery each run as one script.

// jobsKey is a ZSET of the scheduler's own recurring work: member = "d:<user>" (a rep's morning
// due list), "cu:<user>" (a rep's catch-up message) or "lb:weekly" (the leaderboard post),
// score = when it should run, Unix ms. Job names contain ':', campaign IDs never do.
func jobsKey(team string) string { return teamTag(team) + "jobs" }

// leaseKey is a ZSET of claimed work being sent: member = a campaign ID or a job name, score =
// lease expiry, Unix ms. Any replica puts expired members back where they came from.
func leaseKey(team string) string { return teamTag(team) + "lease" }

// claimKey is a HASH beside leaseKey: field = the leased member, value = "<token>|<score>", the
// holder's claim token and the member's due score before it was claimed (restored on recovery).
func claimKey(team string) string { return teamTag(team) + "claim" }

// heldKey is a ZSET of one rep's reminders held back (PTO, or missed while the bot was down),
// shown together in one catch-up message: member = campaign ID, score = its due Unix ms.
func heldKey(team, user string) string { return teamTag(team) + "held:" + user }

// sentKey is a STRING with an expiry, set when the occurrence occ was delivered: "r:<id>:<due
// ms>" for a reminder, "d:<user>:<local date>" for a morning list, "cu:<user>:<ms>" for a
// catch-up, "lb:<ISO week>" for a leaderboard. A holder checks it before sending, so work
// recovered from an expired lease is not sent twice.
func sentKey(team, occ string) string { return teamTag(team) + "sent:" + occ }

// weeklyKey is a HASH snapshot taken with each weekly leaderboard: field = user ID, value = the
// rep's counting total, for "change since last week".
func weeklyKey(team, week string) string { return teamTag(team) + "wk:" + week }

// --- Audit trail (storage/audit.go) -----------------------------------------------------------

// auditKey is a STREAM of every change in the workspace, appended by the same script that makes
// the change, so it cannot drift from the data. Entry ID = "<Unix ms>-<seq>", the time of the
// change; every entry has the same five fields in the same order (which lets Redis store the
// field names once per node): k = kind code (see eventCodes in audit.go), i = campaign ID ("" for
// a qualification), a = actor user ID, f and t = the value before and after (due Unix ms,
// temperature, status, owner or company, by kind; "" when the kind has none). Trimmed by age with
// XADD MINID ~ (whole nodes only, so readers also drop entries past the retention).
func auditKey(team string) string { return teamTag(team) + "audit" }

// trailKey is a HASH indexing auditKey by campaign: field = campaign ID, value = the Unix ms of
// each change to it, 13 zero-padded digits each, concatenated oldest first (a ms may hold several
// events of one Save). History reads only those ms instead of scanning the stream.
func trailKey(team string) string { return teamTag(team) + "trail" }
