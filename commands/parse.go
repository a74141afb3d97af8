package commands

import (
	"regexp"
	"slices"
	"strings"
	"time" // zone words ("3pm PT") must resolve even in a distroless image without zoneinfo
	_ "time/tzdata"
	"unicode"
	"unicode/utf8"

	"campaignbot/campaign"
)

// Parser error codes. Each refusal carries one of these and a one-sentence hint for the rep.
const (
	CodeEmpty           campaign.Code = "empty"             // nothing but spaces, punctuation or emoji
	CodeTooLong         campaign.Code = "too_long"          // over MaxTextLen characters
	CodeNoDate          campaign.Code = "no_date"           // no date or time in the message
	CodePastDate        campaign.Code = "past_date"         // "yesterday", "last Friday", "3/1/2019"
	CodeImpossibleDate  campaign.Code = "impossible_date"   // Feb 31, 14/40, 26:00, "in -2 weeks"
	CodeTooFar          campaign.Code = "too_far"           // more than two years ahead
	CodeTwoDates        campaign.Code = "two_dates"         // "tomorrow 3/5": two different days
	CodeWeekdayMismatch campaign.Code = "weekday_mismatch"  // "Tue Mar 11" when Mar 11 is a Wednesday
	CodeNoPerson        campaign.Code = "no_person"         // a role or pronoun instead of a name
	CodeCompanyAsPerson campaign.Code = "company_as_person" // "follow up Acme Inc", a known account
	CodeMentionAsPerson campaign.Code = "mention_as_person" // <@U…>, <!here>, <#C…> as the prospect
	CodeBadPerson       campaign.Code = "bad_person"        // too long, a phone number, markup
)

// Limits on what Parse accepts.
const (
	MaxTextLen   = 1000 // characters in a whole message
	MaxPersonLen = 100  // characters in a person's name
)

// Parse reads a whole follow-up message into a Draft: who (a named individual), where (their
// company), when (a future instant in the rep's zone), and optionally how (channel), how warm
// (temperature) and a note. The grammar, loosely:
//
//	[<@bot>] [verb] person [at|@|from|of|, company | (company)] date-time [temperature] [re|about|—|: note]
//
// Words may come in most orders ("tomorrow 3pm call Raj at Globex"). Errors are *campaign.Error
// with one of the Code constants above; Parse never returns an instant at or before now.
func Parse(text string, now time.Time, opts ParseOptions) (Draft, error) {
	if err := checkLength(text); err != nil {
		return Draft{}, err
	}
	loc := opts.location()
	now = now.In(loc)
	s := normalize(text)
	if !hasAlnum(s) {
		return Draft{}, campaign.Errorf(CodeEmpty, "I need a name and a date — try \"follow up Jane Smith at Acme next Tuesday\".")
	}
	var d Draft
	var verb bool
	d.Channel, s, verb = splitVerb(s)
	if ch, rest, ok := channelByPhrase(s); ok {
		s = rest
		if d.Channel == campaign.AnyChannel {
			d.Channel = ch
		}
	}
	head, note := splitNote(s)

	// The date is looked for before the note, then in it ("re contract renewal on 4/1").
	x, err := extract(head, now, loc)
	if err != nil {
		return Draft{}, err
	}
	head = removeSpans(head, x.spans)
	if !x.st.dateish() && note != "" {
		// "at 10 re the 10-15 resumes, tomorrow": a time in the head, the day in the note.
		nx, err := extract(note, now, loc)
		if err != nil {
			return Draft{}, err
		}
		if !x.st.any() {
			x = nx
			note = removeSpans(note, nx.spans)
		} else if nx.st.any() && merge(&x.st, &nx.st) {
			note = removeSpans(note, nx.spans)
		}
	}
	if !x.st.any() {
		return Draft{}, noDateError(s)
	}
	m, err := x.st.finish()
	if err != nil {
		return Draft{}, err
	}
	d.Due, d.TimeGiven, d.Alternatives = m.Due, m.TimeGiven, m.Alternatives

	head, d.Temperature = takeTemperature(head, true)
	if !verb {
		// "tomorrow 3pm call Raj at Globex", "warm - follow up Jane": the verb follows.
		d.Channel, head, _ = splitVerb(strings.TrimLeft(head, " -—–:,"))
	}
	if d.Temperature == "" {
		var bare string
		bare, d.Temperature = takeTemperature(note, true)
		if !hasAlnum(bare) {
			note = bare // "— 🔥" is a temperature, not a note
		}
	}
	d.Note = trimPunct(note)
	person, company := splitPerson(head)
	if err := checkPerson(person, company, opts.KnownCompanies); err != nil {
		return Draft{}, err
	}
	d.Person, d.Company = person, company
	return d, nil
}

// ParseMoment reads a phrase that is only a date and time ("next Friday 3pm", "in 2 weeks",
// "2026-03-13 9:00am", "Tue Mar 10, 9:00 AM" as FormatDue writes it). Words that are not part of
// a date are refused rather than ignored, so "nxt tuesday" is not silently read as "tuesday".
func ParseMoment(text string, now time.Time, opts ParseOptions) (Moment, error) {
	m, rest, err := ExtractMoment(text, now, opts)
	if err != nil {
		return Moment{}, err
	}
	if hasAlnum(stripFiller(rest)) {
		return Moment{}, campaign.Errorf(CodeNoDate, "I couldn't read \"%s\" as a date — try \"next Tuesday\", \"3/20 2pm\" or \"in 2 weeks\".", quote(text))
	}
	return m, nil
}

// ExtractMoment finds the date and time inside free text ("called Jane, voicemail, next week",
// "move Jane to Monday") and returns them with the text that is left once the expression and the
// preposition before it are removed. It fails with CodeNoDate when there is none.
func ExtractMoment(text string, now time.Time, opts ParseOptions) (m Moment, rest string, err error) {
	if err := checkLength(text); err != nil {
		return Moment{}, "", err
	}
	loc := opts.location()
	now = now.In(loc)
	x, err := extract(text, now, loc)
	if err != nil {
		return Moment{}, "", err
	}
	if !x.st.any() {
		return Moment{}, "", noDateError(text)
	}
	if m, err = x.st.finish(); err != nil {
		return Moment{}, "", err
	}
	return m, removeSpans(text, x.spans), nil
}

// FormatDue renders t for a reply in the rep's zone: "Tue Mar 10, 9:00 AM", with the year when it
// is not the year of now ("Tue Jan 5 2027, 9:00 AM"). ParseMoment reads it back to the same t.
func FormatDue(t, now time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	if t.Year() != now.In(loc).Year() {
		return t.Format("Mon Jan 2 2006, 3:04 PM")
	}
	return t.Format("Mon Jan 2, 3:04 PM")
}

func (o ParseOptions) location() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

func checkLength(text string) error {
	// The byte test first: an 8 KB paste is refused without counting its runes.
	if len(text) > 4*MaxTextLen || utf8.RuneCountInString(text) > MaxTextLen {
		return campaign.Errorf(CodeTooLong, "That message is over %d characters — send just the name, company and date, like \"call Raj at Globex tomorrow 3pm\".", MaxTextLen)
	}
	return nil
}

// Error constructors shared by the rules.

func noDateError(text string) error {
	if text == "" {
		return campaign.Errorf(CodeNoDate, "I couldn't find a date — add one like \"next Tuesday\", \"3/20\" or \"in 2 weeks\".")
	}
	return campaign.Errorf(CodeNoDate, "I couldn't find a date in \"%s\" — add one like \"next Tuesday\", \"3/20\" or \"in 2 weeks\".", quote(text))
}

func pastError() error {
	return campaign.Errorf(CodePastDate, "That date is in the past — try \"next Friday\" or \"3/20\".")
}

func tooFarError() error {
	return campaign.Errorf(CodeTooFar, "That's more than two years out — pick a date within two years, like \"in 6 months\".")
}

func impossibleError(what string) error {
	return campaign.Errorf(CodeImpossibleDate, "There's no \"%s\" on the calendar — check the day and time, like \"2/28\" or \"3:30pm\".", quote(what))
}

func twoDatesError(a, b string) error {
	return campaign.Errorf(CodeTwoDates, "I see two dates, \"%s\" and \"%s\" — send just one.", quote(a), quote(b))
}

// quote prepares user text for a message: shortened and escaped for chat.
func quote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > 60 {
		r := []rune(s)
		s = string(r[:57]) + "…"
	}
	return campaign.Escape(s)
}

var (
	botMention = regexp.MustCompile(`^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>[\s:,]*`)
	slackLink  = regexp.MustCompile(`<((?:mailto|https?|tel):[^<>|]*)(?:\|([^<>]*))?>`)
	entities   = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "\u00a0", " ")
)

// normalize undoes Slack's encoding: the leading mention of the bot goes, links become their label
// ("<mailto:a@b|a@b>" is "a@b"), and &amp; &lt; &gt; become the characters the rep typed. Other
// mentions stay, so a colleague named as the prospect is caught later.
func normalize(s string) string {
	if strings.HasPrefix(strings.TrimSpace(s), "<@") {
		s = botMention.ReplaceAllString(s, "")
	}
	if strings.Contains(s, "<") {
		s = slackLink.ReplaceAllStringFunc(s, func(l string) string {
			m := slackLink.FindStringSubmatch(l)
			if m[2] != "" {
				return m[2]
			}
			return strings.TrimPrefix(m[1], "mailto:")
		})
	}
	if strings.ContainsAny(s, "&\u00a0") {
		s = entities.Replace(s)
	}
	return strings.TrimSpace(s)
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func hasAlnum(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// verbs are the openings reps use, longest first so "follow up with" wins over "follow up".
var verbs = func() []struct {
	words string
	ch    campaign.Channel
} {
	v := []struct {
		words string
		ch    campaign.Channel
	}{
		{"remind me to follow up with", ""},
		{"remind me to follow up", ""},
		{"remind me to", ""},
		{"follow up with", ""},
		{"follow-up with", ""},
		{"followup with", ""},
		{"follow up w/", ""},
		{"follow up", ""},
		{"follow-up", ""},
		{"followup", ""},
		{"f/u with", ""},
		{"f/u w/", ""},
		{"f/u", ""},
		{"ping", ""},
		{"touch base with", ""},
		{"touch base", ""},
		{"circle back with", ""},
		{"circle back", ""},
		{"check in with", ""},
		{"check-in with", ""},
		{"check in", ""},
		{"reach out to", ""},
		{"reach out", ""},
		{"nudge", ""},
		{"log", ""},
		{"call", campaign.Call},
		{"ring", campaign.Call},
		{"phone", campaign.Call},
		{"email", campaign.Email},
		{"e-mail", campaign.Email},
		{"text", campaign.Text},
		{"sms", campaign.Text},
		{"visit", campaign.Visit},
		{"stop by", campaign.Visit},
		{"swing by", campaign.Visit},
		{"drop by", campaign.Visit},
		{"lunch with", campaign.Visit},
		{"lunch", campaign.Visit},
		{"meet with", campaign.Visit},
		{"meet", campaign.Visit},
		{"coffee with", campaign.Visit},
		{"linkedin message", campaign.LinkedIn},
		{"linkedin msg", campaign.LinkedIn},
		{"linkedin dm", campaign.LinkedIn},
		{"message", ""},
		{"msg", ""},
		{"dm", ""},
		{"linkedin", campaign.LinkedIn},
		{"inmail", campaign.LinkedIn},
	}
	slices.SortStableFunc(v, func(a, b struct {
		words string
		ch    campaign.Channel
	},
	) int {
		return len(b.words) - len(a.words)
	})
	return v
}()

// splitVerb removes the opening verb phrase and any "with"/"to" after it, and says which channel
// the verb implies ("call" is a call, "follow up" is any channel).
func splitVerb(s string) (ch campaign.Channel, rest string, ok bool) {
	ch, rest, ok = splitOneVerb(s)
	if ok && ch == campaign.AnyChannel {
		// "remind me to call Jane": the inner verb names the channel.
		if inner, r, ok2 := splitOneVerb(rest); ok2 {
			return inner, r, true
		}
	}
	return ch, rest, ok
}

func splitOneVerb(s string) (ch campaign.Channel, rest string, ok bool) {
	lower := asciiLower(s)
	for _, v := range verbs {
		if strings.HasPrefix(lower, v.words) && (len(lower) == len(v.words) || !isWordByte(lower[len(v.words)])) {
			rest := strings.TrimLeft(s[len(v.words):], " :,-")
			for _, p := range []string{"with ", "w/ ", "to "} {
				if strings.HasPrefix(asciiLower(rest), p) {
					rest = strings.TrimLeft(rest[len(p):], " ")
				}
			}
			return v.ch, rest, true
		}
	}
	return campaign.AnyChannel, s, false
}

func isWordByte(c byte) bool {
	return c == '_' || c == '\'' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

var channelWords = regexp.MustCompile(`(?i)\s*\b(?:by|via|over|on|through|thru)\s+(?:the\s+)?(phone|email|e-mail|text|sms|linkedin|inmail)\b`)

// channelByPhrase finds "by phone", "via email", "on LinkedIn" anywhere and removes it.
func channelByPhrase(s string) (campaign.Channel, string, bool) {
	if !containsAny(asciiLower(s), "phone", "mail", "text", "sms", "linkedin") {
		return "", s, false
	}
	loc := channelWords.FindStringSubmatchIndex(s)
	if loc == nil {
		return "", s, false
	}
	var ch campaign.Channel
	switch strings.ToLower(s[loc[2]:loc[3]]) {
	case "phone":
		ch = campaign.Call
	case "email", "e-mail":
		ch = campaign.Email
	case "text", "sms":
		ch = campaign.Text
	default:
		ch = campaign.LinkedIn
	}
	return ch, s[:loc[0]] + s[loc[1]:], true
}

var noteMarker = regexp.MustCompile(`(?i)\s+(?:re:?|regarding|about)\s+|\s*(?:—|–|--)\s*|\s+-\s+|:\s+`)

// splitNote cuts the message at the first note marker: "re", "regarding", "about", an em dash or
// a colon. "about 3pm" is an approximate time, not a note.
func splitNote(s string) (head, note string) {
	if !strings.ContainsAny(s, ":—–-") && !containsAny(asciiLower(s), " re ", "regarding", "about") {
		return s, ""
	}
	for _, loc := range noteMarker.FindAllStringIndex(s, -1) {
		marker := strings.ToLower(strings.TrimSpace(s[loc[0]:loc[1]]))
		if marker == "about" && loc[1] < len(s) && s[loc[1]] >= '0' && s[loc[1]] <= '9' {
			continue
		}
		if before, _ := takeTemperature(s[:loc[0]], true); !hasAlnum(before) {
			continue // "warm - call Emma …": a leading temperature, not a note
		}
		return strings.TrimSpace(s[:loc[0]]), strings.TrimSpace(s[loc[1]:])
	}
	return s, ""
}

// prepositions that belong to a date expression that was removed ("on 4/1", "by Friday").
var prepositions = []string{"on", "at", "by", "for", "before", "until", "till", "around", "about", "approx", "~", "to", "@", "due", "from", "in", "within"}

// removeSpans cuts the date spans out of text, with the preposition just before each, and tidies
// the spacing.
func removeSpans(text string, spans []span) string {
	if len(spans) == 0 {
		return text
	}
	slices.SortFunc(spans, func(a, b span) int { return a.l - b.l })
	var b strings.Builder
	prev := 0
	for _, sp := range spans {
		if sp.l < prev {
			continue
		}
		l := sp.l
		before := strings.TrimRight(text[prev:l], " ,")
		if i := strings.LastIndexAny(before, " ,(") + 1; i < len(before) || i == 0 {
			w := strings.ToLower(before[i:])
			if slices.Contains(prepositions, w) {
				before = before[:i]
			}
		}
		b.WriteString(before)
		b.WriteByte(' ')
		prev = sp.r
	}
	b.WriteString(text[prev:])
	return strings.Join(strings.Fields(b.String()), " ")
}

// stripFiller removes words that may surround a bare date ("on", "at", "the").
func stripFiller(s string) string {
	var keep []string
	for w := range strings.FieldsSeq(s) {
		w = strings.Trim(w, ",.;:!?()")
		if w == "" || slices.Contains(prepositions, strings.ToLower(w)) || strings.EqualFold(w, "the") {
			continue
		}
		keep = append(keep, w)
	}
	return strings.Join(keep, " ")
}

var temperatureWord = regexp.MustCompile(`(?i)\s*(?:\(\s*)?(?:\b(hot|warm|cold)\b|(🔥))(?:\s*\))?`)

// takeTemperature finds "hot", "warm", "cold" or 🔥 anywhere; remove also cuts it from s.
func takeTemperature(s string, remove bool) (string, campaign.Temperature) {
	if !containsAny(asciiLower(s), "hot", "warm", "cold", "🔥") {
		return s, ""
	}
	loc := temperatureWord.FindStringSubmatchIndex(s)
	if loc == nil {
		return s, ""
	}
	t := campaign.Hot
	if loc[2] >= 0 {
		t, _ = campaign.ParseTemperature(s[loc[2]:loc[3]])
	}
	if remove {
		s = strings.TrimSpace(s[:loc[0]] + " " + s[loc[1]:])
	}
	return s, t
}

func trimPunct(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:-—–!?", r)
	})
}

var (
	emailAddr   = regexp.MustCompile(`[\w.+'-]+@([\w-]+)(?:\.[\w-]+)+`)
	parenthesis = regexp.MustCompile(`\(([^()]*)\)`)
	companySep  = regexp.MustCompile(`(?i)(?:^|\s+)(?:at|from|of)\s+|\s*@\s*|,\s*`)
	companyEnd  = regexp.MustCompile(`(?i)\s+(?:for|to|and|cc|ask|w/|with)\s+.*$`)
)

// freemail domains say nothing about the prospect's company.
var freemail = []string{"gmail", "googlemail", "yahoo", "hotmail", "outlook", "live", "icloud", "me", "aol", "proton", "protonmail"}

// splitPerson reads "Jane Smith at Acme", "Jane @ Acme", "Jane from Acme", "Jane (Acme)" and
// "Jane Smith, Acme". An e-mail address is dropped from the name; its domain names the company
// when nothing else does.
func splitPerson(s string) (person, company string) {
	var domain string
	if !strings.Contains(s, "@") {
		// no address to look for
	} else if m := emailAddr.FindStringSubmatch(s); m != nil {
		domain = m[1]
		s = emailAddr.ReplaceAllString(s, " ")
	}
	if !strings.Contains(s, "(") {
		// no parenthesised company
	} else if m := parenthesis.FindStringSubmatchIndex(s); m != nil && strings.TrimSpace(s[m[2]:m[3]]) != "" {
		company = s[m[2]:m[3]]
		s = s[:m[0]] + " " + s[m[1]:]
	}
	s = strings.Join(strings.Fields(s), " ")
	if loc := companySep.FindStringIndex(s); loc != nil && !strings.Contains(s[:loc[0]], "<") {
		if company == "" {
			company = s[loc[1]:]
		}
		s = s[:loc[0]]
	}
	if i := strings.IndexAny(company, ",;"); i >= 0 {
		company = company[:i] // "Acme, voicemail": what follows a comma is not the company
	}
	if containsAny(asciiLower(company), " for ", " to ", " and ", " cc ", " ask ", " w/ ", " with ") {
		company = companyEnd.ReplaceAllString(company, "")
	}
	company = trimPunct(strings.Trim(company, " ()."))
	if company == "" && domain != "" && !slices.Contains(freemail, strings.ToLower(domain)) {
		company = strings.ToUpper(domain[:1]) + domain[1:]
	}
	person = trimPunct(strings.Trim(s, " ()."))
	for _, pos := range []string{"'s ", "’s "} {
		if i := strings.Index(person, pos); i > 0 {
			person = person[:i] // "Lucy Chen's office"
		}
	}
	return person, company
}

// companyWords end a name that is an organisation, not a person.
var companyWords = []string{
	"inc", "llc", "llp", "ltd", "corp", "corporation", "co", "plc", "gmbh",
	"team", "account", "group", "dept", "department", "holdings", "industries", "company", "incorporated",
}

// notNames are words that cannot start a person's name: pronouns and determiners ("them", "the VP").
var notNames = []string{
	"the", "a", "an", "my", "our", "their", "his", "her", "its", "them", "him",
	"me", "us", "you", "they", "we", "i", "it", "he", "she", "someone", "somebody", "anyone", "everyone",
	"this", "that", "whoever", "whomever", "someone's", "everybody", "nobody", "all", "both",
}

// roleWords name a function, not an individual ("HR", "VP of Ops", "hiring manager").
var roleWords = []string{
	"hr", "vp", "svp", "evp", "avp", "ceo", "cfo", "cto", "coo", "cio", "cmo", "cro",
	"ciso", "chro", "president", "director", "manager", "head", "lead", "recruiter", "recruiting",
	"talent", "acquisition", "hiring", "procurement", "purchasing", "legal", "finance", "accounting",
	"ops", "operations", "sales", "marketing", "engineering", "client", "customer", "prospect",
	"contact", "buyer", "boss", "owner", "founder", "partner", "rep", "of", "for", "and", "&", "gm",
	"admin", "assistant", "office", "people", "guy", "gal", "person", "folks", "decision", "maker",
	"champion", "ta", "it", "team", "dept", "department", "staff", "gatekeeper", "receptionist",
	"coordinator", "specialist", "generalist", "chief", "officer", "executive", "exec", "senior", "sr",
	"jr", "junior", "supervisor", "payroll", "benefits", "board", "someone",
}

// personRunes are what a name may contain besides letters: "Dr. Anne-Marie O'Neil".
func personRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) || r == ' ' || r == '.' || r == '-' || r == '\'' || r == '’'
}

// checkPerson refuses anything that is not a named individual.
func checkPerson(person, company string, known []string) error {
	if strings.Contains(person, "<@") || strings.Contains(person, "<!") || strings.Contains(person, "<#") ||
		strings.Contains(company, "<@") || strings.Contains(company, "<!") || strings.Contains(company, "<#") {
		return campaign.Errorf(CodeMentionAsPerson, "That's a Slack mention, not a prospect — name the person you're courting, like \"follow up Jane Smith at Acme tomorrow\".")
	}
	if !hasAlnum(person) {
		return campaign.Errorf(CodeNoPerson, "Who should I follow up with? Name the person, like \"follow up Jane Smith at Acme next Tuesday\".")
	}
	if utf8.RuneCountInString(person) > MaxPersonLen {
		return campaign.Errorf(CodeBadPerson, "That name is over %d characters — send just the person's name, like \"Jane Smith\".", MaxPersonLen)
	}
	if strings.ContainsFunc(person, unicode.IsDigit) {
		return campaign.Errorf(CodeBadPerson, "\"%s\" looks like a number, not a name — give the person's name, like \"Jane Smith\".", quote(person))
	}
	if strings.ContainsFunc(person, func(r rune) bool { return !personRune(r) }) {
		return campaign.Errorf(CodeBadPerson, "\"%s\" doesn't look like a person's name — use letters only, like \"Anne-Marie O'Neil\".", quote(person))
	}
	words := strings.Fields(strings.ToLower(person))
	key := campaign.CompanyKey(person)
	for _, k := range known {
		if k != "" && campaign.CompanyKey(k) == key {
			return companyError(person)
		}
	}
	if slices.Contains(companyWords, strings.Trim(words[len(words)-1], ".")) {
		return companyError(person)
	}
	if slices.Contains(notNames, words[0]) {
		return noPersonError(person)
	}
	allRoles := true
	for _, w := range words {
		if !slices.Contains(roleWords, strings.Trim(w, ".")) {
			allRoles = false
			break
		}
	}
	if allRoles {
		return noPersonError(person)
	}
	return nil
}

func companyError(name string) error {
	return campaign.Errorf(CodeCompanyAsPerson, "\"%s\" is a company — name the person there, like \"Jane Smith at %s\".", quote(name), quote(name))
}

func noPersonError(name string) error {
	return campaign.Errorf(CodeNoPerson, "\"%s\" isn't a named person — campaigns court one individual, like \"Jane Smith at Acme\".", quote(name))
}
