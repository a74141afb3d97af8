package commands_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/olebedev/when"
	"github.com/olebedev/when/rules/common"
	"github.com/olebedev/when/rules/en"

	"campaignbot/campaign"
	"campaignbot/commands"
)

var ny = mustZone("America/New_York")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// The clocks the table is pinned to. wed is the default.
var (
	wed       = time.Date(2026, 3, 4, 9, 30, 0, 0, ny)   // Wednesday, before the spring DST change
	mon       = time.Date(2026, 3, 2, 9, 30, 0, 0, ny)   // Monday
	fri       = time.Date(2026, 3, 6, 16, 0, 0, 0, ny)   // Friday afternoon
	sunEve    = time.Date(2026, 3, 8, 20, 0, 0, 0, ny)   // Sunday evening
	springSat = time.Date(2026, 3, 7, 10, 0, 0, 0, ny)   // Saturday before clocks go forward (Mar 8)
	fallSat   = time.Date(2026, 10, 31, 10, 0, 0, 0, ny) // Saturday before clocks go back (Nov 1)
	lateWed   = time.Date(2026, 3, 4, 16, 45, 0, 0, ny)  // Wednesday, 4:45 pm
	newYear   = time.Date(2026, 12, 30, 9, 30, 0, 0, ny) // Wednesday, Dec 30
)

var parseOpts = commands.ParseOptions{Location: ny, KnownCompanies: []string{"Acme", "Globex", "Hooli"}}

// at builds an instant in New York from "2026-03-10 09:00" or "03-10 09:00" (year 2026).
func at(s string) time.Time {
	if len(s) == len("03-10 09:00") {
		s = "2026-" + s
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", s, ny)
	if err != nil {
		panic(err)
	}
	return t
}

type parseTest struct {
	family string
	in     string
	now    time.Time // zero means wed
	want   commands.Draft
	code   campaign.Code // non-empty: Parse must refuse with this code
}

// dr is a Draft builder, so table rows stay one line each.
type dr commands.Draft

func want(person, company, due string) dr { return dr{Person: person, Company: company, Due: at(due)} }

func (d dr) tg() dr                         { d.TimeGiven = true; return d }
func (d dr) ch(c campaign.Channel) dr       { d.Channel = c; return d }
func (d dr) temp(t campaign.Temperature) dr { d.Temperature = t; return d }
func (d dr) note(n string) dr               { d.Note = n; return d }
func (d dr) alts(ts ...string) dr {
	for _, t := range ts {
		d.Alternatives = append(d.Alternatives, at(t))
	}
	return d
}
func (d dr) draft() commands.Draft { return commands.Draft(d) }

// ok is a valid row; jane is a valid row about "Jane at Initech" with only the date varying.
func ok(family, in string, d dr) parseTest { return parseTest{family: family, in: in, want: d.draft()} }

func okAt(family string, now time.Time, in string, d dr) parseTest {
	return parseTest{family: family, in: in, now: now, want: d.draft()}
}

func jane(family, phrase, due string) parseTest {
	return ok(family, "follow up Jane at Initech "+phrase, want("Jane", "Initech", due))
}

func janeT(family, phrase, due string) parseTest {
	return ok(family, "follow up Jane at Initech "+phrase, want("Jane", "Initech", due).tg())
}

func janeAt(family string, now time.Time, phrase, due string) parseTest {
	return okAt(family, now, "follow up Jane at Initech "+phrase, want("Jane", "Initech", due))
}

func janeAtT(family string, now time.Time, phrase, due string) parseTest {
	return okAt(family, now, "follow up Jane at Initech "+phrase, want("Jane", "Initech", due).tg())
}

func bad(family, in string, code campaign.Code) parseTest {
	return parseTest{family: family, in: in, code: code}
}

func badAt(family string, now time.Time, in string, code campaign.Code) parseTest {
	return parseTest{family: family, in: in, now: now, code: code}
}

var parseTests = []parseTest{
	// The issue's own examples.
	ok("examples", "follow up Jane Smith at Acme next Tuesday", want("Jane Smith", "Acme", "03-10 09:00")),
	ok("examples", "call Raj at Globex tomorrow 3pm hot", want("Raj", "Globex", "03-05 15:00").tg().ch(campaign.Call).temp(campaign.Hot)),
	ok("examples", "email Maria @ Initech on 4/1 re contract renewal", want("Maria", "Initech", "04-01 09:00").ch(campaign.Email).note("contract renewal")),

	// Verbs and channels.
	ok("verbs", "f/u Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00")),
	ok("verbs", "f/u: Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00")),
	ok("verbs", "follow-up with Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00")),
	ok("verbs", "ping Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00")),
	ok("verbs", "touch base with Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00")),
	ok("verbs", "circle back with Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00")),
	ok("verbs", "check in with Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00")),
	ok("verbs", "reach out to Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00")),
	ok("verbs", "ring Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00").ch(campaign.Call)),
	ok("verbs", "phone Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00").ch(campaign.Call)),
	ok("verbs", "e-mail Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00").ch(campaign.Email)),
	ok("verbs", "text Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00").ch(campaign.Text)),
	ok("verbs", "sms Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00").ch(campaign.Text)),
	ok("verbs", "visit Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00").ch(campaign.Visit)),
	ok("verbs", "stop by Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00").ch(campaign.Visit)),
	ok("verbs", "swing by Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00").ch(campaign.Visit)),
	ok("verbs", "lunch with Priya at Initech Friday noon", want("Priya", "Initech", "03-06 12:00").tg().ch(campaign.Visit)),
	ok("verbs", "LinkedIn Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00").ch(campaign.LinkedIn)),
	ok("verbs", "InMail Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00").ch(campaign.LinkedIn)),
	ok("verbs", "reach out to Tom on LinkedIn next week", want("Tom", "", "03-09 09:00").ch(campaign.LinkedIn)),
	ok("verbs", "follow up Tom at Initech via email Monday", want("Tom", "Initech", "03-09 09:00").ch(campaign.Email)),
	ok("verbs", "follow up Tom at Initech by phone Monday", want("Tom", "Initech", "03-09 09:00").ch(campaign.Call)),
	ok("verbs", "tomorrow 3pm call Raj at Globex", want("Raj", "Globex", "03-05 15:00").tg().ch(campaign.Call)),
	ok("verbs", "Jane Smith at Initech next Tuesday", want("Jane Smith", "Initech", "03-10 09:00")),
	ok("verbs", "remind me to call Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00").ch(campaign.Call)),

	// Temperature.
	ok("temperature", "follow up Jane at Initech tomorrow hot", want("Jane", "Initech", "03-05 09:00").temp(campaign.Hot)),
	ok("temperature", "warm follow up Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00").temp(campaign.Warm)),
	ok("temperature", "follow up Jane (cold) at Initech tomorrow", want("Jane", "Initech", "03-05 09:00").temp(campaign.Cold)),
	ok("temperature", "follow up Jane at Initech tomorrow 🔥", want("Jane", "Initech", "03-05 09:00").temp(campaign.Hot)),
	ok("temperature", "follow up Jane at Initech tomorrow HOT", want("Jane", "Initech", "03-05 09:00").temp(campaign.Hot)),
	ok("temperature", "Jane Smith, Initech, next Tuesday, warm", want("Jane Smith", "Initech", "03-10 09:00").temp(campaign.Warm)),
	ok("temperature", "follow up Jane at Initech tomorrow re warm intro from Raj", want("Jane", "Initech", "03-05 09:00").temp(campaign.Warm).note("warm intro from Raj")),

	// People and companies.
	ok("person", "follow up Jane @ Initech tomorrow", want("Jane", "Initech", "03-05 09:00")),
	ok("person", "follow up Jane@Initech tomorrow", want("Jane", "Initech", "03-05 09:00")),
	ok("person", "follow up Jane from Initech tomorrow", want("Jane", "Initech", "03-05 09:00")),
	ok("person", "follow up Jane (Initech) tomorrow", want("Jane", "Initech", "03-05 09:00")),
	ok("person", "follow up Jane Smith, Initech, tomorrow", want("Jane Smith", "Initech", "03-05 09:00")),
	ok("person", "follow up Jane of Initech tomorrow", want("Jane", "Initech", "03-05 09:00")),
	ok("person", "ping Dr. Okafor-Reyes at Initech in 2 weeks", want("Dr. Okafor-Reyes", "Initech", "03-18 09:00")),
	ok("person", "text J. Doe from Umbrella Thursday 10am", want("J. Doe", "Umbrella", "03-05 10:00").tg().ch(campaign.Text)),
	ok("person", "visit Anne-Marie O'Neil (Hooli) mid-April", want("Anne-Marie O'Neil", "Hooli", "04-15 09:00").ch(campaign.Visit)),
	ok("person", "follow up Siobhán O’Brien at Initech tomorrow", want("Siobhán O’Brien", "Initech", "03-05 09:00")),
	ok("person", "follow up José Núñez at Initech tomorrow", want("José Núñez", "Initech", "03-05 09:00")),
	ok("person", "follow up Zoë Ångström at Initech tomorrow", want("Zoë Ångström", "Initech", "03-05 09:00")),
	ok("person", "follow up Jane at AT&amp;T next week", want("Jane", "AT&T", "03-09 09:00")),
	ok("person", "follow up Jane at Procter &amp; Gamble next week", want("Jane", "Procter & Gamble", "03-09 09:00")),
	ok("person", "<@U0BOT> follow up Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00")),
	ok("person", "<@U0BOT|campaignbot>: follow up Jane at Initech tomorrow", want("Jane", "Initech", "03-05 09:00")),
	ok("person", "email Jane <mailto:jane@initech.com|jane@initech.com> tomorrow", want("Jane", "Initech", "03-05 09:00").ch(campaign.Email)),
	ok("person", "email Jane <mailto:jane@gmail.com|jane@gmail.com> tomorrow", want("Jane", "", "03-05 09:00").ch(campaign.Email)),
	ok("person", "follow up Jane tomorrow", want("Jane", "", "03-05 09:00")),
	ok("person", "follow up jane at initech tomorrow", want("jane", "initech", "03-05 09:00")),
	ok("person", "follow up Jane Doe-Smith at Initech the day after tomorrow", want("Jane Doe-Smith", "Initech", "03-06 09:00")),
	ok("person", "follow up Jane at Initech for the renewal tomorrow", want("Jane", "Initech", "03-05 09:00")),
	ok("person", "follow up Jane at Initech, voicemail, next week", want("Jane", "Initech", "03-09 09:00")),
	ok("person", "follow up Jane at Sun Life next Tuesday", want("Jane", "Sun Life", "03-10 09:00")),
	ok("person", "follow up Jane at Wed Holdings next Tuesday", want("Jane", "Wed Holdings", "03-10 09:00")),
	ok("person", "call Rachel Green at Central Perk Wed", want("Rachel Green", "Central Perk", "03-11 09:00").ch(campaign.Call)),
	ok("person", "stop by Lucy Chen's office at Initech next Thu", want("Lucy Chen", "Initech", "03-12 09:00").ch(campaign.Visit).alts("03-05 09:00")),
	ok("person", "ping Olu Adeyemi, Margie's Travel, tomorrow afternoon", want("Olu Adeyemi", "Margie's Travel", "03-05 14:00").tg()),
	ok("verbs", "LinkedIn msg to Grace Kim at Initech next month", want("Grace Kim", "Initech", "04-01 09:00").ch(campaign.LinkedIn)),
	ok("temperature", "warm - call Emma Davis at Initech Fri", want("Emma Davis", "Initech", "03-06 09:00").ch(campaign.Call).temp(campaign.Warm)),
	ok("notes", "call Dr. Patel at Initech next Monday at 10 - she's hot", want("Dr. Patel", "Initech", "03-09 10:00").tg().ch(campaign.Call).temp(campaign.Hot).note("she's hot")),
	ok("notes", "reach out to Aisha at Initech in 3 weeks - budget unlocks in Q2", want("Aisha", "Initech", "03-25 09:00").note("budget unlocks in Q2")),

	// Names that look like dates or times.
	ok("lookalikes", "follow up May Chen at Hooli on the 15th", want("May Chen", "Hooli", "03-15 09:00")),
	ok("lookalikes", "follow up April Jones at Initech tomorrow", want("April Jones", "Initech", "03-05 09:00")),
	ok("lookalikes", "call June Park at Initech 3pm", want("June Park", "Initech", "03-04 15:00").tg().ch(campaign.Call)),
	ok("lookalikes", "follow up June at Initech June 3", want("June", "Initech", "06-03 09:00")),
	ok("lookalikes", "call Jan at Initech tomorrow at noon", want("Jan", "Initech", "03-05 12:00").tg().ch(campaign.Call)),
	ok("lookalikes", "follow up Jan Kowalski at Initech next Tuesday", want("Jan Kowalski", "Initech", "03-10 09:00")),
	ok("lookalikes", "follow up May at Initech next Tuesday", want("May", "Initech", "03-10 09:00")),
	ok("lookalikes", "follow up Jane Noonan at Initech tomorrow", want("Jane Noonan", "Initech", "03-05 09:00")),
	ok("lookalikes", "follow up Jane Noon at Initech tomorrow", want("Jane Noon", "Initech", "03-05 09:00")),
	ok("lookalikes", "call Bob at Initech re 10-15 resumes tomorrow", want("Bob", "Initech", "03-05 09:00").ch(campaign.Call).note("10-15 resumes")),
	ok("lookalikes", "call Bob at Initech tomorrow re 10-15 resumes", want("Bob", "Initech", "03-05 09:00").ch(campaign.Call).note("10-15 resumes")),
	ok("lookalikes", "call Bob at Initech tomorrow re 24 open reqs", want("Bob", "Initech", "03-05 09:00").ch(campaign.Call).note("24 open reqs")),
	ok("lookalikes", "follow up Marchetti at Initech tomorrow", want("Marchetti", "Initech", "03-05 09:00")),
	bad("lookalikes", "follow up Jane Monday at Initech Friday", commands.CodeTwoDates),

	// Notes.
	ok("notes", "follow up Tom at Initech tomorrow about the renewal", want("Tom", "Initech", "03-05 09:00").note("the renewal")),
	ok("notes", "follow up Tom at Initech tomorrow — sent the deck", want("Tom", "Initech", "03-05 09:00").note("sent the deck")),
	ok("notes", "follow up Tom at Initech tomorrow: sent the deck", want("Tom", "Initech", "03-05 09:00").note("sent the deck")),
	ok("notes", "follow up Tom at Initech tomorrow re: pricing", want("Tom", "Initech", "03-05 09:00").note("pricing")),
	ok("notes", "follow up Tom at Initech tomorrow regarding Q2 headcount", want("Tom", "Initech", "03-05 09:00").note("Q2 headcount")),
	ok("notes", "email Maria @ Initech re contract renewal on 4/1", want("Maria", "Initech", "04-01 09:00").ch(campaign.Email).note("contract renewal")),
	ok("notes", "follow up Tom at Initech tomorrow about 3pm", want("Tom", "Initech", "03-05 15:00").tg()),
	ok("notes", "follow up Jane at Initech at 10 re the 10-15 resumes tomorrow", want("Jane", "Initech", "03-05 10:00").tg().note("the 10-15 resumes")),

	// Casual days.
	jane("casual", "today", "03-04 10:00"),
	jane("casual", "tomorrow", "03-05 09:00"),
	jane("casual", "tmrw", "03-05 09:00"),
	jane("casual", "tmw", "03-05 09:00"),
	jane("casual", "Tomorrow", "03-05 09:00"),
	jane("casual", "day after tomorrow", "03-06 09:00"),
	janeT("casual", "tonight", "03-04 19:00"),
	janeT("casual", "tomorrow morning", "03-05 09:00"),
	janeT("casual", "this afternoon", "03-04 14:00"),
	janeT("casual", "tomorrow evening", "03-05 18:00"),
	janeAt("casual", lateWed, "today", "03-04 17:00"),

	// Weekdays. wed is Wednesday 2026-03-04.
	jane("weekday", "Friday", "03-06 09:00"),
	jane("weekday", "Fri", "03-06 09:00"),
	jane("weekday", "on Fri.", "03-06 09:00"),
	jane("weekday", "Thurs", "03-05 09:00"),
	jane("weekday", "Thu", "03-05 09:00"),
	jane("weekday", "tues", "03-10 09:00"),
	jane("weekday", "Wednesday", "03-11 09:00"),
	jane("weekday", "Monday", "03-09 09:00"),
	jane("weekday", "Sunday", "03-08 09:00"),
	jane("weekday", "this Monday", "03-09 09:00"),
	jane("weekday", "this Friday", "03-06 09:00"),
	jane("weekday", "this Wednesday", "03-04 10:00"),
	jane("weekday", "coming Friday", "03-06 09:00"),
	jane("weekday", "this coming Monday", "03-09 09:00"),
	jane("weekday", "next Tuesday", "03-10 09:00"),
	jane("weekday", "next Wednesday", "03-11 09:00"),
	jane("weekday", "next Monday", "03-09 09:00"),
	ok("weekday", "follow up Jane at Initech next Friday", want("Jane", "Initech", "03-13 09:00").alts("03-06 09:00")),
	ok("weekday", "follow up Jane at Initech next Thursday 2pm", want("Jane", "Initech", "03-12 14:00").tg().alts("03-05 14:00")),
	jane("weekday", "Friday after next", "03-13 09:00"),
	jane("weekday", "Tuesday after next", "03-17 09:00"),
	jane("weekday", "Tuesday next week", "03-10 09:00"),
	jane("weekday", "Friday next week", "03-13 09:00"),
	jane("weekday", "next week Tuesday", "03-10 09:00"),
	jane("weekday", "Friday this week", "03-06 09:00"),
	janeT("weekday", "next Tuesday 3pm", "03-10 15:00"),
	okAt("weekday", mon, "follow up Jane at Initech next Tuesday", want("Jane", "Initech", "03-10 09:00").alts("03-03 09:00")),
	okAt("weekday", mon, "follow up Jane at Initech next Wednesday", want("Jane", "Initech", "03-11 09:00").alts("03-04 09:00")),
	janeAt("weekday", mon, "Tuesday", "03-03 09:00"),
	janeAt("weekday", mon, "Monday", "03-09 09:00"),
	janeAt("weekday", mon, "next Monday", "03-09 09:00"),
	janeAt("weekday", mon, "this Friday", "03-06 09:00"),
	janeAt("weekday", fri, "Monday", "03-09 09:00"),
	janeAt("weekday", fri, "next week", "03-09 09:00"),
	janeAt("weekday", sunEve, "next Monday", "03-09 09:00"),
	janeAt("weekday", sunEve, "tomorrow", "03-09 09:00"),
	jane("weekday", "Tue Mar 10", "03-10 09:00"),
	jane("weekday", "Friday the 13th", "03-13 09:00"),
	jane("weekday", "Thursday, March 12", "03-12 09:00"),

	// Weeks, months, quarters.
	jane("period", "next week", "03-09 09:00"),
	jane("period", "sometime next week", "03-09 09:00"),
	jane("period", "early next week", "03-09 09:00"),
	jane("period", "end of next week", "03-13 09:00"),
	jane("period", "later this week", "03-06 09:00"),
	jane("period", "this week", "03-05 09:00"),
	jane("period", "end of week", "03-06 09:00"),
	jane("period", "end of the week", "03-06 09:00"),
	jane("period", "EOW", "03-06 09:00"),
	jane("period", "next month", "04-01 09:00"),
	jane("period", "end of month", "03-31 09:00"),
	jane("period", "end of the month", "03-31 09:00"),
	jane("period", "EOM", "03-31 09:00"),
	jane("period", "end of next month", "04-30 09:00"),
	jane("period", "mid next month", "04-15 09:00"),
	jane("period", "mid-month", "03-15 09:00"),
	jane("period", "mid-April", "04-15 09:00"),
	jane("period", "mid April", "04-15 09:00"),
	jane("period", "early May", "05-01 09:00"),
	jane("period", "late May", "05-20 09:00"),
	jane("period", "end of June", "06-30 09:00"),
	jane("period", "in April", "04-01 09:00"),
	jane("period", "in February", "2027-02-01 09:00"),
	jane("period", "Q2", "04-01 09:00"),
	jane("period", "in Q3", "07-01 09:00"),
	jane("period", "start of Q3", "07-01 09:00"),
	jane("period", "beginning of Q4", "10-01 09:00"),
	jane("period", "end of Q2", "06-30 09:00"),
	jane("period", "Q1", "2027-01-01 09:00"),
	jane("period", "Q1 2027", "2027-01-01 09:00"),
	jane("period", "next quarter", "04-01 09:00"),
	jane("period", "end of quarter", "03-31 09:00"),
	jane("period", "EOQ", "03-31 09:00"),
	jane("period", "next year", "2027-01-01 09:00"),
	janeAt("period", fri, "EOW", "03-06 17:00"),
	janeAt("period", sunEve, "end of week", "03-13 09:00"),

	// Relative amounts.
	jane("relative", "in 5 days", "03-09 09:00"),
	jane("relative", "in 1 day", "03-05 09:00"),
	jane("relative", "in a week", "03-11 09:00"),
	jane("relative", "in 2 weeks", "03-18 09:00"),
	jane("relative", "in two weeks", "03-18 09:00"),
	jane("relative", "in 2 wks", "03-18 09:00"),
	jane("relative", "in a fortnight", "03-18 09:00"),
	jane("relative", "in a couple of days", "03-06 09:00"),
	jane("relative", "in a few days", "03-07 09:00"),
	jane("relative", "in 3 months", "06-04 09:00"),
	jane("relative", "in a month", "04-04 09:00"),
	jane("relative", "in 1 year", "2027-03-04 09:00"),
	jane("relative", "2 weeks from now", "03-18 09:00"),
	jane("relative", "3 days from today", "03-07 09:00"),
	jane("relative", "within 2 days", "03-06 09:00"),
	jane("relative", "in 3 business days", "03-09 09:00"),
	jane("relative", "in 5 working days", "03-11 09:00"),
	jane("relative", "3 business days", "03-09 09:00"),
	janeAt("relative", fri, "in 1 business day", "03-09 09:00"),
	janeT("relative", "in 2 hours", "03-04 11:30"),
	janeT("relative", "in an hour", "03-04 10:30"),
	janeT("relative", "in 30 minutes", "03-04 10:00"),
	janeT("relative", "in 45 mins", "03-04 10:15"),
	janeT("relative", "in half an hour", "03-04 10:00"),
	okAt("relative", time.Date(2026, 1, 31, 9, 30, 0, 0, ny), "follow up Jane at Initech in 1 month", want("Jane", "Initech", "02-28 09:00")),

	// Explicit dates.
	jane("explicit", "Jan 5", "2027-01-05 09:00"),
	jane("explicit", "5 Jan", "2027-01-05 09:00"),
	jane("explicit", "January 5th 2027", "2027-01-05 09:00"),
	jane("explicit", "5th of January", "2027-01-05 09:00"),
	jane("explicit", "Mar 10", "03-10 09:00"),
	jane("explicit", "March 4", "03-04 10:00"),
	jane("explicit", "March 3", "2027-03-03 09:00"),
	jane("explicit", "Sept. 9", "09-09 09:00"),
	jane("explicit", "on Dec 1st", "12-01 09:00"),
	jane("explicit", "the 15th", "03-15 09:00"),
	jane("explicit", "on the 3rd", "04-03 09:00"),
	jane("explicit", "the 31st", "03-31 09:00"),
	jane("explicit", "the 15th of next month", "04-15 09:00"),
	jane("explicit", "4/1", "04-01 09:00"),
	jane("explicit", "3/20", "03-20 09:00"),
	jane("explicit", "04/02/2026", "04-02 09:00"),
	jane("explicit", "4/2/26", "04-02 09:00"),
	jane("explicit", "3/1", "2027-03-01 09:00"),
	jane("explicit", "2026-03-20", "03-20 09:00"),
	jane("explicit", "2026/03/20", "03-20 09:00"),
	jane("explicit", "03-20-2026", "03-20 09:00"),
	jane("explicit", "2/29", "2028-02-29 09:00"),
	jane("explicit", "Feb 29 2028", "2028-02-29 09:00"),
	janeAt("explicit", newYear, "Jan 4", "2027-01-04 09:00"),
	janeAt("explicit", newYear, "1/4", "2027-01-04 09:00"),
	janeAt("explicit", newYear, "12/31", "12-31 09:00"),
	janeAt("explicit", newYear, "the 2nd", "2027-01-02 09:00"),
	janeAt("explicit", newYear, "next month", "2027-01-01 09:00"),
	janeAt("explicit", newYear, "next week", "2027-01-04 09:00"),

	// Holidays (2026).
	jane("holiday", "Thanksgiving", "11-26 09:00"),
	jane("holiday", "Labor Day", "09-07 09:00"),
	jane("holiday", "Memorial Day", "05-25 09:00"),
	jane("holiday", "Easter", "04-05 09:00"),
	jane("holiday", "Christmas", "12-25 09:00"),
	jane("holiday", "New Year's Day", "2027-01-01 09:00"),
	jane("holiday", "July 4th", "07-04 09:00"),
	janeAt("holiday", time.Date(2026, 4, 10, 9, 0, 0, 0, ny), "Easter", "2027-03-28 09:00"),
	jane("holiday", "after Labor Day", "09-08 09:00"),
	jane("holiday", "the day after Thanksgiving", "11-27 09:00"),
	jane("holiday", "the week of Thanksgiving", "11-23 09:00"),

	// Times.
	janeT("time", "tomorrow 3pm", "03-05 15:00"),
	janeT("time", "tomorrow at 3 pm", "03-05 15:00"),
	janeT("time", "tomorrow 3p", "03-05 15:00"),
	janeT("time", "tomorrow 9 a.m.", "03-05 09:00"),
	janeT("time", "tomorrow 3:30", "03-05 15:30"),
	janeT("time", "tomorrow 3:30pm", "03-05 15:30"),
	janeT("time", "tomorrow 15:30", "03-05 15:30"),
	janeT("time", "tomorrow 8:15", "03-05 08:15"),
	janeT("time", "tomorrow 11:45am", "03-05 11:45"),
	janeT("time", "tomorrow 12pm", "03-05 12:00"),
	janeT("time", "tomorrow 12am", "03-05 00:00"),
	janeT("time", "tomorrow noon", "03-05 12:00"),
	janeT("time", "tomorrow at noon", "03-05 12:00"),
	janeT("time", "tomorrow EOD", "03-05 17:00"),
	janeT("time", "COB tomorrow", "03-05 17:00"),
	janeT("time", "EOD", "03-04 17:00"),
	janeT("time", "end of day", "03-04 17:00"),
	janeT("time", "first thing tomorrow", "03-05 08:00"),
	janeT("time", "tomorrow first thing", "03-05 08:00"),
	janeT("time", "tomorrow afternoon", "03-05 14:00"),
	janeT("time", "Friday morning", "03-06 09:00"),
	janeT("time", "at 3", "03-04 15:00"),
	janeT("time", "at 3 tomorrow", "03-05 15:00"),
	janeT("time", "tomorrow at 10", "03-05 10:00"),
	janeT("time", "tomorrow around 11", "03-05 11:00"),
	janeT("time", "at 8am", "03-05 08:00"),
	janeT("time", "3pm", "03-04 15:00"),
	janeT("time", "between 2 and 4 tomorrow", "03-05 14:00"),
	janeT("time", "tomorrow between 10 and 11", "03-05 10:00"),
	janeT("time", "tomorrow 2-4pm", "03-05 14:00"),
	janeT("time", "Fri 11-1pm", "03-06 11:00"),
	janeT("time", "tomorrow, ask for Raj, at 3pm", "03-05 15:00"),
	janeT("time", "Tue Mar 10, 9:00 AM", "03-10 09:00"),
	janeT("time", "Tue Jan 5 2027, 9:00 AM", "2027-01-05 09:00"),
	janeT("time", "2026-03-13 9:00am", "03-13 09:00"),
	janeAtT("time", lateWed, "at 4pm", "03-05 16:00"),
	janeAtT("time", lateWed, "at 5", "03-04 17:00"),

	// Zones (the rep is in New York).
	janeT("zone", "3pm PT tomorrow", "03-05 18:00"),
	janeT("zone", "tomorrow 3pm PST", "03-05 18:00"),
	janeT("zone", "Fri 4pm Pacific", "03-06 19:00"),
	janeT("zone", "tomorrow 10am CT", "03-05 11:00"),
	janeT("zone", "tomorrow 10am MT", "03-05 12:00"),
	janeT("zone", "noon ET Friday", "03-06 12:00"),
	janeT("zone", "tomorrow 2pm EST", "03-05 14:00"),
	janeT("zone", "tomorrow 2pm Eastern", "03-05 14:00"),
	janeT("zone", "9am UK time Friday", "03-06 04:00"),
	janeT("zone", "9am GMT Friday", "03-06 04:00"),
	janeT("zone", "14:00 UTC tomorrow", "03-05 09:00"),
	janeT("zone", "Mar 30 9am UK time", "03-30 04:00"),

	// DST: US clocks go forward 2026-03-08 and back 2026-11-01.
	janeAt("dst", springSat, "tomorrow", "03-08 09:00"),
	janeAt("dst", springSat, "in 2 days", "03-09 09:00"),
	janeAt("dst", springSat, "in 1 week", "03-14 09:00"),
	janeAtT("dst", springSat, "in 24 hours", "03-08 11:00"),
	janeAtT("dst", springSat, "tomorrow 2:30am", "03-08 03:30"),
	janeAtT("dst", springSat, "Monday 9am", "03-09 09:00"),
	janeAt("dst", wed, "in 5 days", "03-09 09:00"),
	janeAt("dst", fallSat, "tomorrow", "11-01 09:00"),
	janeAt("dst", fallSat, "in 3 days", "11-03 09:00"),
	janeAtT("dst", fallSat, "in 24 hours", "11-01 09:00"),
	janeAtT("dst", fallSat, "Monday 3pm", "11-02 15:00"),
	janeAt("dst", fallSat, "next week", "11-02 09:00"),

	// Refusals.
	bad("refuse/empty", "", commands.CodeEmpty),
	bad("refuse/empty", "   ", commands.CodeEmpty),
	bad("refuse/empty", "🔥🔥", commands.CodeEmpty),
	bad("refuse/empty", "<@U0BOT>", commands.CodeEmpty),
	bad("refuse/empty", "👍 ...", commands.CodeEmpty),
	bad("refuse/no_date", "follow up Jane when she's back", commands.CodeNoDate),
	bad("refuse/no_date", "follow up Jane at Initech soon", commands.CodeNoDate),
	bad("refuse/no_date", "follow up Jane at Initech", commands.CodeNoDate),
	bad("refuse/no_date", "follow up Jane at Initech ASAP", commands.CodeNoDate),
	jane("weekday", "nxt tues", "03-10 09:00"),
	bad("refuse/no_person", "follow up the VP of Ops at Initech tomorrow", commands.CodeNoPerson),
	bad("refuse/no_person", "follow up them tomorrow", commands.CodeNoPerson),
	bad("refuse/no_person", "follow up me tomorrow", commands.CodeNoPerson),
	bad("refuse/no_person", "follow up HR at Initech tomorrow", commands.CodeNoPerson),
	bad("refuse/no_person", "call the hiring manager at Initech tomorrow", commands.CodeNoPerson),
	bad("refuse/no_person", "follow up Head of Talent at Initech tomorrow", commands.CodeNoPerson),
	bad("refuse/no_person", "follow up at Initech tomorrow", commands.CodeNoPerson),
	bad("refuse/no_person", "tomorrow 3pm", commands.CodeNoPerson),
	bad("refuse/no_person", "email <mailto:jane@initech.com|jane@initech.com> tomorrow", commands.CodeNoPerson),
	bad("refuse/company", "follow up Acme tomorrow", commands.CodeCompanyAsPerson),
	bad("refuse/company", "follow up ACME Inc. tomorrow", commands.CodeCompanyAsPerson),
	bad("refuse/company", "follow up Initech Inc tomorrow", commands.CodeCompanyAsPerson),
	bad("refuse/company", "follow up Initech LLC tomorrow", commands.CodeCompanyAsPerson),
	bad("refuse/company", "follow up Umbrella Corp tomorrow", commands.CodeCompanyAsPerson),
	bad("refuse/company", "follow up the Initech team tomorrow", commands.CodeCompanyAsPerson),
	bad("refuse/company", "follow up Initech account next week", commands.CodeCompanyAsPerson),
	bad("refuse/company", "call globex tomorrow", commands.CodeCompanyAsPerson),
	bad("refuse/mention", "follow up <@U123> tomorrow", commands.CodeMentionAsPerson),
	bad("refuse/mention", "<@U0BOT> follow up <@U123|raj> at Initech tomorrow", commands.CodeMentionAsPerson),
	bad("refuse/mention", "follow up <!here> tomorrow", commands.CodeMentionAsPerson),
	bad("refuse/mention", "follow up <#C123|general> tomorrow", commands.CodeMentionAsPerson),
	bad("refuse/mention", "follow up Jane <!channel> tomorrow", commands.CodeMentionAsPerson),
	bad("refuse/past", "follow up Jane at Initech yesterday", commands.CodePastDate),
	bad("refuse/past", "follow up Jane at Initech last Friday", commands.CodePastDate),
	bad("refuse/past", "follow up Jane at Initech 3/1/2019", commands.CodePastDate),
	bad("refuse/past", "follow up Jane at Initech today at 8am", commands.CodePastDate),
	bad("refuse/past", "follow up Jane at Initech last week", commands.CodePastDate),
	bad("refuse/past", "follow up Jane at Initech Monday this week", commands.CodePastDate),
	bad("refuse/past", "follow up Jane at Initech 2025-12-01", commands.CodePastDate),
	bad("refuse/past", "follow up Jane at Initech the 2nd of this month", commands.CodePastDate),
	badAt("refuse/past", fri, "follow up Jane at Initech today 3pm", commands.CodePastDate),
	badAt("refuse/past", lateWed, "follow up Jane at Initech this morning", commands.CodePastDate),
	bad("refuse/impossible", "follow up Jane at Initech Feb 31", commands.CodeImpossibleDate),
	bad("refuse/impossible", "call Jane at Initech 14/40", commands.CodeImpossibleDate),
	bad("refuse/impossible", "call Jane at Initech 13/1", commands.CodeImpossibleDate),
	bad("refuse/impossible", "call Jane at Initech tomorrow 26:00", commands.CodeImpossibleDate),
	bad("refuse/impossible", "call Jane at Initech tomorrow 10:75", commands.CodeImpossibleDate),
	bad("refuse/impossible", "call Jane at Initech tomorrow 13pm", commands.CodeImpossibleDate),
	bad("refuse/impossible", "follow up Jane at Initech in -2 weeks", commands.CodeImpossibleDate),
	bad("refuse/impossible", "follow up Jane at Initech April 31", commands.CodeImpossibleDate),
	bad("refuse/impossible", "follow up Jane at Initech 2027-02-29", commands.CodeImpossibleDate),
	bad("refuse/impossible", "follow up Jane at Initech the 32nd", commands.CodeImpossibleDate),
	bad("refuse/impossible", "follow up Jane at Initech in 0 minutes", commands.CodeImpossibleDate),
	bad("refuse/too_far", "follow up Jane at Initech in 3 years", commands.CodeTooFar),
	bad("refuse/too_far", "follow up Jane at Initech 1/1/2030", commands.CodeTooFar),
	bad("refuse/too_far", "follow up Jane at Initech in 1000 days", commands.CodeTooFar),
	bad("refuse/too_far", "follow up Jane at Initech in 99999999 weeks", commands.CodeTooFar),
	bad("refuse/two_dates", "follow up Jane at Initech tomorrow 3/20", commands.CodeTwoDates),
	bad("refuse/two_dates", "follow up Jane at Initech in 2 hours tomorrow", commands.CodeTwoDates),
	bad("refuse/weekday", "follow up Jane at Initech Tue Mar 11", commands.CodeWeekdayMismatch),
	bad("refuse/too_long", "follow up Jane at Initech tomorrow re "+strings.Repeat("x", 1000), commands.CodeTooLong),
	bad("refuse/bad_person", "follow up 555-123-4567 tomorrow", commands.CodeBadPerson),
	bad("refuse/bad_person", "follow up +1 (555) 123 4567 tomorrow", commands.CodeBadPerson),
	bad("refuse/bad_person", "follow up {{name}} tomorrow", commands.CodeBadPerson),
	bad("refuse/bad_person", "follow up ${jndi:ldap://x} tomorrow", commands.CodeBadPerson),
	bad("refuse/bad_person", "follow up Robert'); DROP TABLE campaigns;-- tomorrow", commands.CodeBadPerson),
	bad("refuse/bad_person", "follow up &lt;script&gt;alert(1)&lt;/script&gt; tomorrow", commands.CodeBadPerson),
	bad("refuse/bad_person", "follow up "+strings.Repeat("Jane ", 25)+"at Initech tomorrow", commands.CodeBadPerson),
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.family+"/"+tt.in, func(t *testing.T) {
			now := tt.now
			if now.IsZero() {
				now = wed
			}
			got, err := commands.Parse(tt.in, now, parseOpts)
			if tt.code != "" {
				if code := campaign.ErrorCode(err); code != tt.code {
					t.Fatalf("Parse(%q) = %+v, %v; want code %q", tt.in, got, err, tt.code)
				}
				checkMessage(t, err)
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) (-want +got):\n%s", tt.in, diff)
			}
			if !got.Due.After(now) {
				t.Errorf("Parse(%q).Due = %v, not after now %v", tt.in, got.Due, now)
			}
		})
	}
}

// checkMessage holds refusals to the house rule: one sentence, escaped, ending in a full stop.
func checkMessage(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if !strings.HasSuffix(msg, ".") || strings.Count(msg, ". ") > 0 && !strings.Contains(msg, "Dr. ") {
		t.Errorf("message %q is not one sentence", msg)
	}
	if strings.ContainsAny(msg, "<>") {
		t.Errorf("message %q carries unescaped markup", msg)
	}
}

func TestParseFamilies(t *testing.T) {
	// The per-family figures the README reports; each row is asserted by TestParse.
	n := map[string]int{}
	for _, tt := range parseTests {
		n[strings.Split(tt.family, "/")[0]]++
	}
	if len(parseTests) < 200 {
		t.Errorf("table has %d rows, want at least 200", len(parseTests))
	}
	t.Logf("%d rows: %v", len(parseTests), n)
}

func TestParseMoment(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		alts    []time.Time
		timeSet bool
		code    campaign.Code
	}{
		{in: "next Friday 3pm", want: at("03-13 15:00"), alts: []time.Time{at("03-06 15:00")}, timeSet: true},
		{in: "in 2 weeks", want: at("03-18 09:00")},
		{in: "2026-03-13 9:00am", want: at("03-13 09:00"), timeSet: true},
		{in: "Tue Mar 10, 9:00 AM", want: at("03-10 09:00"), timeSet: true},
		{in: "on Monday", want: at("03-09 09:00")},
		{in: "Monday at 10", want: at("03-09 10:00"), timeSet: true},
		{in: "nextt tuesday", code: commands.CodeNoDate},
		{in: "Jane tomorrow", code: commands.CodeNoDate},
		{in: "whenever", code: commands.CodeNoDate},
		{in: "", code: commands.CodeNoDate},
		{in: "yesterday", code: commands.CodePastDate},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := commands.ParseMoment(tt.in, wed, parseOpts)
			if tt.code != "" {
				if code := campaign.ErrorCode(err); code != tt.code {
					t.Fatalf("ParseMoment(%q) = %+v, %v; want code %q", tt.in, got, err, tt.code)
				}
				return
			}
			want := commands.Moment{Due: tt.want, TimeGiven: tt.timeSet, Alternatives: tt.alts}
			if err != nil {
				t.Fatalf("ParseMoment(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ParseMoment(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestExtractMoment(t *testing.T) {
	tests := []struct {
		in, rest string
		want     time.Time
		code     campaign.Code
	}{
		{in: "called Jane at Initech, voicemail, next week", rest: "called Jane at Initech, voicemail", want: at("03-09 09:00")},
		{in: "move Jane to Monday", rest: "move Jane", want: at("03-09 09:00")},
		{in: "snooze #12 in 2 days", rest: "snooze #12", want: at("03-06 09:00")},
		{in: "move Jane at Initech to Friday 3pm", rest: "move Jane at Initech", want: at("03-06 15:00")},
		{in: "done with Jane, she signed", code: commands.CodeNoDate},
		{in: "move Jane to 2/30", code: commands.CodeImpossibleDate},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			m, rest, err := commands.ExtractMoment(tt.in, wed, parseOpts)
			if tt.code != "" {
				if code := campaign.ErrorCode(err); code != tt.code {
					t.Fatalf("ExtractMoment(%q) = %v, %q, %v; want code %q", tt.in, m.Due, rest, err, tt.code)
				}
				return
			}
			if err != nil {
				t.Fatalf("ExtractMoment(%q): %v", tt.in, err)
			}
			if !m.Due.Equal(tt.want) || rest != tt.rest {
				t.Errorf("ExtractMoment(%q) = %v, %q; want %v, %q", tt.in, m.Due, rest, tt.want, tt.rest)
			}
		})
	}
}

func TestFormatDue(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{at("03-10 09:00"), "Tue Mar 10, 9:00 AM"},
		{at("2027-01-05 09:00"), "Tue Jan 5 2027, 9:00 AM"},
		{at("03-05 15:30"), "Thu Mar 5, 3:30 PM"},
		{time.Date(2026, 3, 5, 20, 0, 0, 0, time.UTC), "Thu Mar 5, 3:00 PM"},
	}
	for _, tt := range tests {
		if got := commands.FormatDue(tt.t, wed, ny); got != tt.want {
			t.Errorf("FormatDue(%v) = %q, want %q", tt.t, got, tt.want)
		}
		back, err := commands.ParseMoment(tt.want, wed, parseOpts)
		if err != nil || !back.Due.Equal(tt.t) {
			t.Errorf("ParseMoment(%q) = %v, %v; want %v", tt.want, back.Due, err, tt.t)
		}
	}
}

func TestParseConcurrent(t *testing.T) {
	// Parse reuses pooled parsers; run with -race to prove they are never shared, and compare
	// every concurrent result with the sequential one to prove no state leaks between calls.
	type result struct {
		d   commands.Draft
		err string
	}
	parse := func(in string) result {
		d, err := commands.Parse(in, wed, parseOpts)
		if err != nil {
			return result{err: err.Error()}
		}
		return result{d: d}
	}
	want := make([]result, len(parseTests))
	for i, tt := range parseTests {
		want[i] = parse(tt.in)
	}
	errs := make(chan error, 4)
	for w := range 4 {
		go func() {
			for i := range parseTests {
				i = (i + w*37) % len(parseTests) // each worker in its own order
				if diff := cmp.Diff(want[i], parse(parseTests[i].in), cmp.AllowUnexported(result{})); diff != "" {
					errs <- fmt.Errorf("concurrent Parse(%q) differs (-sequential +concurrent):\n%s", parseTests[i].in, diff)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func ExampleParse() {
	ny, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 3, 4, 9, 30, 0, 0, ny) // a Wednesday
	opts := commands.ParseOptions{Location: ny, KnownCompanies: []string{"Acme"}}
	for _, msg := range []string{
		"follow up Jane Smith at Acme next Tuesday",        // verb, person "at" company, weekday
		"call Raj @ Globex tomorrow 3pm PT hot",            // channel verb, zone, temperature
		"email Maria (Initech) on 4/1 re contract renewal", // US month/day, note after "re"
		"ping Dr. Okafor-Reyes from Umbrella next Friday",  // ambiguous: offers this Friday too
		"text J. Doe at Hooli in 3 business days — 🔥",      // working days, note after a dash
		"follow up the VP of Ops at Acme tomorrow",         // refused: a role, not a person
		"follow up Acme next week",                         // refused: a company
		"follow up Jane at Acme last Friday",               // refused: in the past
	} {
		d, err := commands.Parse(msg, now, opts)
		if err != nil {
			fmt.Printf("%s: %v\n", campaign.ErrorCode(err), err)
			continue
		}
		fmt.Printf("%s | %s | %s", d.Person, d.Company, commands.FormatDue(d.Due, now, ny))
		for _, a := range d.Alternatives {
			fmt.Printf(" (or %s)", commands.FormatDue(a, now, ny))
		}
		fmt.Printf(" | %q %q %q\n", d.Channel, d.Temperature, d.Note)
	}
	// Output:
	// Jane Smith | Acme | Tue Mar 10, 9:00 AM | "" "" ""
	// Raj | Globex | Thu Mar 5, 6:00 PM | "call" "hot" ""
	// Maria | Initech | Wed Apr 1, 9:00 AM | "email" "" "contract renewal"
	// Dr. Okafor-Reyes | Umbrella | Fri Mar 13, 9:00 AM (or Fri Mar 6, 9:00 AM) | "" "" ""
	// J. Doe | Hooli | Mon Mar 9, 9:00 AM | "text" "hot" ""
	// no_person: "the VP" isn't a named person — campaigns court one individual, like "Jane Smith at Acme".
	// company_as_person: "Acme" is a company — name the person there, like "Jane Smith at Acme".
	// past_date: That date is in the past — try "next Friday" or "3/20".
}

func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := commands.Parse(in, wed, parseOpts)
		if err != nil {
			if campaign.ErrorCode(err) == "" {
				t.Fatalf("Parse(%q): internal error %v", in, err)
			}
			return // refusing is fine; panicking is not
		}
		if !d.Due.After(wed) {
			t.Fatalf("Parse(%q).Due = %v, not after now", in, d.Due)
		}
		for _, a := range d.Alternatives {
			if !a.After(wed) {
				t.Fatalf("Parse(%q) alternative %v is not after now", in, a)
			}
		}
		shown := commands.FormatDue(d.Due, wed, ny)
		back, err := commands.ParseMoment(shown, wed, parseOpts)
		if err != nil || !back.Due.Equal(d.Due) {
			t.Fatalf("round trip %q → %v → %q → %v, %v", in, d.Due, shown, back.Due, err)
		}
	})
}

// benchPhrases are the table's valid messages.
func benchPhrases() []string {
	var out []string
	for _, tt := range parseTests {
		if tt.code == "" {
			out = append(out, tt.in)
		}
	}
	return out
}

// BenchmarkParse reports the cost of one message, averaged over the table's valid phrases.
func BenchmarkParse(b *testing.B) {
	phrases := benchPhrases()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, _ = commands.Parse(phrases[i%len(phrases)], wed, parseOpts)
		i++
	}
}

// BenchmarkWhenStock is stock when (en + common rules) on the same phrases, for comparison.
func BenchmarkWhenStock(b *testing.B) {
	w := when.New(nil)
	w.Add(en.All...)
	w.Add(common.All...)
	phrases := benchPhrases()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, _ = w.Parse(phrases[i%len(phrases)], wed)
		i++
	}
}

// BenchmarkParse8KB is a pasted wall of text: refused before any parsing.
func BenchmarkParse8KB(b *testing.B) {
	in := strings.Repeat("follow up Jane at Acme tomorrow 3pm ", 8192/36+1)[:8192]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := commands.Parse(in, wed, parseOpts); campaign.ErrorCode(err) != commands.CodeTooLong {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse1000 is the worst valid message: 1000 characters with the date at the very end.
func BenchmarkParse1000(b *testing.B) {
	in := "follow up Jane at Acme re " + strings.Repeat("the renewal and the 10-15 resumes ", 30)
	in = in[:1000-len(" next Friday 3pm")] + " next Friday 3pm"
	if _, err := commands.Parse(in, wed, parseOpts); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_, _ = commands.Parse(in, wed, parseOpts)
	}
}
