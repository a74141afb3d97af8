package scheduler

import (
	"time"

	"campaignbot/campaign"
)

// hours is a rep's working time: working days of their calendar (time off excluded), DayStart to
// DayEnd local time.
// All arithmetic goes through campaign.Date and Date.At, so a DST change moves the instant and
// keeps the wall-clock time.
type hours struct {
	loc        *time.Location
	cal        campaign.Calendar
	start, end int // minutes after local midnight
}

func (s *Scheduler) hoursOf(rep campaign.Rep) hours {
	loc := s.zone(rep.TZ)
	h := hours{loc: loc, cal: rep.CalendarIn(loc), start: rep.DayStart, end: rep.DayEnd}
	if h.end <= h.start { // a misconfigured day still has working hours: to midnight
		h.end = 24 * 60
	}
	return h
}

func (h hours) startOn(d campaign.Date) time.Time { return d.At(h.start/60, h.start%60, h.loc) }
func (h hours) endOn(d campaign.Date) time.Time   { return d.At(h.end/60, h.end%60, h.loc) }

// open reports whether t falls inside working hours.
func (h hours) open(t time.Time) bool {
	d := campaign.DateOf(t, h.loc)
	return h.cal.IsWorkday(d) && !t.Before(h.startOn(d)) && t.Before(h.endOn(d))
}

// nextOpen returns t if it is inside working hours, else the next working start after t.
func (h hours) nextOpen(t time.Time) time.Time {
	if h.open(t) {
		return t
	}
	d := campaign.DateOf(t, h.loc)
	if h.cal.IsWorkday(d) && t.Before(h.startOn(d)) {
		return h.startOn(d)
	}
	return h.startOn(h.cal.NextWorkday(d))
}

// deliverAt is when c's reminder should reach its owner: exactly at DueAt when the rep chose the
// time ("3pm", "in 20 minutes"), otherwise at DueAt moved into working hours.
func (s *Scheduler) deliverAt(c campaign.Campaign, rep campaign.Rep) time.Time {
	if c.TimeGiven {
		return c.DueAt
	}
	return s.hoursOf(rep).nextOpen(c.DueAt)
}

// digestAt is the rep's morning-list time on d.
func (s *Scheduler) digestAt(rep campaign.Rep, d campaign.Date) time.Time {
	return d.At(rep.DigestAt/60, rep.DigestAt%60, s.zone(rep.TZ))
}

// nextDigest is the first morning-list time strictly after t, on a working day.
func (s *Scheduler) nextDigest(rep campaign.Rep, t time.Time) time.Time {
	h := s.hoursOf(rep)
	d := campaign.DateOf(t, h.loc)
	if !h.cal.IsWorkday(d) || !s.digestAt(rep, d).After(t) {
		d = h.cal.NextWorkday(d)
	}
	return s.digestAt(rep, d)
}
