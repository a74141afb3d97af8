package commands_test

import (
	"testing"

	"github.com/olebedev/when"
	"github.com/olebedev/when/rules/common"
	"github.com/olebedev/when/rules/en"

	"campaignbot/commands"
)

// realistic is a second set of messages written the way reps write in Slack, apart from the table:
// different names, companies and word orders. It measures how often the whole draft is right
// (person, company and due instant), next to how often stock when gets the date alone right. It
// began as a held-out set; the parser was then fixed for the general causes of its first misses
// (9 of 55), so it is no longer held out and the held-out figure must come from elsewhere.
// All are read on Wednesday 2026-03-04 09:30 in New York.
var realistic = []struct {
	in, person, company, due string // due "" means the message must be refused
}{
	{"f/u w/ Priya Raman @ Northwind thurs 2pm", "Priya Raman", "Northwind", "03-05 14:00"},
	{"call Marcus Lee at Contoso monday morning", "Marcus Lee", "Contoso", "03-09 09:00"},
	{"Email Sarah O'Connor (Fabrikam) re: SOW on 3/17", "Sarah O'Connor", "Fabrikam", "03-17 09:00"},
	{"ping Tomás Herrera from Wingtip next wed", "Tomás Herrera", "Wingtip", "03-11 09:00"},
	{"touch base with Li Wei at Tailspin in 10 days", "Li Wei", "Tailspin", "03-14 09:00"},
	{"follow up Kevin at Litware end of next week re MSA redlines", "Kevin", "Litware", "03-13 09:00"},
	{"circle back w/ Dana Brooks at Proseware after Easter", "Dana Brooks", "Proseware", "04-06 09:00"},
	{"call Ahmed Khan at Adatum 4/15 10:30am", "Ahmed Khan", "Adatum", "04-15 10:30"},
	{"text Rosa at Blue Yonder tmrw at 4", "Rosa", "Blue Yonder", "03-05 16:00"},
	{"LinkedIn msg to Grace Kim at Relecloud next month", "Grace Kim", "Relecloud", "04-01 09:00"},
	{"visit Frank Moretti at Coho Winery Friday 11am", "Frank Moretti", "Coho Winery", "03-06 11:00"},
	{"reach out to Aisha Bello at Woodgrove Bank in 3 weeks - budget unlocks in Q2", "Aisha Bello", "Woodgrove Bank", "03-25 09:00"},
	{"follow up Chen Jing @ Trey Research on the 20th", "Chen Jing", "Trey Research", "03-20 09:00"},
	{"call Bob Smith at Lucerne Publishing 3/9 at 9:15", "Bob Smith", "Lucerne Publishing", "03-09 09:15"},
	{"follow up Jane Doe at Humongous Insurance Tuesday after next", "Jane Doe", "Humongous Insurance", "03-17 09:00"},
	{"ping Olu Adeyemi, Margie's Travel, tomorrow afternoon", "Olu Adeyemi", "Margie's Travel", "03-05 14:00"},
	{"follow up with Hannah Schmidt at Fourth Coffee mid-May", "Hannah Schmidt", "Fourth Coffee", "05-15 09:00"},
	{"email Raj Patel at Alpine Ski House 3pm PT Thursday", "Raj Patel", "Alpine Ski House", "03-05 18:00"},
	{"call Ines Duarte at VanArsdel EOD", "Ines Duarte", "VanArsdel", "03-04 17:00"},
	{"follow up Mike at Datum Corp in 2 business days", "Mike", "Datum Corp", "03-06 09:00"},
	{"stop by Lucy Chen's office at Graphic Design Institute next Thu", "Lucy Chen", "Graphic Design Institute", "03-12 09:00"},
	{"check in with Paulo at Wide World Importers 2026-04-06", "Paulo", "Wide World Importers", "04-06 09:00"},
	{"follow up Jan Novak at Nod Publishers first thing Monday", "Jan Novak", "Nod Publishers", "03-09 08:00"},
	{"call May Lin at Southridge Video on May 12", "May Lin", "Southridge Video", "05-12 09:00"},
	{"follow up June Park @ Tailwind Traders in a couple weeks", "June Park", "Tailwind Traders", "03-18 09:00"},
	{"f/u Noah Noonan at Contoso next Tues 9am", "Noah Noonan", "Contoso", "03-10 09:00"},
	{"warm - call Emma Davis at Northwind Fri", "Emma Davis", "Northwind", "03-06 09:00"},
	{"🔥 call Luis Ortiz at Fabrikam tomorrow noon", "Luis Ortiz", "Fabrikam", "03-05 12:00"},
	{"follow up Sophie Martin at Contoso after Labor Day", "Sophie Martin", "Contoso", "09-08 09:00"},
	{"call Yuki Tanaka at Litware between 1 and 3 Friday", "Yuki Tanaka", "Litware", "03-06 13:00"},
	{"email Ben Carter at Adatum on April 2nd re renewal", "Ben Carter", "Adatum", "04-02 09:00"},
	{"follow up Zara Ahmed at Proseware next quarter", "Zara Ahmed", "Proseware", "04-01 09:00"},
	{"ping Leo at Relecloud in 45 minutes", "Leo", "Relecloud", "03-04 10:15"},
	{"follow up Maria Garcia at Tailspin Toys EOM", "Maria Garcia", "Tailspin Toys", "03-31 09:00"},
	{"text Omar at Wingtip Toys 8:30am tomorrow", "Omar", "Wingtip Toys", "03-05 08:30"},
	{"call Dr. Patel at Woodgrove next Monday at 10 - she's hot", "Dr. Patel", "Woodgrove", "03-09 10:00"},
	{"follow up Ana Lima at Blue Yonder Airlines 3/31", "Ana Lima", "Blue Yonder Airlines", "03-31 09:00"},
	{"follow up Erik Johansson @ Coho in 6 weeks", "Erik Johansson", "Coho", "04-15 09:00"},
	{"swing by Nina Petrova at Lamna Healthcare this Friday 3:30", "Nina Petrova", "Lamna Healthcare", "03-06 15:30"},
	{"follow up Carlos at Fabrikam Thursday next week about headcount", "Carlos", "Fabrikam", "03-12 09:00"},
	{"call Amy Wong from Trey Research at 11", "Amy Wong", "Trey Research", "03-04 11:00"},
	{"email Jean-Luc Picard at Starfleet on 5 April", "Jean-Luc Picard", "Starfleet", "04-05 09:00"},
	{"follow up Kim Lee at Contoso the week of Thanksgiving", "Kim Lee", "Contoso", "11-23 09:00"},
	{"ping Sam Rivera at Litware 10am ET tomorrow", "Sam Rivera", "Litware", "03-05 10:00"},
	{"follow up Fatima Zahra at Northwind in a fortnight re pilot", "Fatima Zahra", "Northwind", "03-18 09:00"},
	{"call Greg at Adatum tonight", "Greg", "Adatum", "03-04 19:00"},
	{"follow up Ivan Petrov at Proseware 04/20/2026", "Ivan Petrov", "Proseware", "04-20 09:00"},
	{"reach out to Chloe at Tailspin next Monday 2pm CT", "Chloe", "Tailspin", "03-09 15:00"},
	{"follow up Hiro at Litware the day after tomorrow at 9:30", "Hiro", "Litware", "03-06 09:30"},
	{"call Rachel Green at Central Perk Wed", "Rachel Green", "Central Perk", "03-11 09:00"},
	{"follow up Will at Fabrikam Monday 15:00", "Will", "Fabrikam", "03-09 15:00"},
	{"email Ada at Contoso Jan 12 2027", "Ada", "Contoso", "2027-01-12 09:00"},
	{"follow up Noor at Adatum start of Q3", "Noor", "Adatum", "07-01 09:00"},
	{"call Pete at Northwind Memorial Day", "Pete", "Northwind", "05-25 09:00"},
	{"follow up Lena Fischer at Litware in 3 months re budget", "Lena Fischer", "Litware", "06-04 09:00"},
	// Messages the parser must refuse.
	{"follow up the CFO at Contoso next week", "", "", ""},
	{"call HR at Northwind tomorrow", "", "", ""},
	{"follow up Contoso Inc tomorrow", "", "", ""},
	{"follow up Acme next Tuesday", "", "", ""},
	{"ping <@U024BE7LH> about Fabrikam tomorrow", "", "", ""},
	{"follow up <!channel> tomorrow", "", "", ""},
	{"follow up Raj at Litware last Tuesday", "", "", ""},
	{"call Raj at Litware 2/30", "", "", ""},
	{"call Raj at Litware tomorrow 25:00", "", "", ""},
	{"follow up Raj at Litware when budget frees up", "", "", ""},
	{"follow up Raj at Litware in 5 years", "", "", ""},
	{"follow up them next week", "", "", ""},
	{"call 212-555-0199 tomorrow", "", "", ""},
	{"follow up Raj at Litware 1/5/2024", "", "", ""},
	{"follow up the Northwind team Friday", "", "", ""},
	{"👀👀", "", "", ""},
}

func TestRealisticAccuracy(t *testing.T) {
	stock := when.New(nil)
	stock.Add(en.All...)
	stock.Add(common.All...)
	var valid, right, stockRight, invalid, refused int
	for _, h := range realistic {
		d, err := commands.Parse(h.in, wed, parseOpts)
		if h.due == "" {
			invalid++
			if err != nil {
				refused++
			} else {
				t.Logf("accepted a bad message %q as %+v", h.in, d)
			}
			continue
		}
		valid++
		want := at(h.due)
		if err == nil && d.Person == h.person && d.Company == h.company && d.Due.Equal(want) {
			right++
		} else {
			t.Logf("wrong: %q → %q %q %v, %v; want %q %q %v", h.in, d.Person, d.Company, d.Due, err, h.person, h.company, want)
		}
		// Stock when gets the date only: a matching day, and the hour when the message gave one
		// (it keeps now's clock otherwise).
		if r, err := stock.Parse(h.in, wed); err == nil && r != nil {
			got := r.Time.In(ny)
			sameDay := got.Year() == want.Year() && got.YearDay() == want.YearDay()
			if sameDay && (got.Hour() == want.Hour() && got.Minute() == want.Minute() || got.Hour() == 9 && got.Minute() == 30) {
				stockRight++
			}
		}
	}
	t.Logf("realistic messages: ours %d/%d valid fully right (%.0f%%), %d/%d bad refused; stock when %d/%d dates right (%.0f%%)",
		right, valid, 100*float64(right)/float64(valid), refused, invalid, stockRight, valid, 100*float64(stockRight)/float64(valid))
	if float64(right) < 0.95*float64(valid) || refused != invalid {
		t.Errorf("accuracy on realistic messages below target: %d/%d right, %d/%d refused", right, valid, refused, invalid)
	}
}
