package campaign_test

import (
	"testing"
	"time"

	"campaignbot/campaign"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func TestLapseAt(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, ny) }
	cal := campaign.WorkWeek(ny)
	holiday := campaign.WorkWeek(ny)
	holiday.Holidays = map[campaign.Date]bool{{Year: 2026, Month: time.March, Day: 11}: true}
	tests := []struct {
		name  string
		due   time.Time
		cal   campaign.Calendar
		grace int
		want  time.Time
	}{
		{"tuesday due lapses end of wednesday", at(2026, 3, 10, 9, 0), cal, 1, at(2026, 3, 12, 0, 0)},
		{"friday due lapses end of monday", at(2026, 3, 13, 15, 0), cal, 1, at(2026, 3, 17, 0, 0)},
		{"saturday due lapses end of monday", at(2026, 3, 14, 9, 0), cal, 1, at(2026, 3, 17, 0, 0)},
		{"holiday skipped", at(2026, 3, 10, 9, 0), holiday, 1, at(2026, 3, 13, 0, 0)},
		{"two days grace", at(2026, 3, 10, 9, 0), cal, 2, at(2026, 3, 13, 0, 0)},
		{"zero grace lapses when due", at(2026, 3, 10, 9, 0), cal, 0, at(2026, 3, 10, 9, 0)},
		// US spring forward is Sun 2026-03-08: a Friday 9:00 due lapses at Tue 00:00 EDT, which is
		// 86 real hours later, not 87: day arithmetic is calendar arithmetic.
		{"across spring forward", at(2026, 3, 6, 9, 0), cal, 1, at(2026, 3, 10, 0, 0)},
		{"across fall back", at(2026, 10, 30, 9, 0), cal, 1, at(2026, 11, 3, 0, 0)},
		{"late evening due", at(2026, 3, 10, 23, 30), cal, 1, at(2026, 3, 12, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := campaign.LapseAt(tt.due, tt.cal, tt.grace)
			if !got.Equal(tt.want) {
				t.Errorf("LapseAt(%v) = %v, want %v", tt.due, got.In(ny), tt.want)
			}
		})
	}
	if got := campaign.LapseAt(at(2026, 3, 6, 9, 0), cal, 1).Sub(at(2026, 3, 6, 9, 0)); got != 86*time.Hour {
		t.Errorf("spring-forward grace lasted %v, want 86h (87 wall-clock hours, one skipped)", got)
	}
}

func TestJudge(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	cal := campaign.WorkWeek(ny)
	due := time.Date(2026, 3, 10, 9, 0, 0, 0, ny) // Tuesday
	base := campaign.Campaign{Person: "Jane Smith", Company: "Acme", Status: campaign.Active, DueAt: due, Temperature: campaign.Warm}
	with := func(f func(*campaign.Campaign)) campaign.Campaign { c := base; f(&c); return c }
	lapse := time.Date(2026, 3, 12, 0, 0, 0, 0, ny)
	tests := []struct {
		name      string
		c         campaign.Campaign
		qualified bool
		now       time.Time
		want      campaign.Standing
	}{
		{"future follow-up counts", base, true, due.Add(-time.Hour), campaign.Counting},
		{"due but within grace counts", base, true, due.Add(time.Hour), campaign.Counting},
		{"last instant of grace counts", base, true, lapse.Add(-time.Nanosecond), campaign.Counting},
		{"end of grace lapses", base, true, lapse, campaign.Lapsed},
		{"unqualified company", base, false, due.Add(-time.Hour), campaign.Unqualified},
		{"no company", with(func(c *campaign.Campaign) { c.Company = "" }), true, due.Add(-time.Hour), campaign.NoCompany},
		{"no person", with(func(c *campaign.Campaign) { c.Person = "" }), true, due.Add(-time.Hour), campaign.NoPerson},
		{"won is closed", with(func(c *campaign.Campaign) { c.Status = campaign.Won }), true, due.Add(-time.Hour), campaign.Closed},
		{"closed beats lapsed", with(func(c *campaign.Campaign) { c.Status = campaign.Lost }), true, lapse.Add(time.Hour), campaign.Closed},
		{"unqualified beats lapsed", base, false, lapse.Add(time.Hour), campaign.Unqualified},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := campaign.Judge(tt.c, tt.qualified, tt.now, cal, campaign.DefaultGrace); got != tt.want {
				t.Errorf("Judge = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestStatsAdd(t *testing.T) {
	var s campaign.Stats
	s.Add(campaign.Campaign{Temperature: campaign.Hot}, campaign.Counting)
	s.Add(campaign.Campaign{Temperature: campaign.Hot}, campaign.Counting)
	s.Add(campaign.Campaign{Temperature: campaign.Cold}, campaign.Counting)
	s.Add(campaign.Campaign{}, campaign.Lapsed)
	s.Add(campaign.Campaign{}, campaign.Unqualified)
	s.Add(campaign.Campaign{}, campaign.NoCompany)
	s.Add(campaign.Campaign{}, campaign.Closed)
	if s.Counting != 3 || s.Lapsed != 1 || s.Unqualified != 2 || s.Open != 6 || s.ByTemp[campaign.Hot] != 2 || s.ByTemp[campaign.Cold] != 1 {
		t.Errorf("stats = %+v", s)
	}
}

func TestRampTarget(t *testing.T) {
	start := campaign.Date{Year: 2026, Month: time.February, Day: 1}
	tests := []struct {
		day  campaign.Date
		want int
	}{
		{start, 0},
		{start.AddDays(-3), 0},
		{start.AddDays(1), 5},
		{start.AddDays(30), 150},
		{start.AddDays(59), 295},
		{start.AddDays(60), 300},
		{start.AddDays(400), 300},
	}
	for _, tt := range tests {
		if got := campaign.RampTarget(start, tt.day); got != tt.want {
			t.Errorf("RampTarget(%v, %v) = %d, want %d", start, tt.day, got, tt.want)
		}
	}
}

func TestCalendarAlwaysEnds(t *testing.T) {
	var none campaign.Calendar // no working days at all
	d := campaign.Date{Year: 2026, Month: time.March, Day: 1}
	if got := none.NextWorkday(d); got != d.AddDays(1) {
		t.Errorf("NextWorkday with no workdays = %v, want the next day", got)
	}
}

func TestTimeOffDoesNotCountTowardLapsing(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	rep := campaign.Rep{
		TZ:        "America/New_York",
		AwaySince: time.Date(2026, 3, 4, 0, 0, 0, 0, ny),  // Wed
		AwayUntil: time.Date(2026, 3, 16, 0, 0, 0, 0, ny), // back Mon Mar 16
	}
	cal := rep.Calendar()
	due := time.Date(2026, 3, 10, 9, 0, 0, 0, ny) // Tue, during time off
	// The first working day after the due date is the Monday of return, so the follow-up counts
	// until that Monday ends.
	if got, want := campaign.LapseAt(due, cal, campaign.DefaultGrace), time.Date(2026, 3, 17, 0, 0, 0, 0, ny); !got.Equal(want) {
		t.Errorf("LapseAt during time off = %v, want %v", got, want)
	}
	if cal.IsWorkday(campaign.Date{Year: 2026, Month: time.March, Day: 16}) != true {
		t.Error("the day of return is a working day")
	}
	if none := (campaign.Rep{TZ: "America/New_York"}).Calendar(); len(none.Holidays) != 0 {
		t.Errorf("no time off, but holidays %v", none.Holidays)
	}
	// A return date far in the future is bounded.
	far := campaign.Rep{AwaySince: rep.AwaySince, AwayUntil: rep.AwaySince.AddDate(50, 0, 0)}
	if n := len(far.Calendar().Holidays); n != 366 {
		t.Errorf("days off = %d, want the 366 cap", n)
	}
}
