package campaign

import (
	"cmp"
	"slices"
	"time"
)

// BoardRow is one rep's line on the team leaderboard.
type BoardRow struct {
	User     string
	Counting int
	// Change is Counting minus the rep's total at the last weekly snapshot; New means there was
	// no snapshot for the rep (new to the team), so Change says nothing.
	Change int
	New    bool
	Lapsed int
	// Done and OnTime count follow-ups marked done in the scored week, and how many of them by the
	// end of their due day.
	Done, OnTime int
	// Ramping is true in a rep's first RampDays; Target is then RampTarget for today.
	Ramping bool
	Target  int
}

// OnTimeRate returns the share of done follow-ups that were on time; ok is false when none were
// done, which is different from a rate of zero.
func (r BoardRow) OnTimeRate() (rate float64, ok bool) {
	if r.Done == 0 {
		return 0, false
	}
	return float64(r.OnTime) / float64(r.Done), true
}

// BoardInput is everything Board needs: the team's reps (defaults applied, so their zones are
// right), their open campaigns by owner, and the counters of the scored week.
type BoardInput struct {
	Reps      []Rep
	Open      map[string][]Campaign
	Qualified func(company string) bool
	LastWeek  map[string]int // counting totals at the previous snapshot; nil if there was none
	Done      map[string]int
	OnTime    map[string]int
	Now       time.Time
	Grace     int
}

// Board judges every rep's open campaigns at in.Now and returns the ranked leaderboard. It is a
// pure function so the weekly post and the on-demand "leaderboard" command agree.
func Board(in BoardInput) []BoardRow {
	rows := make([]BoardRow, 0, len(in.Reps))
	for _, rep := range in.Reps {
		cal := rep.Calendar()
		var st Stats
		for _, c := range in.Open[rep.User] {
			q := in.Qualified != nil && in.Qualified(c.Company)
			st.Add(c, Judge(c, q, in.Now, cal, in.Grace))
		}
		row := BoardRow{
			User: rep.User, Counting: st.Counting, Lapsed: st.Lapsed,
			Done: in.Done[rep.User], OnTime: in.OnTime[rep.User],
		}
		if last, ok := in.LastWeek[rep.User]; ok {
			row.Change = st.Counting - last
		} else {
			row.New = true
		}
		if rep.Start != (Date{}) {
			today := DateOf(in.Now, cal.loc())
			if t := RampTarget(rep.Start, today); t < Goal {
				row.Ramping, row.Target = true, t
			}
		}
		rows = append(rows, row)
	}
	Rank(rows)
	return rows
}

// Rank orders rows best first: most counting, then fewest lapsed, then best on-time rate, then
// by user ID so the order is stable.
func Rank(rows []BoardRow) {
	slices.SortFunc(rows, func(a, b BoardRow) int {
		ra, _ := a.OnTimeRate()
		rb, _ := b.OnTimeRate()
		return cmp.Or(cmp.Compare(b.Counting, a.Counting), cmp.Compare(a.Lapsed, b.Lapsed),
			cmp.Compare(rb, ra), cmp.Compare(a.User, b.User))
	})
}

// MoversShown is how many reps a leaderboard calls out as top movers.
const MoversShown = 3

// TopMovers returns up to n reps with the largest gain since the last snapshot, biggest first.
// Reps without a snapshot and reps who did not gain are left out.
func TopMovers(rows []BoardRow, n int) []BoardRow {
	var up []BoardRow
	for _, r := range rows {
		if !r.New && r.Change > 0 {
			up = append(up, r)
		}
	}
	slices.SortStableFunc(up, func(a, b BoardRow) int { return cmp.Compare(b.Change, a.Change) })
	return up[:min(n, len(up))]
}
