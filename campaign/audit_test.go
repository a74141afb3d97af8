package campaign_test

import (
	"testing"
	"time"

	"campaignbot/campaign"
)

func TestEventDescribe(t *testing.T) {
	t.Parallel()
	day := func(d int) time.Time { return time.Date(2026, 3, d, 9, 0, 0, 0, time.UTC) }
	when := func(t time.Time) string { return t.Format("Jan 2") }
	tests := []struct {
		e    campaign.Event
		want string
	}{
		{campaign.Event{Kind: campaign.EventMoved, OldDue: day(10), NewDue: day(13)}, "moved Mar 10 → Mar 13 (3 days later)"},
		{campaign.Event{Kind: campaign.EventMoved, OldDue: day(10), NewDue: day(10).Add(-2 * time.Hour)}, "moved Mar 10 → Mar 10 (2 hours earlier)"},
		{campaign.Event{Kind: campaign.EventDone, OldDue: day(10), NewDue: day(17)}, "follow-up due Mar 10 done, next Mar 17"},
		{campaign.Event{Kind: campaign.EventTemperature, NewTemp: campaign.Hot}, "temperature none → hot"},
		{campaign.Event{Kind: campaign.EventCompany, OldCompany: "Acme", Company: "<!channel>"}, "company Acme → &lt;!channel&gt;"},
		{campaign.Event{Kind: campaign.EventOwner, Actor: "U1", Owner: "U2"}, "handed from <@U1> to <@U2>"},
		{campaign.Event{Kind: campaign.EventClosed, Outcome: campaign.Won}, "closed: won"},
		{campaign.Event{Kind: campaign.EventReopened, Outcome: campaign.Lost}, "reopened (was lost)"},
		{campaign.Event{Kind: campaign.EventQualified, Company: "A&B"}, "A&amp;B qualified"},
		{campaign.Event{Kind: "from-the-future"}, "from-the-future"},
	}
	for _, tt := range tests {
		if got := tt.e.Describe(when); got != tt.want {
			t.Errorf("Describe(%s) = %q, want %q", tt.e.Kind, got, tt.want)
		}
	}
}

func TestHumanDelta(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		0:                   "same time",
		20 * time.Second:    "1 minute later",
		-90 * time.Minute:   "2 hours earlier",
		36 * time.Hour:      "2 days later",
		24 * time.Hour:      "1 day later",
		-7 * 24 * time.Hour: "7 days earlier",
	} {
		if got := campaign.HumanDelta(d); got != want {
			t.Errorf("HumanDelta(%v) = %q, want %q", d, got, want)
		}
	}
}
