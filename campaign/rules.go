package campaign

import "time"

// Goal and Stretch are the active-campaign targets for a ramped rep; RampDays is how long a new
// rep has to get there on a straight line.
const (
	Goal     = 300
	Stretch  = 500
	RampDays = 60
)

// DefaultGrace is how many working days a due follow-up may stay undone before the campaign
// stops counting: until the end of the rep's next working day after the due time.
const DefaultGrace = 1

// Standing is why a campaign does or does not count toward the rep's active total.
type Standing int

// Standings in the order they are checked: the first that applies wins.
const (
	Counting    Standing = iota
	Closed               // won, lost or left
	NoPerson             // no named individual (only possible in imported or legacy data)
	NoCompany            // qualification needs a company
	Unqualified          // the company is not known to use staffing firms
	Lapsed               // the follow-up passed its grace without being done or moved
)

var standingNames = [...]string{"counting", "closed", "no person", "no company", "unqualified", "lapsed"}

func (s Standing) String() string { return standingNames[s] }

// LapseAt is the instant after which an undone follow-up due at due no longer counts: the end of
// the grace-th working day after the due date, in the calendar's zone. With grace 0 the campaign
// lapses the moment it is due.
func LapseAt(due time.Time, cal Calendar, grace int) time.Time {
	if grace <= 0 {
		return due
	}
	loc := cal.loc()
	last := cal.AddWorkdays(DateOf(due, loc), grace)
	return last.AddDays(1).At(0, 0, loc) // midnight that ends the last grace day
}

// Judge returns the campaign's standing at now. qualified says whether its company is qualified
// in its workspace; the caller looks that up, because it belongs to the company.
func Judge(c Campaign, qualified bool, now time.Time, cal Calendar, grace int) Standing {
	switch {
	case !c.Status.Open():
		return Closed
	case c.Person == "":
		return NoPerson
	case c.Company == "":
		return NoCompany
	case !qualified:
		return Unqualified
	case !now.Before(LapseAt(c.DueAt, cal, grace)):
		return Lapsed
	}
	return Counting
}

// Stats summarises one rep's open campaigns.
type Stats struct {
	Counting    int
	Lapsed      int
	Unqualified int // includes campaigns with no company yet
	Open        int
	ByTemp      map[Temperature]int // counting campaigns only
}

// Add folds one campaign's standing into s.
func (s *Stats) Add(c Campaign, st Standing) {
	if st == Closed {
		return
	}
	s.Open++
	switch st {
	case Counting:
		s.Counting++
		if s.ByTemp == nil {
			s.ByTemp = make(map[Temperature]int, 3)
		}
		s.ByTemp[c.Temperature]++
	case Lapsed:
		s.Lapsed++
	case Unqualified, NoCompany, NoPerson:
		s.Unqualified++
	}
}

// RampTarget is how many counting campaigns a rep who started on start is expected to have on
// day: a straight line from 0 on the start date to Goal on day RampDays, then Goal.
func RampTarget(start, day Date) int {
	days := daysBetween(start, day)
	switch {
	case days <= 0:
		return 0
	case days >= RampDays:
		return Goal
	}
	return Goal * days / RampDays
}

func daysBetween(a, b Date) int {
	ta := a.At(12, 0, time.UTC)
	tb := b.At(12, 0, time.UTC)
	return int(tb.Sub(ta).Hours()+12) / 24
}
