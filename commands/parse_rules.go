package commands

import (
	"regexp"
	"strings"
	"time"

	"github.com/olebedev/when/rules"

	"campaignbot/campaign"
)

// Patterns run over ASCII-lower-cased text, so they need no (?i), and use \b so "Noonan" is not
// noon and "Marchetti" is not March.
const (
	weekdayPat = `(monday|mon|tuesday|tues|tue|wednesday|weds|wed|thursday|thurs|thur|thu|friday|fri|saturday|sat|sunday|sun)`
	monthPat   = `(january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul|august|aug|september|sept|sep|october|oct|november|nov|december|dec)`
	countPat   = `(-\s*\d+|\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a couple(?: of)?|couple(?: of)?|a few|few|half an?)`
	unitPat    = `(business days?|working days?|work days?|biz days?|days?|weeks?|wks?|fortnights?|months?|mos?|years?|yrs?|hours?|hrs?|minutes?|mins?)`
)

var weekdays = map[string]time.Weekday{
	"mon": time.Monday, "monday": time.Monday, "tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "weds": time.Wednesday, "wednesday": time.Wednesday, "thu": time.Thursday,
	"thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday, "fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday, "sun": time.Sunday, "sunday": time.Sunday,
}

var months = map[string]time.Month{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
	"jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
	"oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

var counts = map[string]int{
	"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
	"nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple": 2, "a couple of": 2, "couple": 2,
	"couple of": 2, "a few": 3, "few": 3,
}

// zones maps the zone words reps use to the zone they mean; EST and PST mean the US zone with its
// daylight saving, which is what a rep typing "3pm EST" in July means.
var zones = func() map[string]*time.Location {
	load := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			panic("commands: load zone " + name + ": " + err.Error()) // tzdata is embedded (parse.go)
		}
		return loc
	}
	et, ct, mt, pt, uk := load("America/New_York"), load("America/Chicago"), load("America/Denver"), load("America/Los_Angeles"), load("Europe/London")
	return map[string]*time.Location{
		"et": et, "est": et, "edt": et, "eastern": et,
		"ct": ct, "cst": ct, "cdt": ct, "central": ct,
		"mt": mt, "mst": mt, "mdt": mt, "mountain": mt,
		"pt": pt, "pst": pt, "pdt": pt, "pacific": pt,
		"gmt": time.UTC, "utc": time.UTC, "uk": uk, "london": uk, "bst": uk,
	}
}()

// re compiles a rule pattern; patterns are constants, so a bad one fails at start-up.
func re(p string) *regexp.Regexp { return regexp.MustCompile(p) }

// projectRules is the project's rule set, in application order: within one cluster later rules
// override earlier ones only through reading's overlap logic, never silently.
// anchoredRules are the project rules' patterns anchored at their start, parallel to
// projectRules, for findAll; built once and never written again.
var anchoredRules = func() []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(projectRules))
	for i, r := range projectRules {
		out[i] = regexp.MustCompile(`^(?:` + r.re.String() + `)`)
	}
	return out
}()

var projectRules = []rule{
	{ // today, tomorrow, tmrw, day after tomorrow, tonight, yesterday
		re:    re(`\b(?:the\s+)?(day after tomorrow|today|tonight|tomorrow|tomorow|tommorow|tommorrow|tmrw|tmw|tmr|yesterday|yday)\b`), //nolint:misspell // reps misspell it; so must we
		mask:  fCasual,
		back:  16,
		apply: applyCasual,
	},
	{ // Tuesday, next Fri, this Monday, Thursday after next, Tuesday next week, next week Tuesday
		re:    re(`\b(?:(next week|nxt week|this week|this coming|this|next|nxt|coming|last|past)\s+(?:on\s+)?)?` + weekdayPat + `\b\.?(?:,?\s+(after next|next week|this week|week after next))?`),
		mask:  fWeekday,
		back:  16,
		apply: applyWeekday,
		skip: func(st *reading, m *rules.Match) bool {
			// "Sun Life", "Wed Holdings": a capitalised abbreviation before a capitalised word.
			return m.Captures[0] == "" && len(m.Captures[1]) <= 3 && properNoun(st, m.Left, m.Left+len(m.Captures[1]))
		},
	},
	{ // next week, sometime next month, end of next week, next quarter, last week
		re:    re(`\b(?:(sometime|some time|early|later|late|end of|the end of|start of|beginning of|the beginning of|middle of|mid|mid-)\s*)?(this|next|nxt|last|the following)\s+(week|month|quarter|year)\b`),
		mask:  fPeriod,
		back:  32,
		apply: applyPeriod,
	},
	{ // end of week, EOW, end of the month, EOM, end of quarter
		re:    re(`\b(?:(end|start|beginning|middle) of (?:the\s+)?(week|month|quarter|year)|(eow|eom|eoq|eoy|mid-month|mid month))\b`),
		mask:  fPeriod | fNamed,
		back:  20,
		apply: applyPeriodEdge,
	},
	{ // in 3 days, in a fortnight, in 2 business days, in 30 minutes, 2 weeks from now
		re:    re(`\b(?:(?:in|within)\s+` + countPat + `\s+` + unitPat + `\b|` + countPat + `\s+` + unitPat + `\s+(?:from now|from today|out|later)\b)`),
		mask:  fIn,
		back:  32,
		apply: applyIn,
	},
	{ // 3 business days (without "in")
		re:    re(`\b(\d+)\s+(business|working|work|biz) days?\b`),
		mask:  fBiz,
		back:  12,
		apply: applyBusinessDays,
	},
	{ // Mar 10, March 10th, Jan 5 2027, Tue Mar 10, 9:00 AM
		re:    re(`\b` + monthPat + `\.?\s+(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+('\d{2}|\d{4})\b)?(\s*(?::\d|am\b|pm\b|a\.m|p\.m|o'?clock))?`),
		mask:  fMonth,
		back:  0,
		apply: applyMonthDay,
		skip:  func(_ *reading, m *rules.Match) bool { return m.Captures[3] != "" }, // "June 3pm" is a person and a time
	},
	{ // 5 Jan, 5th of January 2027
		re:    re(`\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?` + monthPat + `\b\.?(?:,?\s+('\d{2}|\d{4})\b)?`),
		mask:  fMonth,
		back:  10,
		apply: applyDayMonth,
	},
	{ // the 15th, on the 3rd, the 15th of next month
		re:    re(`\b(?:the|on)\s+(\d{1,2})(st|nd|rd|th)\b(?:\s+of\s+(?:(this|next)\s+month))?`),
		mask:  fOrdinal,
		back:  6,
		apply: applyOrdinal,
	},
	{ // mid-April, early May, end of June, in April
		re:    re(`\b(early|mid-|mid|middle of|late|end of|the end of|beginning of|start of|in)\s*` + monthPat + `\b\.?(?:\s+(\d{4})\b)?(\s+\d)?`),
		mask:  fMonth,
		back:  14,
		apply: applyMonthPart,
		skip: func(st *reading, m *rules.Match) bool {
			if m.Captures[3] != "" {
				return true // "in May 5": the month-day rule reads it
			}
			i := strings.LastIndex(m.Text, m.Captures[1]) + m.Left
			return m.Captures[0] == "in" && properNoun(st, i, i+len(m.Captures[1])) // "Jane in April Smith's team"
		},
	},
	{ // 4/1, 04/02/2026, 3/1/19
		re:    re(`\b(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?\b`),
		mask:  fSlash,
		back:  4,
		apply: applyNumericMD,
	},
	{ // 2026-03-20, 2026/03/20
		re:    re(`\b(\d{4})[-/](\d{1,2})[-/](\d{1,2})\b`),
		mask:  fDash | fSlash,
		back:  6,
		apply: applyISO,
	},
	{ // 03-20-2026
		re:    re(`\b(\d{1,2})-(\d{1,2})-(\d{4})\b`),
		mask:  fDash,
		back:  4,
		apply: applyNumericMDDash,
	},
	{ // Q2, start of Q3, end of Q4 2026, early Q1
		re:    re(`\b(?:(start|beginning|end|middle|mid|early|late)\s+of\s+(?:the\s+)?|(early|late|mid)[\s-]?)?q([1-4])\b(?:\s+('\d{2}|\d{4})\b)?`),
		mask:  fQuarter,
		back:  24,
		apply: applyQuarter,
	},
	{ // Thanksgiving, Labor Day, Memorial Day, Easter, Christmas, New Year's Day, July 4th
		re:    re(`\b(?:(the day after|day after|after|the week of|week of)\s+)?(thanksgiving|labor day|labour day|memorial day|easter|christmas eve|christmas|xmas|new year'?s eve|new year'?s(?: day)?|independence day|fourth of july|halloween)\b`),
		mask:  fHoliday,
		back:  16,
		apply: applyHoliday,
	},
	// Times. Bare hours come first so "3:30 pm" and ranges override them.
	{ // at 3, around 10, by 5, @ 2
		re:    re(`(?:\b(?:at|around|by|before|after|until|till|from|approx|about)|@|~)\s*(\d{1,2})\b(\s*(?:o'?clock))?([:/.\-]\d|\s*(?:am\b|pm\b|a\.m|p\.m|a\b|p\b|days?\b|weeks?\b|months?\b|years?\b|hours?\b|hrs?\b|mins?\b|minutes?\b|resumes?\b|candidates?\b|people\b|reqs?\b|roles?\b|hires?\b|heads?\b|percent\b|%|k\b|x\b))?`),
		mask:  fHourPrep,
		back:  0,
		apply: applyBareHour,
		skip:  func(_ *reading, m *rules.Match) bool { return m.Captures[2] != "" || atoi(m.Captures[0]) > 23 },
	},
	{ // 15:30, 9:00, 3:30 (a bare 1–7 means pm)
		re:    re(`\b(\d{1,2}):(\d{2})\b`),
		mask:  fColon,
		back:  3,
		apply: applyClock24,
	},
	{ // 3pm, 3:30 pm, 9 a.m., 3p
		re:    re(`\b(\d{1,2})(?::(\d{2}))?(?:\s?(a\.m\.?|p\.m\.?|am\b|pm\b)|(a|p)\b)`),
		mask:  fAmPm,
		back:  8,
		apply: applyClock12,
	},
	{ // between 2 and 4, 2-4pm, 11 to 1pm: the start
		re:    re(`\b(?:between\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s*(?:and|-|–|to)\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\b|(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s*(?:-|–|to)\s*(\d{1,2})(?::(\d{2}))?\s*(am|pm)\b)`),
		mask:  fAmPm | fBetween,
		back:  24,
		apply: applyRange,
	},
	{ // noon, EOD, COB, first thing, morning, afternoon, evening, tonight
		re:    re(`\b(noon|midday|lunchtime|lunch time|eod|cob|eob|end of (?:the )?(?:business )?day|close of business|end of business|first thing(?: in the morning)?|(?:in the |this |tomorrow )?morning|(?:in the |this |tomorrow )?afternoon|(?:in the |this |tomorrow )?evening|tonight)\b`),
		mask:  fNamed | fCasual,
		back:  12,
		apply: applyNamedTime,
		skip:  noonIsName,
	},
	{ // ET, PT, EST, Pacific, GMT, UTC, UK time
		re:    re(`\b(et|est|edt|eastern|ct|cst|cdt|central|mt|mst|mdt|mountain|pt|pst|pdt|pacific|gmt|utc|bst|uk|london)(?:\s+time)?\b`),
		mask:  fZone,
		back:  0,
		apply: applyZone,
		skip: func(st *reading, m *rules.Match) bool {
			w := m.Captures[0]
			if (w == "uk" || w == "london") && !strings.HasSuffix(m.Text, "time") {
				return true // "UK" alone is a place, not a zone
			}
			if len(w) > 3 && properNoun(st, m.Left, m.Left+len(w)) {
				return true // "Central Perk", "Pacific Life"
			}
			// Lower-case "et", "ct", "mt" are too often words or initials.
			return (w == "et" || w == "ct" || w == "mt") && st.orig[m.Left] >= 'a' && st.orig[m.Left] <= 'z'
		},
	},
}

// properNoun reports whether the word at [l, r) of the typed text is capitalised and followed by
// another capitalised word that is not itself a date word: "Sun Life", "May Chen", "Jane Noon".
func properNoun(st *reading, l, r int) bool {
	if l >= len(st.orig) || st.orig[l] < 'A' || st.orig[l] > 'Z' {
		return false
	}
	rest := strings.TrimLeft(st.orig[r:], " ")
	if rest == "" || rest[0] < 'A' || rest[0] > 'Z' {
		return false
	}
	w := rest
	if i := strings.IndexAny(w, " ,.;:!?)"); i >= 0 {
		w = w[:i]
	}
	w = asciiLower(w)
	_, isMonth := months[w]
	_, isDay := weekdays[w]
	return !isMonth && !isDay && zones[w] == nil
}

// applyCasual reads today, tonight, tomorrow and its misspellings, and the day after tomorrow.
// "yesterday" is refused here rather than read, because a past follow-up is never what a rep means.
func applyCasual(st *reading, m *rules.Match) (bool, error) {
	switch m.Captures[0] {
	case "yesterday", "yday":
		return false, pastError()
	case "today":
		st.explicitToday = true
		return true, st.setDate(m, st.today)
	case "tonight":
		st.explicitToday = true
		st.setTime(m, 19, 0)
		return true, st.setDate(m, st.today)
	case "day after tomorrow":
		return true, st.setDate(m, st.today.AddDays(2))
	}
	return true, st.setDate(m, st.today.AddDays(1))
}

// applyWeekday reads a weekday with its qualifier. The week runs Monday to Sunday, so "next
// week" and "this week" name whole calendar weeks, not the next seven days.
func applyWeekday(st *reading, m *rules.Match) (bool, error) {
	pre, word, post := strings.Replace(m.Captures[0], "nxt", "next", 1), m.Captures[1], m.Captures[2]
	w := weekdays[word]
	today := st.today
	ti, wi := weekIndex(today.Weekday()), weekIndex(w)
	thisWeek := mondayOf(today).AddDays(wi)
	switch {
	case pre == "last" || pre == "past":
		return false, pastError()
	case pre == "next week" || post == "next week":
		return true, st.setDate(m, mondayOf(today).AddDays(7+wi))
	case pre == "this week" || post == "this week":
		if wi < ti {
			return false, pastError()
		}
		return true, st.setDate(m, thisWeek)
	case post == "after next" || post == "week after next":
		return true, st.setDate(m, nextAfter(today, w).AddDays(7))
	case pre == "this" || pre == "this coming":
		// "this Monday" said on Wednesday is the coming Monday, never the past one.
		if wi < ti {
			return true, st.setDate(m, thisWeek.AddDays(7))
		}
		return true, st.setDate(m, thisWeek)
	case pre == "next":
		// "next Friday" said on Wednesday is read two ways; we prefer next week's and offer
		// this week's. When the day is already past this week there is only one reading.
		if wi > ti {
			return true, st.setDate(m, thisWeek.AddDays(7), thisWeek)
		}
		return true, st.setDate(m, nextAfter(today, w))
	}
	if pre == "" && properNoun(st, m.Left, m.Left+len(word)) && len(word) <= 3 {
		return false, nil // "Sun Life", "Wed Holdings"
	}
	// A bare weekday is the next one strictly after today. Next to an explicit date it is only
	// a check ("Tue Mar 10"), so it does not take part in the two-dates rule.
	st.hasWeekday, st.weekday, st.wdDate = true, w, nextAfter(today, w)
	return true, nil
}

// applyPeriod reads this/next week, month, quarter and year, with an optional edge ("end of",
// "mid", "sometime"). A week ends on Friday, the last working day, not Sunday.
func applyPeriod(st *reading, m *rules.Match) (bool, error) {
	mod, which, unit := m.Captures[0], strings.Replace(m.Captures[1], "nxt", "next", 1), m.Captures[2]
	if which == "last" {
		return false, pastError()
	}
	today := st.today
	n := 1
	if which == "this" {
		n = 0
	}
	var start, end campaign.Date
	switch unit {
	case "week":
		start = mondayOf(today).AddDays(7 * n)
		end = start.AddDays(4) // Friday: the end of a working week
	case "month":
		start = addMonths(campaign.Date{Year: today.Year, Month: today.Month, Day: 1}, n)
		end = campaign.Date{Year: start.Year, Month: start.Month, Day: daysIn(start.Year, start.Month)}
	case "quarter":
		q := (int(today.Month)-1)/3 + n
		start = addMonths(campaign.Date{Year: today.Year, Month: 1, Day: 1}, 3*q)
		e := addMonths(start, 2)
		end = campaign.Date{Year: e.Year, Month: e.Month, Day: daysIn(e.Year, e.Month)}
	case "year":
		start = campaign.Date{Year: today.Year + n, Month: 1, Day: 1}
		end = campaign.Date{Year: today.Year + n, Month: 12, Day: 31}
	}
	d := start
	switch mod {
	case "end of", "the end of", "later", "late":
		d = end
	case "middle of", "mid", "mid-":
		d = start.AddDays(daysBetweenDates(start, end) / 2)
		if unit == "month" {
			d.Day = 15
		}
	}
	if n == 0 && dateLess(d, today) {
		// "this week" or "this month" with its start behind us: the next working step forward.
		d = today.AddDays(1)
		if dateLess(end, d) {
			d = end
		}
		if dateLess(d, today) {
			return false, pastError()
		}
	}
	return true, st.setDate(m, d)
}

// daysBetweenDates counts calendar days from a to b; noon avoids any DST hour.
func daysBetweenDates(a, b campaign.Date) int {
	return int(b.At(12, 0, time.UTC).Sub(a.At(12, 0, time.UTC)).Hours()+12) / 24
}

// applyPeriodEdge reads "end of week", EOW, EOM, EOQ and "mid-month": the edge of the current
// period, or of the next one when this one's has passed.
func applyPeriodEdge(st *reading, m *rules.Match) (bool, error) {
	edge, unit := m.Captures[0], m.Captures[1]
	switch m.Captures[2] {
	case "eow":
		edge, unit = "end", "week"
	case "eom":
		edge, unit = "end", "month"
	case "eoq":
		edge, unit = "end", "quarter"
	case "eoy":
		edge, unit = "end", "year"
	case "mid-month", "mid month":
		edge, unit = "middle", "month"
	}
	today := st.today
	var d campaign.Date
	switch unit {
	case "week":
		mon := mondayOf(today)
		switch edge {
		case "end":
			d = mon.AddDays(4)
		case "middle":
			d = mon.AddDays(2)
		default:
			d = mon
		}
		if dateLess(d, today) {
			d = d.AddDays(7)
		}
	case "month", "quarter", "year":
		span := 1
		switch unit {
		case "quarter":
			span = 3
		case "year":
			span = 12
		}
		first := (int(today.Month) - 1) / span * span
		start := campaign.Date{Year: today.Year, Month: time.Month(first + 1), Day: 1}
		for {
			last := addMonths(start, span-1)
			end := campaign.Date{Year: last.Year, Month: last.Month, Day: daysIn(last.Year, last.Month)}
			switch edge {
			case "end":
				d = end
			case "middle":
				d = start.AddDays(daysBetweenDates(start, end) / 2)
				if span == 1 {
					d = campaign.Date{Year: start.Year, Month: start.Month, Day: 15}
				}
			default:
				d = start
			}
			if !dateLess(d, today) {
				break
			}
			start = addMonths(start, span)
		}
	}
	return true, st.setDate(m, d)
}

// applyIn reads "in N units" and "N units from now". Days, weeks, months and years are calendar
// steps from today, so "in 5 days" is 09:00 five days on even across a DST change; hours and
// minutes are real durations from now.
func applyIn(st *reading, m *rules.Match) (bool, error) {
	c := m.Captures
	count, unit := c[0], c[1]
	if count == "" {
		count, unit = c[2], c[3]
	}
	count = strings.Join(strings.Fields(count), " ")
	n, ok := counts[count]
	if !ok {
		if strings.HasPrefix(count, "half") {
			if !strings.HasPrefix(unit, "hour") {
				return false, nil
			}
			n, unit = 30, "minutes"
		} else {
			n = atoi(strings.ReplaceAll(count, " ", ""))
		}
	}
	if strings.HasPrefix(count, "-") || n < 0 {
		return false, campaign.Errorf(CodeImpossibleDate, "I can't go back in time with \"%s\" — give a date ahead, like \"in 2 weeks\".", quote(st.orig[m.Left:m.Right]))
	}
	if n > 5000 {
		return false, tooFarError()
	}
	switch {
	case strings.HasPrefix(unit, "business"), strings.HasPrefix(unit, "working"), strings.HasPrefix(unit, "work"), strings.HasPrefix(unit, "biz"):
		if n > 600 {
			return false, tooFarError()
		}
		return true, st.setDate(m, campaign.WorkWeek(st.loc).AddWorkdays(st.today, n))
	case strings.HasPrefix(unit, "day"):
		return true, st.setDate(m, st.today.AddDays(n))
	case strings.HasPrefix(unit, "fortnight"):
		return true, st.setDate(m, st.today.AddDays(14*n))
	case strings.HasPrefix(unit, "w"):
		return true, st.setDate(m, st.today.AddDays(7*n))
	case strings.HasPrefix(unit, "mo"):
		return true, st.setDate(m, addMonths(st.today, n))
	case strings.HasPrefix(unit, "y"):
		return true, st.setDate(m, addMonths(st.today, 12*n))
	}
	if n == 0 {
		return false, campaign.Errorf(CodeImpossibleDate, "\"%s\" is now, not a follow-up — give a time ahead, like \"in 30 minutes\".", quote(st.orig[m.Left:m.Right]))
	}
	// Hours and minutes are real durations; the instant is kept to the minute so it renders and
	// re-reads exactly.
	d := time.Duration(n) * time.Minute
	if strings.HasPrefix(unit, "h") {
		d = time.Duration(n) * time.Hour
	}
	st.hasAbs, st.abs = true, st.now.Add(d).Truncate(time.Minute)
	return true, nil
}

// applyBusinessDays reads "3 business days" said without "in".
func applyBusinessDays(st *reading, m *rules.Match) (bool, error) {
	n := atoi(m.Captures[0])
	if n < 0 || n > 600 {
		return false, tooFarError()
	}
	return true, st.setDate(m, campaign.WorkWeek(st.loc).AddWorkdays(st.today, n))
}

// setMonthDay validates a month and day (and optional year) and records the next such day.
func setMonthDay(st *reading, m *rules.Match, mon time.Month, day int, yearText string) (bool, error) {
	if yearText != "" {
		y := year(yearText)
		if !validDate(y, mon, day) {
			return false, impossibleError(st.orig[m.Left:m.Right])
		}
		return true, st.setDate(m, campaign.Date{Year: y, Month: mon, Day: day})
	}
	if !validDate(2024, mon, day) { // 2024 is a leap year: Feb 29 exists in some year
		return false, impossibleError(st.orig[m.Left:m.Right])
	}
	return true, st.setDate(m, nextYearly(st.today, mon, day))
}

// applyMonthDay reads "Mar 10", "March 10th 2027" and FormatDue's "Tue Mar 10, 9:00 AM".
func applyMonthDay(st *reading, m *rules.Match) (bool, error) {
	if m.Captures[3] != "" {
		return false, nil // "June 3pm": a person and a time, not June 3
	}
	return setMonthDay(st, m, months[m.Captures[0]], atoi(m.Captures[1]), m.Captures[2])
}

// applyDayMonth reads the day-first forms "5 Jan" and "5th of January".
func applyDayMonth(st *reading, m *rules.Match) (bool, error) {
	return setMonthDay(st, m, months[m.Captures[1]], atoi(m.Captures[0]), m.Captures[2])
}

// applyOrdinal reads "the 15th": the next 15th that is not behind us, skipping months too short
// for it ("the 31st" said in April is May 31).
func applyOrdinal(st *reading, m *rules.Match) (bool, error) {
	day := atoi(m.Captures[0])
	if day < 1 || day > 31 {
		return false, impossibleError(st.orig[m.Left:m.Right])
	}
	start := campaign.Date{Year: st.today.Year, Month: st.today.Month, Day: 1}
	if m.Captures[2] != "" {
		// "the 15th of next month": exactly that month.
		if m.Captures[2] == "next" {
			start = addMonths(start, 1)
		}
		if day > daysIn(start.Year, start.Month) {
			return false, impossibleError(st.orig[m.Left:m.Right])
		}
		d := campaign.Date{Year: start.Year, Month: start.Month, Day: day}
		if dateLess(d, st.today) {
			return false, pastError()
		}
		return true, st.setDate(m, d)
	}
	// "the 15th": the next month, from this one, that has that day still ahead.
	for i := 0; ; i++ {
		mo := addMonths(start, i)
		if day <= daysIn(mo.Year, mo.Month) {
			if d := (campaign.Date{Year: mo.Year, Month: mo.Month, Day: day}); !dateLess(d, st.today) {
				return true, st.setDate(m, d)
			}
		}
	}
}

// applyMonthPart reads "mid-April", "early May", "end of June" and "in April".
func applyMonthPart(st *reading, m *rules.Match) (bool, error) {
	part, mon, yearText := m.Captures[0], months[m.Captures[1]], m.Captures[2]
	if m.Captures[3] != "" {
		return false, nil // "in May 5": the month-day rule reads it
	}
	if part == "in" && properNoun(st, m.Left+3, m.Left+3+len(m.Captures[1])) {
		return false, nil // "Jane in April Smith's team"
	}
	y := st.today.Year
	if yearText != "" {
		y = year(yearText)
	}
	day := func(y int) int {
		switch part {
		case "mid", "mid-", "middle of":
			return 15
		case "late":
			return 20
		case "end of", "the end of":
			return daysIn(y, mon)
		}
		return 1
	}
	d := campaign.Date{Year: y, Month: mon, Day: day(y)}
	if yearText == "" && dateLess(d, st.today) {
		if part == "in" && mon == st.today.Month {
			return false, campaign.Errorf(CodeNoDate, "It's %s already — give a day, like \"%s 20\" or \"next week\".", mon, mon.String()[:3])
		}
		d = campaign.Date{Year: y + 1, Month: mon, Day: day(y + 1)}
	}
	return true, st.setDate(m, d)
}

// applyNumericMD reads US month/day: 4/1, 04/02/2026, 3/1/19. Day-first readings are never
// tried, because a silent swap of month and day is the worst kind of wrong date.
func applyNumericMD(st *reading, m *rules.Match) (bool, error) {
	return setMonthDayNum(st, m, atoi(m.Captures[0]), atoi(m.Captures[1]), m.Captures[2])
}

// applyNumericMDDash reads 03-20-2026; without a year "10-15" is a range, not a date.
func applyNumericMDDash(st *reading, m *rules.Match) (bool, error) {
	return setMonthDayNum(st, m, atoi(m.Captures[0]), atoi(m.Captures[1]), m.Captures[2])
}

// setMonthDayNum validates a numeric month before the shared day check.
func setMonthDayNum(st *reading, m *rules.Match, mon, day int, yearText string) (bool, error) {
	if mon < 1 || mon > 12 {
		return false, impossibleError(st.orig[m.Left:m.Right])
	}
	return setMonthDay(st, m, time.Month(mon), day, yearText)
}

// applyISO reads 2026-03-20 and 2026/03/20.
func applyISO(st *reading, m *rules.Match) (bool, error) {
	y, mon, day := atoi(m.Captures[0]), atoi(m.Captures[1]), atoi(m.Captures[2])
	if mon < 1 || mon > 12 || !validDate(y, time.Month(mon), day) {
		return false, impossibleError(st.orig[m.Left:m.Right])
	}
	return true, st.setDate(m, campaign.Date{Year: y, Month: time.Month(mon), Day: day})
}

// applyQuarter reads Q1–Q4 with an optional edge and year; a bare "Q1" said in March is next
// year's, by the same next-occurrence rule as yearless dates.
func applyQuarter(st *reading, m *rules.Match) (bool, error) {
	edge := m.Captures[0]
	if edge == "" {
		edge = m.Captures[1]
	}
	q := atoi(m.Captures[2])
	pick := func(y int) campaign.Date {
		start := campaign.Date{Year: y, Month: time.Month(3*q - 2), Day: 1}
		switch edge {
		case "end", "late":
			last := addMonths(start, 2)
			return campaign.Date{Year: last.Year, Month: last.Month, Day: daysIn(last.Year, last.Month)}
		case "middle", "mid":
			return addMonths(start, 1).AddDays(14)
		}
		return start
	}
	if m.Captures[3] != "" {
		return true, st.setDate(m, pick(year(m.Captures[3])))
	}
	d := pick(st.today.Year)
	if dateLess(d, st.today) {
		d = pick(st.today.Year + 1)
	}
	return true, st.setDate(m, d)
}

// applyHoliday reads the US holidays reps plan around, with "after" (the first day back) and
// "the week of" (its Monday).
func applyHoliday(st *reading, m *rules.Match) (bool, error) {
	d, err := holiday(st, m.Captures[1])
	if err != nil {
		return false, err
	}
	switch m.Captures[0] {
	case "the day after", "day after", "after":
		// "after Labor Day": the first day back, not the holiday itself.
		d = d.AddDays(1)
	case "the week of", "week of":
		d = mondayOf(d)
		if dateLess(d, st.today) {
			d = st.today.AddDays(1)
		}
	}
	return true, st.setDate(m, d)
}

// holiday returns the next date of a named holiday, today included.
func holiday(st *reading, name string) (campaign.Date, error) {
	on := func(y int) campaign.Date {
		switch {
		case name == "thanksgiving":
			return nthWeekday(y, time.November, time.Thursday, 4)
		case strings.HasPrefix(name, "labo"):
			return nthWeekday(y, time.September, time.Monday, 1)
		case name == "memorial day":
			last := campaign.Date{Year: y, Month: time.May, Day: 31}
			return last.AddDays(-((int(last.Weekday()) - int(time.Monday) + 7) % 7))
		case name == "easter":
			return easter(y)
		case name == "christmas eve":
			return campaign.Date{Year: y, Month: time.December, Day: 24}
		case name == "christmas", name == "xmas":
			return campaign.Date{Year: y, Month: time.December, Day: 25}
		case strings.HasSuffix(name, "eve"):
			return campaign.Date{Year: y, Month: time.December, Day: 31}
		case name == "halloween":
			return campaign.Date{Year: y, Month: time.October, Day: 31}
		}
		return campaign.Date{Year: y, Month: time.July, Day: 4}
	}
	if strings.HasPrefix(name, "new year") && !strings.HasSuffix(name, "eve") {
		d := campaign.Date{Year: st.today.Year + 1, Month: time.January, Day: 1}
		if st.today.Month == time.January && st.today.Day == 1 {
			d = st.today
		}
		return d, nil
	}
	d := on(st.today.Year)
	if dateLess(d, st.today) {
		d = on(st.today.Year + 1)
	}
	return d, nil
}

// nthWeekday returns the n-th weekday w of a month (Thanksgiving: the 4th Thursday of November).
func nthWeekday(y int, mon time.Month, w time.Weekday, n int) campaign.Date {
	first := campaign.Date{Year: y, Month: mon, Day: 1}
	return first.AddDays((int(w)-int(first.Weekday())+7)%7 + 7*(n-1))
}

// easter returns Western Easter Sunday (the anonymous Gregorian computus).
func easter(y int) campaign.Date {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	mm := (a + 11*h + 22*l) / 451
	month := (h + l - 7*mm + 114) / 31
	day := (h+l-7*mm+114)%31 + 1
	return campaign.Date{Year: y, Month: time.Month(month), Day: day}
}

// bareHour reads an hour with no am/pm the way reps mean it: 1–7 is afternoon, 8–11 morning.
func bareHour(h int) int {
	if h >= 1 && h <= 7 {
		return h + 12
	}
	return h
}

// applyBareHour reads an hour after "at", "around", "by" or "@" ("at 3" is 15:00).
func applyBareHour(st *reading, m *rules.Match) (bool, error) {
	if m.Captures[2] != "" {
		return false, nil // "at 3:30", "by 3/4", "at 10 resumes": another rule's, or not a time
	}
	h := atoi(m.Captures[0])
	if h > 23 {
		return false, nil
	}
	st.setTime(m, bareHour(h), 0)
	return true, nil
}

// applyClock24 reads h:mm without am/pm; 26:00 and 10:75 are refused, not rolled over.
func applyClock24(st *reading, m *rules.Match) (bool, error) {
	h, mi := atoi(m.Captures[0]), atoi(m.Captures[1])
	if h > 23 || mi > 59 {
		return false, impossibleError(st.orig[m.Left:m.Right])
	}
	if !strings.HasPrefix(m.Captures[0], "0") {
		h = bareHour(h) // "3:30" is 15:30; "03:30" says it means the small hours
	}
	st.setTime(m, h, mi)
	return true, nil
}

// twelveHour converts an hour with its am/pm suffix; ok is false for "13pm".
func twelveHour(h int, suffix string) (int, bool) {
	if h < 1 || h > 12 {
		return 0, false
	}
	pm := strings.HasPrefix(suffix, "p")
	switch {
	case pm && h != 12:
		return h + 12, true
	case !pm && h == 12:
		return 0, true
	}
	return h, true
}

// applyClock12 reads 3pm, 3:30 pm, 9 a.m. and 3p; 13pm is refused.
func applyClock12(st *reading, m *rules.Match) (bool, error) {
	suffix := m.Captures[2] + m.Captures[3]
	h, ok := twelveHour(atoi(m.Captures[0]), suffix)
	mi := 0
	if m.Captures[1] != "" {
		mi = atoi(m.Captures[1])
	}
	if !ok || mi > 59 {
		return false, impossibleError(st.orig[m.Left:m.Right])
	}
	st.setTime(m, h, mi)
	return true, nil
}

// applyRange reads "between 2 and 4", "2-4pm" and "11 to 1pm" as their start.
func applyRange(st *reading, m *rules.Match) (bool, error) {
	c := m.Captures
	if c[0] == "" {
		c = c[6:]
	}
	start, end := atoi(c[0]), atoi(c[3])
	mi := 0
	if c[1] != "" {
		mi = atoi(c[1])
	}
	if start > 23 || end > 23 || mi > 59 {
		return false, impossibleError(st.orig[m.Left:m.Right])
	}
	var h int
	switch {
	case c[2] != "":
		var ok bool
		if h, ok = twelveHour(start, c[2]); !ok {
			return false, impossibleError(st.orig[m.Left:m.Right])
		}
	case c[5] != "":
		// "2-4pm": the start shares the end's half of the day unless that puts it after the end
		// ("11-1pm" starts at 11 am).
		e, okEnd := twelveHour(end, c[5])
		var ok bool
		h, ok = twelveHour(start, c[5])
		if !ok || !okEnd {
			return false, impossibleError(st.orig[m.Left:m.Right])
		}
		if h > e {
			h, _ = twelveHour(start, "am")
		}
	default:
		h = bareHour(start)
	}
	st.setTime(m, h, mi)
	return true, nil
}

// applyNamedTime reads noon, EOD/COB (17:00), first thing (08:00), morning (09:00), afternoon
// (14:00), evening (18:00) and tonight (19:00).
func applyNamedTime(st *reading, m *rules.Match) (bool, error) {
	w := m.Captures[0]
	switch {
	case strings.HasPrefix(w, "tomorrow"):
		if err := st.setDate(m, st.today.AddDays(1)); err != nil {
			return false, err
		}
	case strings.HasPrefix(w, "this"), w == "tonight":
		st.explicitToday = true
		if err := st.setDate(m, st.today); err != nil {
			return false, err
		}
	}
	switch {
	case strings.Contains(w, "morning"):
		st.setTime(m, 9, 0)
		if strings.HasPrefix(w, "first") {
			st.setTime(m, 8, 0)
		}
	case strings.Contains(w, "afternoon"):
		st.setTime(m, 14, 0)
	case strings.Contains(w, "evening"):
		st.setTime(m, 18, 0)
	case w == "tonight":
		st.setTime(m, 19, 0)
	case strings.HasPrefix(w, "first"):
		st.setTime(m, 8, 0)
	case w == "noon", w == "midday", strings.HasPrefix(w, "lunch"):
		st.setTime(m, 12, 0)
	default: // EOD, COB, end of day
		st.setTime(m, 17, 0)
	}
	return true, nil
}

// noonIsName reports a capitalised "Noon" right after a capitalised word: "Jane Noon at Acme".
func noonIsName(st *reading, m *rules.Match) bool {
	if m.Captures[0] != "noon" || st.orig[m.Left] != 'N' {
		return false
	}
	prev := strings.TrimRight(st.orig[:m.Left], " ")
	i := strings.LastIndexByte(prev, ' ') + 1
	if i >= len(prev) || prev[i] < 'A' || prev[i] > 'Z' {
		return false
	}
	_, isDay := weekdays[asciiLower(prev[i:])]
	_, isMonth := months[asciiLower(prev[i:])]
	return !isDay && !isMonth && asciiLower(prev[i:]) != "tomorrow" && asciiLower(prev[i:]) != "today"
}

// applyZone reads the zone of the time next to it; the day stays the rep's.
func applyZone(st *reading, m *rules.Match) (bool, error) {
	w := m.Captures[0]
	if (w == "uk" || w == "london") && !strings.HasSuffix(m.Text, "time") {
		return false, nil // "UK" alone is a place, not a zone
	}
	if len(w) <= 3 && st.orig[m.Left] >= 'a' && st.orig[m.Left] <= 'z' && (w == "et" || w == "ct" || w == "mt") {
		return false, nil // lower-case "et", "ct", "mt" are too often words
	}
	st.zone = zones[w]
	return true, nil
}
