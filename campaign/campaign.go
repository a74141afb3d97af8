package campaign

import (
	"strings"
	"time"
)

// Temperature is how close a prospect is to buying.
type Temperature string

// The three temperatures a rep can give a campaign. New campaigns start Cold.
const (
	Cold Temperature = "cold"
	Warm Temperature = "warm"
	Hot  Temperature = "hot"
)

// ParseTemperature reads "hot", "Warm", "COLD"; ok is false for anything else.
func ParseTemperature(s string) (Temperature, bool) {
	switch t := Temperature(strings.ToLower(strings.TrimSpace(s))); t {
	case Cold, Warm, Hot:
		return t, true
	}
	return "", false
}

// Channel is how the next touch will happen. The zero value means the rep did not say.
type Channel string

// The channels a follow-up can name.
const (
	AnyChannel Channel = ""
	Call       Channel = "call"
	Email      Channel = "email"
	Text       Channel = "text"
	Visit      Channel = "visit"
	LinkedIn   Channel = "linkedin"
)

// Status is where a campaign is in its life. Only Active campaigns can count.
type Status string

// Campaign statuses. Won, Lost and Left are the three ways a rep closes one.
const (
	Active Status = "active"
	Won    Status = "won"
	Lost   Status = "lost"
	Left   Status = "left" // the prospect left the company
)

// Open reports whether the campaign is still being worked.
func (s Status) Open() bool { return s == Active }

// Campaign is one rep courting one named individual: a person, the company they work at, and the
// documented, dated next touch.
type Campaign struct {
	ID          string // short, unique within a team; shown to reps as #ID
	Team        string // Slack workspace (team) ID
	Owner       string // the rep's Slack user ID
	Person      string // a named individual, never a company or a role
	Company     string // may be empty until the rep adds it; then the campaign cannot count
	Temperature Temperature
	Channel     Channel
	Status      Status
	DueAt       time.Time // the next follow-up
	// TimeGiven records that the rep chose the hour ("3pm", "in 20 minutes"). Quiet hours never
	// move such a reminder; a date-only follow-up may be deferred to the next working start.
	TimeGiven  bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
	LastDoneAt time.Time // zero until the first touch is marked done
}

// Note is one entry in a campaign's log: what happened, when, and who wrote it.
type Note struct {
	At     time.Time
	Author string // Slack user ID
	Text   string
}

// Qualification records that a company already buys from traditional staffing firms, which is
// what makes courting its people worthwhile. It belongs to the company, not to one campaign.
type Qualification struct {
	Company  string // as the rep wrote it
	Evidence string // e.g. "uses Robert Half"
	By       string // Slack user ID of the rep who qualified it
	At       time.Time
}
