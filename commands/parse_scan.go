package commands

import "strings"

// Prefilter flags. Running every rule's regexp over every message is what makes stock when slow,
// so one pass over the words of a message sets these flags, and a rule's regexp runs only when
// one of the flags in its mask is set. A mask must be generous: it may let a rule run for
// nothing, but must never stop a rule that would match.
const (
	fCasual uint32 = 1 << iota
	fWeekday
	fPeriod // week, month, quarter, year, eow…
	fIn     // in, within, from, out, later
	fBiz    // business, working, work, biz
	fMonth
	fQuarter // q1…q4
	fHoliday
	fNamed // noon, eod, morning…
	fZone
	fDigit
	fSlash
	fDash
	fColon
	fAmPm     // 3pm, 9 a.m., 3p
	fOrdinal  // 15th, 3rd
	fHourPrep // at, around, by, @, ~ …
	fBetween
	nFlags = iota
)

// scan is what one pass over a message learns: which flags are set, and where each first is.
type scan struct {
	flags uint32
	first [nFlags]int // byte offset of the first word or character that set each flag
	// starts are the offsets where a rule's match can begin: the start of each regexp word
	// ([0-9A-Za-z_] after a non-word byte) and each @ or ~.
	starts []int
}

// start returns where a rule with the given mask must start looking: the earliest of its
// trigger words, less back bytes for the words its pattern allows before the trigger, moved
// back to the start of a word so \b still means what it meant.
func (sc *scan) start(text string, mask uint32, back int) int {
	at := len(text)
	for i := range nFlags {
		if mask&sc.flags&(1<<i) != 0 {
			at = min(at, sc.first[i])
		}
	}
	at = max(0, at-back)
	for at > 0 && isWordByte(text[at-1]) {
		at--
	}
	return at
}

// regexpWord reports whether c is a word byte as regexp's \b sees it.
func regexpWord(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// wordFlags are the flags a whole lower-case word sets.
var wordFlags = func() map[string]uint32 {
	m := map[string]uint32{}
	add := func(f uint32, words ...string) {
		for _, w := range words {
			m[w] |= f
		}
	}
	add(fCasual, "today", "tonight", "tomorrow", "tomorow", "tommorow", "tommorrow", "tmrw", "tmw", "tmr", "yesterday", "yday") //nolint:misspell // as typed
	for w := range weekdays {
		add(fWeekday, w)
	}
	for w := range months {
		add(fMonth, w)
	}
	add(fPeriod, "week", "month", "quarter", "year", "eow", "eom", "eoq", "eoy")
	add(fIn, "in", "within", "from", "out", "later")
	add(fBiz, "business", "working", "work", "biz")
	add(fQuarter, "q1", "q2", "q3", "q4")
	add(fHoliday, "thanksgiving", "labor", "labour", "memorial", "easter", "christmas", "xmas", "new",
		"independence", "fourth", "july", "halloween")
	add(fNamed, "noon", "midday", "lunchtime", "lunch", "eod", "cob", "eob", "end", "close", "first",
		"morning", "afternoon", "evening", "tonight")
	for w := range zones {
		add(fZone, w)
	}
	add(fHourPrep, "at", "around", "by", "before", "after", "until", "till", "from", "approx", "about")
	add(fAmPm, "am", "pm", "a", "p")
	add(fBetween, "between")
	return m
}()

// scanText sets the prefilter flags of an ASCII-lower-cased text.
func scanText(s string) scan {
	var sc scan
	var f uint32
	set := func(bits uint32, at int) {
		for nf := bits &^ f; nf != 0; nf &= nf - 1 {
			i := 0
			for nf&(1<<i) == 0 {
				i++
			}
			sc.first[i] = at
		}
		f |= bits
	}
	start := -1
	word := func(end int) {
		w := s[start:end]
		set(wordFlags[w], start)
		if w[0] >= '0' && w[0] <= '9' {
			// A number with letters after it: "3pm", "15th", "9am", "3p".
			i := 0
			for i < len(w) && w[i] >= '0' && w[i] <= '9' {
				i++
			}
			switch suffix := w[i:]; suffix {
			case "am", "pm", "a", "p":
				set(fAmPm, start)
			case "st", "nd", "rd", "th":
				set(fOrdinal, start)
			}
		}
		if strings.HasPrefix(w, "mid") {
			set(fMonth|fPeriod, start) // "mid-April", "midmonth": the month rules look closer
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			set(fDigit, i)
		case c == '/':
			set(fSlash, i)
		case c == '-':
			set(fDash, i)
		case c == ':':
			set(fColon, i)
		case c == '@' || c == '~':
			set(fHourPrep, i)
		}
		isWord := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		switch {
		case isWord && start < 0:
			start = i
		case !isWord && start >= 0:
			word(i)
			start = -1
		}
	}
	if start >= 0 {
		word(len(s))
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '@' || c == '~' || regexpWord(c) && (i == 0 || !regexpWord(s[i-1])) {
			sc.starts = append(sc.starts, i)
		}
	}
	if f&fDigit == 0 {
		// Rules keyed on numbers cannot match without a digit.
		f &^= fSlash | fDash | fColon | fAmPm | fOrdinal | fHourPrep | fQuarter | fBetween | fBiz
	}
	sc.flags = f
	return sc
}
