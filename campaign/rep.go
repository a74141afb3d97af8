package campaign

import "time"

// Rep is one sales rep's settings. The zero value of every field means "use the default", so a
// rep who never configured anything still gets a sensible working week in their Slack time zone.
type Rep struct {
	Team string
	User string // Slack user ID
	// TZ is the IANA zone from the rep's Slack profile; empty means the deployment's DEFAULT_TZ.
	TZ string
	// Start is the rep's first day, for the ramp; zero means ramped (judged against Goal).
	Start Date
	// DayStart and DayEnd bound the rep's working hours in minutes after local midnight
	// (defaults 08:00 and 18:00); reminders without an explicit time wait for DayStart.
	DayStart, DayEnd int
	// DigestAt is when the morning due list is sent, in minutes after local midnight (default 08:30).
	DigestAt int
	// AwaySince and AwayUntil bound the rep's time off (PTO): reminders are held, and those days
	// are days off for lapsing, so a follow-up due during PTO does not lapse while the rep is away.
	AwaySince time.Time
	AwayUntil time.Time
}

// Defaults for Rep fields left at zero.
const (
	DefaultDayStart = 8 * 60
	DefaultDayEnd   = 18 * 60
	DefaultDigestAt = 8*60 + 30
)

// WithDefaults fills zero fields from the defaults; fallbackTZ is used when TZ is empty.
func (r Rep) WithDefaults(fallbackTZ string) Rep {
	if r.TZ == "" {
		r.TZ = fallbackTZ
	}
	if r.DayStart == 0 && r.DayEnd == 0 {
		r.DayStart, r.DayEnd = DefaultDayStart, DefaultDayEnd
	}
	if r.DigestAt == 0 {
		r.DigestAt = DefaultDigestAt
	}
	return r
}

// Location loads the rep's zone, falling back to UTC for an empty or unknown name so that a bad
// profile value degrades to a wrong hour rather than a crash.
func (r Rep) Location() *time.Location {
	if r.TZ == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(r.TZ)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Calendar returns the rep's working calendar in their own zone (see CalendarIn).
func (r Rep) Calendar() Calendar { return r.CalendarIn(r.Location()) }

// maxAwayDays bounds how many days of time off become days off, so a typo'd return date in a
// distant year cannot build a huge calendar.
const maxAwayDays = 366

// CalendarIn returns the rep's Monday-to-Friday working week in loc, with the days of their time
// off (from AwaySince up to, not including, AwayUntil's date) as days off.
func (r Rep) CalendarIn(loc *time.Location) Calendar {
	c := WorkWeek(loc)
	if r.AwaySince.IsZero() || !r.AwaySince.Before(r.AwayUntil) {
		return c
	}
	c.Holidays = make(map[Date]bool)
	last := DateOf(r.AwayUntil, loc)
	for d, n := DateOf(r.AwaySince, loc), 0; d != last && n < maxAwayDays; d, n = d.AddDays(1), n+1 {
		c.Holidays[d] = true
	}
	return c
}
