package commands

import (
	"time"

	"campaignbot/campaign"
)

// ParseOptions carries what the parser needs to know about the rep and the workspace.
type ParseOptions struct {
	// Location is the rep's time zone; dates are read and "09:00" is placed in it. nil means UTC.
	Location *time.Location
	// KnownCompanies are the workspace's accounts: a "person" equal to one of them is refused,
	// because a campaign courts an individual, never a company.
	KnownCompanies []string
}

// Draft is what Parse reads from a rep's follow-up message.
type Draft struct {
	Person  string // "Jane Smith"
	Company string // "Acme"; empty when the rep did not name one
	Due     time.Time
	// TimeGiven is true when the rep said the hour ("3pm", "in 20 minutes"); otherwise Due is
	// 09:00 local on the day they named.
	TimeGiven bool
	// Alternatives are other common readings of the same phrase ("next Friday" said on a
	// Wednesday: this week's or next week's), so the reply can offer them.
	Alternatives []time.Time
	Temperature  campaign.Temperature // "" when not said
	Channel      campaign.Channel
	Note         string // text after "re", "about", "—" or ":"; "" when none
}

// Moment is a date and time read from a phrase such as "next Friday 3pm".
type Moment struct {
	Due          time.Time
	TimeGiven    bool
	Alternatives []time.Time
}
