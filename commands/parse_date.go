package commands

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/olebedev/when"
	"github.com/olebedev/when/rules"

	"campaignbot/campaign"
)

// The date engine runs olebedev/when with the project's own rules (parse_rules.go). when finds
// the matches, clusters neighbouring ones ("tomorrow at 3pm") and applies them in rule order; our
// appliers do not write when's Context, whose Duration arithmetic adds 24-hour blocks and whose
// Month-then-Day order rolls "Feb 5" said on Mar 31 into March. They record what they read in a
// per-call reading instead, and finish turns that into an instant with calendar arithmetic in the
// rep's zone. The stock en rules are not used: each one misreads something reps type (see
// BenchmarkWhenStock and the accuracy test for the comparison).

// reading collects what the rules found in one cluster of a message.
type reading struct {
	now   time.Time // already in loc
	loc   *time.Location
	today campaign.Date
	orig  string // the text as typed, for case checks ("Sun Life" is not a Sunday)

	hasDate       bool
	date          campaign.Date
	alts          []campaign.Date
	dateL, dateR  int  // span of the match that set date, to let the longer of two overlapping matches win
	explicitToday bool // "today"/"tonight": a past time then is a past date, not tomorrow
	defaultHour   int  // hour used when no time is given (0 means 9:00)
	hasWeekday    bool // a bare weekday: the date unless an explicit one is given, then a check
	weekday       time.Weekday
	wdDate        campaign.Date
	hasTime       bool
	hour, minute  int
	timeL, timeR  int
	zone          *time.Location
	spanned       bool // l and r hold the span of the matches that applied
	l, r          int
	hasAbs        bool // "in 2 hours": an instant, not a day
	abs           time.Time
}

func (st *reading) dateish() bool { return st.hasDate || st.hasWeekday || st.hasAbs }
func (st *reading) timeish() bool { return st.hasTime || st.hasAbs }

// day is the day the reading names, if it names one.
func (st *reading) day() (campaign.Date, bool) {
	switch {
	case st.hasDate:
		return st.date, true
	case st.hasWeekday:
		return st.wdDate, true
	}
	return campaign.Date{}, false
}

func (st *reading) any() bool { return st.dateish() || st.timeish() || st.zone != nil }

// setDate records a day. Two matches that overlap ("next week" inside "Tuesday next week") keep the
// longer; two separate matches that disagree are refused rather than guessed between.
func (st *reading) setDate(m *rules.Match, d campaign.Date, alts ...campaign.Date) error {
	if st.hasDate {
		overlap := m.Left < st.dateR && st.dateL < m.Right
		switch {
		case overlap && m.Right-m.Left <= st.dateR-st.dateL:
			return nil
		case !overlap && d != st.date:
			return twoDatesError(st.orig[st.dateL:st.dateR], st.orig[m.Left:m.Right])
		}
	}
	st.hasDate, st.date, st.alts, st.dateL, st.dateR = true, d, alts, m.Left, m.Right
	return nil
}

// setTime records a time of day; overlapping matches keep the longer ("3:30 pm" over "3:30").
func (st *reading) setTime(m *rules.Match, hour, minute int) {
	if st.hasTime && m.Left < st.timeR && st.timeL < m.Right && m.Right-m.Left < st.timeR-st.timeL {
		return
	}
	st.hasTime, st.hour, st.minute, st.timeL, st.timeR = true, hour, minute, m.Left, m.Right
}

// rule is one project date rule: a regexp over the ASCII-lower-cased text, the prefilter flags
// (parse_scan.go) of which one must be set for the regexp to run, and an applier.
type rule struct {
	re   *regexp.Regexp
	mask uint32
	// back is how many bytes a match may start before its trigger word ("the beginning of"
	// before "q3"), so the regexp can start near the trigger instead of at the top of the text.
	back int
	// apply reads the captures into st. It returns an error for impossible or past dates.
	apply func(st *reading, m *rules.Match) (bool, error)
	// skip, when set, rejects a match that only looks like a date; Find then tries the next one.
	skip func(st *reading, m *rules.Match) bool
}

// boundRule ties a rule to one call, so the shared rule table stays immutable. It keeps the
// rule's matches from the first pass: later passes see the same text with spans blanked out,
// so they only need the matches that are still intact.
type boundRule struct {
	r        *rule
	anchored *regexp.Regexp // r.re anchored at its start, tried only where a match can begin
	st       *reading
	scan     *scan
	orig     string // the lower-cased text of the first pass
	done     bool
	matches  []*rules.Match
}

// Find implements rules.Rule. Unlike rules.F it reports the whole regexp match as the span, so
// the span to cut from the message is what the pattern says, not the first and last captures.
func (b *boundRule) Find(text string) *rules.Match {
	if b.r.mask&b.scan.flags == 0 {
		return nil
	}
	if !b.done {
		b.done, b.orig = true, text
		b.matches = b.findAll(text)
	}
	for _, m := range b.matches {
		if text[m.Left:m.Right] == b.orig[m.Left:m.Right] {
			return m
		}
	}
	return nil
}

func (b *boundRule) findAll(text string) []*rules.Match {
	var out []*rules.Match
	// Every pattern begins with \b or with @ or ~, so a match can only start where scanText
	// recorded a start. Trying the anchored pattern there alone is several times cheaper than
	// letting the regexp engine try every byte; captures come with the same call.
	next := b.scan.start(text, b.r.mask, b.r.back)
	for _, pos := range b.scan.starts {
		if pos < next {
			continue
		}
		idx := b.anchored.FindStringSubmatchIndex(text[pos:])
		if idx == nil || idx[1] == 0 {
			continue
		}
		m := &rules.Match{Left: pos, Right: pos + idx[1], Text: text[pos : pos+idx[1]], Applier: b.applier}
		m.Captures = make([]string, 0, len(idx)/2-1)
		for i := 2; i < len(idx); i += 2 {
			if idx[i] < 0 {
				m.Captures = append(m.Captures, "")
				continue
			}
			m.Captures = append(m.Captures, text[pos+idx[i]:pos+idx[i+1]])
		}
		next = m.Right // matches do not overlap, even one that is skipped
		// A match that is not a date ("Sun Life", "June 3pm") must not hide a later one that is,
		// and must not start a cluster of its own: skip it here, before when clusters.
		if b.r.skip != nil && b.r.skip(b.st, m) {
			continue
		}
		out = append(out, m)
	}
	return out
}

func (b *boundRule) applier(m *rules.Match, _ *rules.Context, _ *rules.Options, _ time.Time) (bool, error) {
	ok, err := b.r.apply(b.st, m)
	if ok {
		// when's cluster span can shrink when a shorter match sorts after a longer one at the
		// same index, so the span to cut is tracked here from the matches that applied.
		st := b.st
		if !st.spanned || m.Left < st.l {
			st.l = m.Left
		}
		if !st.spanned || m.Right > st.r {
			st.r = m.Right
		}
		st.spanned = true
	}
	return ok, err
}

// whenParser is a when parser over the project rules with the per-call state its rules carry.
// when's appliers have no other way to hand results back than state they share, so one
// whenParser serves one call at a time; whenParsers pools them so Parse stays safe for
// concurrent use without building a parser per message.
type whenParser struct {
	p     *when.Parser
	bound []boundRule // parallel to projectRules; p holds pointers to them
	sc    scan
}

var whenParsers = sync.Pool{New: func() any {
	w := &whenParser{p: when.New(&rules.Options{Distance: 5, MatchByOrder: true}), bound: make([]boundRule, len(projectRules))}
	for i := range w.bound {
		w.p.Add(&w.bound[i])
	}
	return w
}}

// reset readies w for text: its scan, and every rule bound afresh (no matches kept).
func (w *whenParser) reset(text string) {
	w.sc = scanText(text)
	for i := range w.bound {
		w.bound[i] = boundRule{r: &projectRules[i], anchored: anchoredRules[i], scan: &w.sc}
	}
}

// asciiLower lower-cases A–Z only, so byte offsets in the result are offsets in s.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// span is a byte range of the message that a date expression used.
type span struct{ l, r int }

// extracted is a date read from text, and where in the text it was.
type extracted struct {
	st    reading
	spans []span
}

// extract reads the date and time in text. It runs when up to three times so a date and a time
// that are apart ("tomorrow, ask for Raj, at 3pm") are both read; later clusters only fill what
// earlier ones left open, and anything else stays in the text.
func extract(text string, now time.Time, loc *time.Location) (extracted, error) {
	var out extracted
	lower := asciiLower(text)
	work := []byte(lower)
	w := whenParsers.Get().(*whenParser)
	defer whenParsers.Put(w)
	w.reset(lower)
	p, bound := w.p, w.bound
	today := campaign.DateOf(now, loc)
	first := true
	for range 3 {
		st := reading{now: now, loc: loc, today: today, orig: text}
		for i := range projectRules {
			bound[i].st = &st
		}
		res, err := p.Parse(string(work), now)
		if err != nil {
			return out, err
		}
		if res == nil {
			break
		}
		l, r := res.Index, res.Index+len(res.Text)
		if st.spanned {
			l, r = min(l, st.l), max(r, st.r)
		}
		if !st.dateish() && !st.timeish() {
			// Nothing but look-alikes or a zone word with no time ("Central Perk"): hide the
			// cluster from later passes but leave it in the text.
			blank(work, l, r)
			continue
		}
		if first {
			out.st, first = st, false
		} else if !merge(&out.st, &st) {
			if a, ok := out.st.day(); ok {
				if b, ok := st.day(); ok && a != b {
					// "Monday … Friday": two days in one message is a question, not a guess.
					return out, twoDatesError(text[out.st.l:out.st.r], text[st.l:st.r])
				}
			}
			break
		}
		blank(work, l, r)
		out.spans = append(out.spans, span{l, r})
	}
	return out, nil
}

func blank(b []byte, l, r int) {
	for i := l; i < r; i++ {
		b[i] = ' '
	}
}

// merge folds a later cluster into the first when it only adds what was missing.
func merge(dst, src *reading) bool {
	switch {
	case src.dateish() && dst.dateish(), src.timeish() && dst.timeish():
		return false
	case src.zone != nil && dst.zone != nil:
		return false
	case src.zone != nil && !src.timeish() && !dst.timeish():
		return false // a zone is only read next to a time
	}
	if src.hasDate {
		dst.hasDate, dst.date, dst.alts, dst.explicitToday = true, src.date, src.alts, src.explicitToday
		dst.defaultHour = src.defaultHour
	}
	if src.hasWeekday {
		dst.hasWeekday, dst.weekday, dst.wdDate = true, src.weekday, src.wdDate
	}
	if src.hasTime {
		dst.hasTime, dst.hour, dst.minute = true, src.hour, src.minute
	}
	if src.hasAbs {
		dst.hasAbs, dst.abs = true, src.abs
	}
	if src.zone != nil {
		dst.zone = src.zone
	}
	return true
}

// finish turns a reading into a Moment, applying the never-in-the-past policies.
func (st *reading) finish() (Moment, error) {
	if st.hasAbs {
		if st.hasDate || st.hasTime {
			return Moment{}, campaign.Errorf(CodeTwoDates, "I see both a delay and a date there — send just one, like \"in 2 hours\" or \"tomorrow 3pm\".")
		}
		if st.abs.After(st.now.AddDate(2, 0, 0)) {
			return Moment{}, tooFarError()
		}
		return Moment{Due: st.abs, TimeGiven: true}, nil
	}
	if !st.hasDate && !st.hasWeekday && !st.hasTime {
		return Moment{}, noDateError("")
	}
	d, alts, impliedToday := st.today, []campaign.Date(nil), true
	switch {
	case st.hasDate:
		d, alts, impliedToday = st.date, st.alts, false
		if st.hasWeekday && d.Weekday() != st.weekday {
			return Moment{}, campaign.Errorf(CodeWeekdayMismatch, "%s is a %s, not a %s — which did you mean? Try \"%s\" or \"%s\".",
				formatDay(d, st.today), d.Weekday(), st.weekday, formatDay(d, st.today), formatDay(st.wdDate, st.today))
		}
	case st.hasWeekday:
		d, impliedToday = st.wdDate, false
	}
	hour, minute := 9, 0
	if st.defaultHour != 0 {
		hour = st.defaultHour
	}
	zone := st.loc
	if st.hasTime {
		hour, minute = st.hour, st.minute
		if st.zone != nil {
			zone = st.zone
		}
	}
	at := func(d campaign.Date) time.Time { return wallTime(d, hour, minute, zone).In(st.loc) }
	due := at(d)
	if !due.After(st.now) {
		switch {
		case st.hasTime && impliedToday:
			// "at 3pm" said at 4pm means tomorrow.
			d = d.AddDays(1)
			due = at(d)
		case !st.hasTime && d == st.today:
			// "today" with no hour, after 9:00: the next whole hour is the earliest honest slot.
			due = time.Date(d.Year, d.Month, d.Day, st.now.Hour()+1, 0, 0, 0, st.loc)
		default:
			return Moment{}, pastError()
		}
	}
	if due.After(st.now.AddDate(2, 0, 0)) {
		return Moment{}, tooFarError()
	}
	m := Moment{Due: due, TimeGiven: st.hasTime}
	for _, a := range alts {
		if t := at(a); t.After(st.now) && !t.Equal(due) {
			m.Alternatives = append(m.Alternatives, t)
		}
	}
	return m, nil
}

// wallTime is hh:mm on d in loc. A time in the spring-forward gap (2:30 am on 2026-03-08 in New
// York) does not exist; the clock reads it as the same distance past the change, 3:30 am, rather
// than time.Date's choice of 1:30 am, which would land before what the rep asked for.
func wallTime(d campaign.Date, hour, minute int, loc *time.Location) time.Time {
	t := time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, loc)
	if t.Hour() == hour && t.Minute() == minute {
		return t
	}
	_, before := t.Add(-12 * time.Hour).Zone()
	_, after := t.Add(12 * time.Hour).Zone()
	return t.Add(time.Duration(after-before) * time.Second)
}

// Calendar helpers. Weeks run Monday to Sunday, as they do on a US sales floor's calendar.

func weekIndex(w time.Weekday) int { return (int(w) + 6) % 7 }

func mondayOf(d campaign.Date) campaign.Date { return d.AddDays(-weekIndex(d.Weekday())) }

func daysIn(y int, m time.Month) int { return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day() }

func validDate(y int, m time.Month, d int) bool {
	return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m)
}

func dateLess(a, b campaign.Date) bool {
	if a.Year != b.Year {
		return a.Year < b.Year
	}
	if a.Month != b.Month {
		return a.Month < b.Month
	}
	return a.Day < b.Day
}

// nextAfter returns the first day with weekday w strictly after d.
func nextAfter(d campaign.Date, w time.Weekday) campaign.Date {
	n := (int(w) - int(d.Weekday()) + 7) % 7
	if n == 0 {
		n = 7
	}
	return d.AddDays(n)
}

// addMonths moves by whole months, clamping the day (Jan 31 + 1 month is Feb 28, not Mar 3).
func addMonths(d campaign.Date, n int) campaign.Date {
	total := d.Year*12 + int(d.Month-1) + n
	y, m := total/12, time.Month(total%12+1)
	return campaign.Date{Year: y, Month: m, Day: min(d.Day, daysIn(y, m))}
}

// nextYearly returns the next (m, d) on or after today; Feb 29 waits for a leap year.
func nextYearly(today campaign.Date, m time.Month, d int) campaign.Date {
	for y := today.Year; y < today.Year+9; y++ {
		if validDate(y, m, d) {
			c := campaign.Date{Year: y, Month: m, Day: d}
			if !dateLess(c, today) {
				return c
			}
		}
	}
	return campaign.Date{Year: today.Year + 9, Month: m, Day: d}
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// year reads "2027", "27" or "'27".
func year(s string) int {
	s = strings.TrimPrefix(s, "'")
	n := atoi(s)
	if len(s) == 2 && n >= 0 {
		return 2000 + n
	}
	return n
}

// formatDay renders a day for a message: "Tue Mar 10", with the year when it is not this year's.
func formatDay(d, today campaign.Date) string {
	t := d.At(12, 0, time.UTC)
	if d.Year != today.Year {
		return t.Format("Mon Jan 2 2006")
	}
	return t.Format("Mon Jan 2")
}
