package campaign_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"campaignbot/campaign"
)

func TestBoard(t *testing.T) {
	now := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC) // Monday
	due := now.Add(24 * time.Hour)
	open := func(owner string, n int, dueAt time.Time, company string) []campaign.Campaign {
		var cs []campaign.Campaign
		for range n {
			cs = append(cs, campaign.Campaign{Owner: owner, Person: "P", Company: company, Status: campaign.Active, DueAt: dueAt})
		}
		return cs
	}
	lapsedDue := now.Add(-7 * 24 * time.Hour)
	in := campaign.BoardInput{
		Reps: []campaign.Rep{
			{User: "U1"}, {User: "U2"}, {User: "U3", Start: campaign.Date{Year: 2026, Month: 3, Day: 1}}, {User: "U4"},
		},
		Open: map[string][]campaign.Campaign{
			"U1": append(open("U1", 3, due, "Acme"), open("U1", 2, lapsedDue, "Acme")...),
			"U2": append(open("U2", 3, due, "Acme"), open("U2", 4, due, "Unqualified Co")...),
			"U3": open("U3", 1, due, "Acme"),
		},
		Qualified: func(c string) bool { return c == "Acme" },
		LastWeek:  map[string]int{"U1": 1, "U2": 3, "U4": 2},
		Done:      map[string]int{"U1": 4, "U2": 2},
		OnTime:    map[string]int{"U1": 3, "U2": 2},
		Now:       now,
		Grace:     campaign.DefaultGrace,
	}
	got := campaign.Board(in)
	want := []campaign.BoardRow{
		// U1 and U2 tie on counting; U2 has fewer lapsed.
		{User: "U2", Counting: 3, Change: 0, Done: 2, OnTime: 2},
		{User: "U1", Counting: 3, Change: 2, Lapsed: 2, Done: 4, OnTime: 3},
		{User: "U3", Counting: 1, New: true, Ramping: true, Target: campaign.Goal * 15 / campaign.RampDays},
		{User: "U4", Counting: 0, Change: -2},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Board (-want +got):\n%s", diff)
	}
	if rate, ok := got[1].OnTimeRate(); !ok || rate != 0.75 {
		t.Errorf("OnTimeRate = %v, %v; want 0.75", rate, ok)
	}
	if _, ok := got[3].OnTimeRate(); ok {
		t.Error("OnTimeRate with nothing done: ok = true, want false")
	}
	movers := campaign.TopMovers(got, 3)
	if diff := cmp.Diff([]campaign.BoardRow{got[1]}, movers); diff != "" {
		t.Errorf("TopMovers (-want +got):\n%s", diff)
	}
}
