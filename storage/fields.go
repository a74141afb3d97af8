package storage

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"campaignbot/campaign"
)

// Field names of the campaign hash (campaignKey). They are one letter because a million hashes
// each repeat every name; the Lua scripts refer to them through luaFields.
const (
	fOwner     = "o" // Slack user ID
	fPerson    = "p" // first chunk; longer names continue in p1, p2, … (see chunk)
	fCompany   = "c" // likewise c1, c2, …; absent when empty
	fTemp      = "t" // campaign.Temperature; absent when empty
	fChannel   = "h" // campaign.Channel; absent when empty
	fStatus    = "s" // campaign.Status, always present
	fDue       = "d" // DueAt, Unix ms; absent when zero
	fTimeGiven = "g" // "1" when TimeGiven
	fCreated   = "a" // CreatedAt, Unix ms
	fUpdated   = "u" // UpdatedAt, Unix ms
	fLastDone  = "l" // LastDoneAt, Unix ms; absent when zero
	fName      = "k" // nameField of person and company: the entry this campaign owns in the name index
)

// chunkSize is Redis's default hash-max-listpack-value. A hash with any longer value is converted
// to a hashtable, which costs about three times as much, so long text is split into chunks.
const chunkSize = 64

// maxChunks bounds person and company: 100 characters of up to 4 bytes each fit in 7 chunks.
const maxChunks = 7

// maxNameRunes is the longest person or company name accepted, in characters.
const maxNameRunes = 100

// ownedFields lists every field this package may write, so Save can delete the ones a campaign
// no longer has without disturbing fields that other code (the scheduler) keeps in the hash.
var ownedFields = func() []string {
	f := []string{fOwner, fPerson, fCompany, fTemp, fChannel, fStatus, fDue, fTimeGiven, fCreated, fUpdated, fLastDone, fName}
	for i := 1; i < maxChunks; i++ {
		f = append(f, fPerson+strconv.Itoa(i), fCompany+strconv.Itoa(i))
	}
	return f
}()

// chunk appends field/value pairs for s: name, name1, name2, … each at most chunkSize bytes.
// Chunks may split a multi-byte character; they are only ever joined back together.
func chunk(pairs []string, name, s string) []string {
	for i := 0; s != ""; i++ {
		n := min(len(s), chunkSize)
		f := name
		if i > 0 {
			f += strconv.Itoa(i)
		}
		pairs = append(pairs, f, s[:n])
		s = s[n:]
	}
	return pairs
}

// unchunk joins the chunks chunk wrote for name.
func unchunk(h map[string]string, name string) string {
	s, ok := h[name]
	if !ok {
		return ""
	}
	for i := 1; ; i++ {
		next, ok := h[name+strconv.Itoa(i)]
		if !ok {
			return s
		}
		s += next
	}
}

// msOf renders t as Unix milliseconds, the precision everything is stored at.
func msOf(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// timeOf reads Unix milliseconds; a missing or malformed value is the zero time. Times come back
// in UTC: callers render them in the rep's zone.
func timeOf(s string) time.Time {
	ms, err := strconv.ParseInt(s, 10, 64)
	if s == "" || err != nil {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// truncate returns t as it will read back from Redis.
func truncate(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return time.UnixMilli(t.UnixMilli()).UTC()
}

// nameField is the duplicate-guard identity of a person at a company: a 63-bit FNV-1a hash of
// their keys, in decimal so the listpack stores it as an 8-byte integer. Within one rep's few
// hundred open campaigns a collision has odds of about 1 in 10^13; the store still verifies the
// names on a hit (see Store.Create).
func nameField(person, company string) string {
	h := fnv.New64a()
	h.Write([]byte(campaign.PersonKey(person)))
	h.Write([]byte{0})
	h.Write([]byte(campaign.CompanyKey(company)))
	return strconv.FormatUint(h.Sum64()>>1, 10)
}

// encodeCampaign returns the hash fields of c as field/value pairs. Empty values are left out.
// ID and Team are not stored: both are part of the key.
func encodeCampaign(c campaign.Campaign) []string {
	pairs := make([]string, 0, 2*14)
	pairs = append(pairs, fOwner, c.Owner, fStatus, string(c.Status), fName, nameField(c.Person, c.Company))
	pairs = chunk(pairs, fPerson, c.Person)
	pairs = chunk(pairs, fCompany, c.Company)
	opt := func(f, v string) {
		if v != "" {
			pairs = append(pairs, f, v)
		}
	}
	optTime := func(f string, t time.Time) {
		if !t.IsZero() {
			pairs = append(pairs, f, msOf(t))
		}
	}
	opt(fTemp, string(c.Temperature))
	opt(fChannel, string(c.Channel))
	optTime(fDue, c.DueAt)
	if c.TimeGiven {
		pairs = append(pairs, fTimeGiven, "1")
	}
	optTime(fCreated, c.CreatedAt)
	optTime(fUpdated, c.UpdatedAt)
	optTime(fLastDone, c.LastDoneAt)
	return pairs
}

// decodeCampaign is the inverse of encodeCampaign.
func decodeCampaign(team, id string, h map[string]string) campaign.Campaign {
	return campaign.Campaign{
		ID:          id,
		Team:        team,
		Owner:       h[fOwner],
		Person:      unchunk(h, fPerson),
		Company:     unchunk(h, fCompany),
		Temperature: campaign.Temperature(h[fTemp]),
		Channel:     campaign.Channel(h[fChannel]),
		Status:      campaign.Status(h[fStatus]),
		DueAt:       timeOf(h[fDue]),
		TimeGiven:   h[fTimeGiven] == "1",
		CreatedAt:   timeOf(h[fCreated]),
		UpdatedAt:   timeOf(h[fUpdated]),
		LastDoneAt:  timeOf(h[fLastDone]),
	}
}

// noteSep separates a note's time, author and text. Slack IDs and numbers never contain it, so
// the text, last, may contain anything.
const noteSep = "\x1f"

// encodeNote renders a note as a netstring, "<length>:<ms>\x1f<author>\x1f<text>,", so notes can
// be concatenated into one string and split again whatever their text holds.
func encodeNote(n campaign.Note) string {
	rec := msOf(n.At) + noteSep + n.Author + noteSep + n.Text
	return strconv.Itoa(len(rec)) + ":" + rec + ","
}

// decodeNotes splits what encodeNote wrote, concatenated. It stops at the first malformed
// netstring rather than guessing.
func decodeNotes(s string) ([]campaign.Note, error) {
	var notes []campaign.Note
	for s != "" {
		head, rest, ok := strings.Cut(s, ":")
		n, err := strconv.Atoi(head)
		if !ok || err != nil || n < 0 || len(rest) < n+1 || rest[n] != ',' {
			return notes, fmt.Errorf("malformed note at %.20q", s)
		}
		parts := strings.SplitN(rest[:n], noteSep, 3)
		for len(parts) < 3 {
			parts = append(parts, "")
		}
		notes = append(notes, campaign.Note{At: timeOf(parts[0]), Author: parts[1], Text: parts[2]})
		s = rest[n+1:]
	}
	return notes, nil
}

// Field names of a rep's profile hash (profileKey). Zero values are left out.
const (
	fRepTZ       = "z"
	fRepStart    = "st" // campaign.Date as 2006-01-02
	fRepDayStart = "ds" // minutes after midnight
	fRepDayEnd   = "de"
	fRepDigestAt = "dg"
	fRepAway     = "aw" // AwayUntil, Unix ms
	// fRepAwaySince is AwaySince, Unix ms: the first day of time off, which lapsing skips.
	fRepAwaySince = "as"
)

func encodeRep(r campaign.Rep) []string {
	var pairs []string
	opt := func(f, v string) {
		if v != "" && v != "0" {
			pairs = append(pairs, f, v)
		}
	}
	opt(fRepTZ, r.TZ)
	if r.Start != (campaign.Date{}) {
		pairs = append(pairs, fRepStart, r.Start.String())
	}
	opt(fRepDayStart, strconv.Itoa(r.DayStart))
	opt(fRepDayEnd, strconv.Itoa(r.DayEnd))
	opt(fRepDigestAt, strconv.Itoa(r.DigestAt))
	if !r.AwayUntil.IsZero() {
		pairs = append(pairs, fRepAway, msOf(r.AwayUntil))
	}
	if !r.AwaySince.IsZero() {
		pairs = append(pairs, fRepAwaySince, msOf(r.AwaySince))
	}
	return pairs
}

func decodeRep(team, user string, h map[string]string) campaign.Rep {
	r := campaign.Rep{Team: team, User: user, TZ: h[fRepTZ], AwayUntil: timeOf(h[fRepAway]), AwaySince: timeOf(h[fRepAwaySince])}
	if t, err := time.Parse(time.DateOnly, h[fRepStart]); err == nil {
		r.Start = campaign.DateOf(t, time.UTC)
	}
	r.DayStart, _ = strconv.Atoi(h[fRepDayStart])
	r.DayEnd, _ = strconv.Atoi(h[fRepDayEnd])
	r.DigestAt, _ = strconv.Atoi(h[fRepDigestAt])
	return r
}

// qualificationJSON is the stored form of a campaign.Qualification, with short names because the
// workspace's qualified hash is read whole on every stats reply.
type qualificationJSON struct {
	Company  string `json:"c"`
	Evidence string `json:"e,omitempty"`
	By       string `json:"b,omitempty"`
	At       int64  `json:"t,omitempty"`
}

func encodeQualification(q campaign.Qualification) ([]byte, error) {
	j := qualificationJSON{Company: q.Company, Evidence: q.Evidence, By: q.By}
	if !q.At.IsZero() {
		j.At = q.At.UnixMilli()
	}
	return json.Marshal(j)
}

func decodeQualification(s string) (campaign.Qualification, error) {
	var j qualificationJSON
	if err := json.Unmarshal([]byte(s), &j); err != nil {
		return campaign.Qualification{}, err
	}
	q := campaign.Qualification{Company: j.Company, Evidence: j.Evidence, By: j.By}
	if j.At != 0 {
		q.At = time.UnixMilli(j.At).UTC()
	}
	return q, nil
}
