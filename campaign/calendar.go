package campaign

import (
	"fmt"
	"time"
)

// Calendar says which days a rep works, in the rep's own time zone. Lapsing, digests and quiet
// hours all count working days, so a Friday follow-up does not lapse over the weekend.
type Calendar struct {
	Location *time.Location // the rep's zone; nil means UTC
	Workdays [7]bool        // indexed by time.Weekday
	Holidays map[Date]bool  // days off on top of the weekly pattern
}

// Date is a calendar day with no zone, used for holidays and day arithmetic.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar day of t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// AddDays moves by n calendar days (not 24-hour blocks, so DST cannot shift it).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC), time.UTC)
}

// At returns the instant of the wall-clock time hh:mm on d in loc, as time.Date does. Times this
// package uses (midnight, working hours) never fall in a DST gap in the zones reps live in; the
// parser, which does meet "2:30am" on a spring-forward day, moves such times forward itself.
func (d Date) At(hour, minute int, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, loc)
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.At(12, 0, time.UTC).Weekday() }

// String formats d as ISO 8601, 2026-03-10.
func (d Date) String() string { return d.At(0, 0, time.UTC).Format(time.DateOnly) }

// WorkWeek returns a Monday-to-Friday calendar in loc, the default for every rep.
func WorkWeek(loc *time.Location) Calendar {
	c := Calendar{Location: loc}
	for d := time.Monday; d <= time.Friday; d++ {
		c.Workdays[d] = true
	}
	return c
}

func (c Calendar) loc() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}

// IsWorkday reports whether the rep works on d.
func (c Calendar) IsWorkday(d Date) bool {
	return c.Workdays[d.Weekday()] && !c.Holidays[d]
}

// NextWorkday returns the first working day strictly after d. A calendar with no working days
// at all treats every day as one, so the search always ends.
func (c Calendar) NextWorkday(d Date) Date {
	for i := 1; i <= 366; i++ {
		if n := d.AddDays(i); c.IsWorkday(n) {
			return n
		}
	}
	return d.AddDays(1)
}

// AddWorkdays moves n working days forward from d (n ≥ 0); d itself need not be a working day.
func (c Calendar) AddWorkdays(d Date, n int) Date {
	for range n {
		d = c.NextWorkday(d)
	}
	return d
}

// ISOWeek names the ISO 8601 week of t in t's zone, "2026-W10": the period of leaderboards,
// weekly snapshots and on-time rates, and part of their keys.
func ISOWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// IsZero reports whether d is the zero Date, meaning "not set".
func (d Date) IsZero() bool { return d == Date{} }
