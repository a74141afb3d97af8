package storage

// Every Redis key campaignbot uses is built here, so the schema can be read in one place.
// {team} is a Redis Cluster hash tag: all keys of one workspace live in one slot, which is what
// lets a Lua script touch several of them at once.

const prefix = "cb:"

func teamTag(team string) string { return prefix + "{" + team + "}:" }

// teamsKey is the only cross-workspace key. SET of team IDs, read by the scheduler to find work.
func teamsKey() string { return prefix + "teams" }

// seqKey is a STRING counter; campaign IDs are its values in base 36, short enough to type ("#4f2").
func seqKey(team string) string { return teamTag(team) + "seq" }

// campaignKey is a HASH of one campaign's fields, with one- or two-letter field names and values
// under 64 bytes so Redis keeps it listpack-encoded (see fields.go).
func campaignKey(team, id string) string { return teamTag(team) + "c:" + id }

// notesKey is a LIST of a campaign's notes, oldest first, each JSON. Notes live outside the hash
// because one long value would push the whole hash out of its compact encoding.
func notesKey(team, id string) string { return teamTag(team) + "n:" + id }

// repIndexKey is a HASH of one rep's open campaigns: field = campaign ID, value = due Unix ms.
// A hash stays listpack-encoded up to 512 entries (a rep's stretch goal is 500), at a fraction of
// a sorted set's cost; lists are sorted in Go.
func repIndexKey(team, owner string) string { return teamTag(team) + "r:" + owner }

// closedIndexKey is a HASH of one rep's closed campaigns: field = campaign ID, value = closed Unix ms.
func closedIndexKey(team, owner string) string { return teamTag(team) + "x:" + owner }

// nameIndexKey is a HASH for the duplicate guard: field = nameField(person, company) of an open
// campaign, value = its ID.
func nameIndexKey(team, owner string) string { return teamTag(team) + "nm:" + owner }

// dueKey is a ZSET of campaigns whose next reminder has not been sent: member = campaign ID,
// score = due Unix ms. The scheduler claims from it.
func dueKey(team string) string { return teamTag(team) + "due" }

// qualifiedKey is a HASH of the workspace's qualified companies: field = campaign.CompanyKey,
// value = the qualification as JSON.
func qualifiedKey(team string) string { return teamTag(team) + "q" }

// repsKey is a SET of the user IDs of everyone who has a campaign or a profile in the workspace.
func repsKey(team string) string { return teamTag(team) + "reps" }

// profileKey is a HASH of one rep's settings (campaign.Rep).
func profileKey(team, user string) string { return teamTag(team) + "p:" + user }

// eventKey is a STRING set with NX and an expiry, so an event Slack redelivers is handled once.
func eventKey(team, eventID string) string { return teamTag(team) + "evt:" + eventID }
