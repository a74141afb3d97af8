package commands_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"campaignbot/campaign"
	"campaignbot/commands"
	"campaignbot/storage"
	"campaignbot/storage/storagetest"
)

// CSV tests run against a private real Redis, like the handler's; the clock is wed (Wed
// 2026-03-04 09:30 in New York), so "3/10/2026" is next Tuesday and "3/1/2026" is past.

var escapeTests = []struct{ in, want string }{
	{"Jane Smith", "Jane Smith"},
	{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
	{"+1 555 0100", "'+1 555 0100"},
	{"-5", "'-5"},
	{"@SUM(A1)", "'@SUM(A1)"},
	{"\t=1", "'\t=1"},
	{"\r=1", "'\r=1"},
	{"'=1", "''=1"}, // already quoted by someone: one more, so the import gives back "'=1"
	{"'quoted'", "'quoted'"},
	{"O'Neil", "O'Neil"},
	{"", ""},
	{"a=b", "a=b"},
}

func TestCSVEscapeCell(t *testing.T) {
	t.Parallel()
	for _, tt := range escapeTests {
		if got := commands.EscapeCell(tt.in); got != tt.want {
			t.Errorf("EscapeCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if back := commands.UnescapeCell(commands.EscapeCell(tt.in)); back != tt.in {
			t.Errorf("UnescapeCell(EscapeCell(%q)) = %q", tt.in, back)
		}
	}
}

func FuzzCSVEscapeCell(f *testing.F) {
	for _, tt := range escapeTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := commands.EscapeCell(s)
		if e != "" && strings.IndexByte("=+-@\t\r", e[0]) >= 0 {
			t.Fatalf("EscapeCell(%q) = %q starts a formula", s, e)
		}
		if back := commands.UnescapeCell(e); back != s {
			t.Fatalf("round trip %q → %q → %q", s, e, back)
		}
	})
}

var notesTests = [][]campaign.Note{
	nil,
	{{At: wed.UTC(), Author: "U1", Text: "met at the fair"}},
	{
		{At: wed.UTC(), Author: "U1", Text: "line one\nline two\n  indented\n"},
		{At: wed.Add(90 * time.Millisecond).UTC(), Author: "", Text: "2026-03-04T14:30:00Z U2: looks like a note head"},
		{At: wed.Add(time.Hour).UTC(), Author: "W2", Text: ""},
	},
}

func TestCSVNotesRoundTrip(t *testing.T) {
	t.Parallel()
	for _, notes := range notesTests {
		s := commands.FormatNotes(notes)
		got, ok := commands.ParseNotes(s)
		if !ok {
			t.Fatalf("ParseNotes(%q) refused what FormatNotes wrote", s)
		}
		if diff := cmp.Diff(notes, got); diff != "" {
			t.Errorf("ParseNotes(FormatNotes) (-want +got):\n%s", diff)
		}
	}
	if _, ok := commands.ParseNotes("called, left a voicemail"); ok {
		t.Errorf("ParseNotes accepted a plain note")
	}
}

func FuzzCSVNotes(f *testing.F) {
	f.Add("U1", "hello\nworld", "W2", " two ")
	f.Fuzz(func(t *testing.T, a1, t1, a2, t2 string) {
		if strings.ContainsAny(a1+a2, " \t\n\r\v\f\u0085\u00a0:") || strings.ContainsFunc(a1+a2, func(r rune) bool { return r > 127 }) {
			return // authors are Slack IDs
		}
		notes := []campaign.Note{{At: wed.UTC(), Author: a1, Text: t1}, {At: wed.Add(time.Second).UTC(), Author: a2, Text: t2}}
		got, ok := commands.ParseNotes(commands.FormatNotes(notes))
		if !ok || !cmp.Equal(notes, got) {
			t.Fatalf("round trip of %q: ok=%v got %q", notes, ok, got)
		}
	})
}

// csvRig is a store on a private Redis with the clock at wed, and a raw client to compare
// snapshots.
type csvRig struct {
	store *storage.Store
	rdb   *redis.Client
}

func newCSVRig(tb testing.TB) csvRig {
	tb.Helper()
	rdb := storagetest.NewClient(tb)
	s := storage.New(rdb)
	s.Now = func() time.Time { return wed }
	return csvRig{store: s, rdb: rdb}
}

func (r csvRig) plan(tb testing.TB, file string, opts commands.ImportOptions) *commands.ImportPlan {
	tb.Helper()
	p, err := commands.PlanImport(tb.Context(), r.store, strings.NewReader(file), opts)
	if err != nil {
		tb.Fatalf("PlanImport: %v", err)
	}
	return p
}

func importOpts() commands.ImportOptions {
	return commands.ImportOptions{Team: team, Owner: rep, Now: wed, Location: ny}
}

// rowSummary is the part of a report row the table pins.
type rowSummary struct {
	Line    int
	Outcome commands.Outcome
	Who     string
	SameAs  int
	ID      string
	Reason  string // a fragment of the reason
}

func summarize(rows []commands.ImportRow, reasons map[int]string) []rowSummary {
	var out []rowSummary
	for _, r := range rows {
		s := rowSummary{Line: r.Line, Outcome: r.Outcome, Who: r.Person + "|" + r.Company, SameAs: r.SameAs, ID: r.ID}
		if frag, ok := reasons[r.Line]; ok && strings.Contains(r.Reason, frag) {
			s.Reason = frag
		} else {
			s.Reason = r.Reason
		}
		out = append(out, s)
	}
	return out
}

func TestCSVPlanImport(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 1001)
	tests := []struct {
		name     string
		existing []string // logged in chat first, as U1
		file     string
		want     []rowSummary
	}{
		{
			name: "aliases, any order, extra columns",
			file: "Comments,Temp,Next Follow-Up,Account,Name,Source,Qualified?\n" +
				"met at fair,WARM,3/10/2026,Acme,Jane Smith,event,yes\n" +
				",,next friday 3pm,Globex,Raj Patel,,\n",
			want: []rowSummary{
				{Line: 2, Outcome: commands.Create, Who: "Jane Smith|Acme"},
				{Line: 3, Outcome: commands.Create, Who: "Raj Patel|Globex"},
			},
		},
		{
			name: "rejections with reasons",
			file: "person,company,due,temperature,qualified,notes\n" +
				"Jane Smith,Acme,3/1/2026,,,\n" + // 2
				",Acme,3/10/2026,,,\n" + // 3
				"Globex,Initech,3/10/2026,,,\n" + // 4: a company named in the file
				"HR,Acme,3/10/2026,,,\n" + // 5
				"Ann Lee,Acme,3/10/2026,lukewarm,,\n" + // 6
				"Bo Chen,Acme,3/10/2026,,maybe,\n" + // 7
				"Cy Dunn,Acme,3/10/2026,,,\"" + long + "\"\n" + // 8
				"Di Eng,Acme,soonish,,,\n" + // 9
				"Ed Fox,Acme,2/30/2026,,,\n" + // 10
				"Flo Gil,,3/10/2026,,yes,\n" + // 11
				"<@U2>,Acme,3/10/2026,,,\n" + // 12
				"Gus Ho,Globex,3/10/2029,,,\n" + // 13
				"Hal Ivy,Acme,,,,\n", // 14
			want: []rowSummary{
				{Line: 2, Outcome: commands.Reject, Who: "Jane Smith|Acme", Reason: "in the past"},
				{Line: 3, Outcome: commands.Reject, Who: "|Acme", Reason: "has no person"},
				{Line: 4, Outcome: commands.Reject, Who: "Globex|Initech", Reason: "is a company, not a person"},
				{Line: 5, Outcome: commands.Reject, Who: "HR|Acme", Reason: "isn't a named person"},
				{Line: 6, Outcome: commands.Reject, Who: "Ann Lee|Acme", Reason: "isn't hot, warm or cold"},
				{Line: 7, Outcome: commands.Reject, Who: "Bo Chen|Acme", Reason: "write yes or no"},
				{Line: 8, Outcome: commands.Reject, Who: "|", Reason: "notes cell is 1001 characters long; the limit is 1000"},
				{Line: 9, Outcome: commands.Reject, Who: "Di Eng|Acme", Reason: "isn't a date"},
				{Line: 10, Outcome: commands.Reject, Who: "Ed Fox|Acme", Reason: "isn't on the calendar"},
				{Line: 11, Outcome: commands.Reject, Who: "Flo Gil|", Reason: "marked qualified but names no company"},
				{Line: 12, Outcome: commands.Reject, Who: "<@U2>|Acme", Reason: "Slack mention"},
				{Line: 13, Outcome: commands.Reject, Who: "Gus Ho|Globex", Reason: "more than two years out"},
				{Line: 14, Outcome: commands.Reject, Who: "Hal Ivy|Acme", Reason: "no follow-up date"},
			},
		},
		{
			name:     "duplicates of stored campaigns and of earlier rows",
			existing: []string{"follow up Jane Smith at Acme next Tuesday"},
			file: "person,company,due\n" +
				"jane SMITH,ACME Inc.,3/1/2019\n" + // a duplicate even with a past date
				"Raj Patel,Globex,3/10/2026\n" +
				"Raj  Patel,Globex LLC,3/11/2026\n" +
				"Raj Patel,Hooli,3/11/2026\n", // another company: another campaign
			want: []rowSummary{
				{Line: 2, Outcome: commands.Duplicate, Who: "jane SMITH|ACME Inc.", ID: "1"},
				{Line: 3, Outcome: commands.Create, Who: "Raj Patel|Globex"},
				{Line: 4, Outcome: commands.Duplicate, Who: "Raj  Patel|Globex LLC", SameAs: 3},
				{Line: 5, Outcome: commands.Create, Who: "Raj Patel|Hooli"},
			},
		},
		{
			name: "embedded newlines, ragged rows, blank rows, CRLF",
			file: "person,company,due,notes\r\n" +
				"Jane Smith,Acme,3/10/2026,\"first line\r\nsecond, with comma\r\n\"\"quoted\"\"\"\r\n" + // lines 2-4
				"Raj Patel,Globex,3/10/2026\r\n" + // 5: short row
				",,,\r\n" + // 6: blank, skipped
				"Ann Lee,Hooli,3/11/2026,note,extra,cells\r\n", // 7: long row
			want: []rowSummary{
				{Line: 2, Outcome: commands.Create, Who: "Jane Smith|Acme"},
				{Line: 5, Outcome: commands.Create, Who: "Raj Patel|Globex"},
				{Line: 7, Outcome: commands.Create, Who: "Ann Lee|Hooli"},
			},
		},
		{
			name: "bad UTF-8 names its line, BOM skipped",
			file: "\ufeffperson,company,due\n" +
				"Jane Smith,Acme,3/10/2026\n" +
				"Jos\xe9 Garc\xeda,Acme,3/10/2026\n", // Latin-1
			want: []rowSummary{
				{Line: 2, Outcome: commands.Create, Who: "Jane Smith|Acme"},
				{Line: 3, Outcome: commands.Reject, Who: "|", Reason: "isn't valid UTF-8 text"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newCSVRig(t)
			h := commands.New(r.store, ny, slog.New(slog.DiscardHandler))
			h.Now = func() time.Time { return wed }
			for _, text := range tt.existing {
				h.Handle(t.Context(), commands.Message{Team: team, User: rep, Channel: "D1", Text: text, Location: ny})
			}
			p := r.plan(t, tt.file, importOpts())
			reasons := map[int]string{}
			for _, w := range tt.want {
				reasons[w.Line] = w.Reason
			}
			got := summarize(p.Report.Rows, reasons)
			// A rejected row's person is only known once its cells are read.
			for i := range got {
				if i < len(tt.want) && tt.want[i].Who == "|" {
					got[i].Who = "|"
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCSVPlanImportValues pins what a created row becomes.
func TestCSVPlanImportValues(t *testing.T) {
	t.Parallel()
	r := newCSVRig(t)
	file := "person,company,next_followup,temperature,qualified,notes\n" +
		"Jane Smith,Acme,3/10/2026,hot,yes,'=called twice\n" +
		"Raj Patel,Globex,next friday 3pm,,no,\n" + // said on a Wednesday: the parser reads the 13th +
		"Ann Lee,Hooli,2026-03-04,,,\n" // today, after 9:00: the next whole hour, as in chat
	p := r.plan(t, file, importOpts())
	if err := p.Apply(t.Context(), r.store); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	cs, err := r.store.All(t.Context(), team, rep)
	if err != nil {
		t.Fatal(err)
	}
	want := []campaign.Campaign{
		{
			ID: "1", Team: team, Owner: rep, Person: "Jane Smith", Company: "Acme", Temperature: campaign.Hot,
			Status: campaign.Active, DueAt: time.Date(2026, 3, 10, 9, 0, 0, 0, ny).UTC(), CreatedAt: wed.UTC(), UpdatedAt: wed.UTC(),
		},
		{
			ID: "2", Team: team, Owner: rep, Person: "Raj Patel", Company: "Globex", Temperature: campaign.Cold,
			Status: campaign.Active, DueAt: time.Date(2026, 3, 13, 15, 0, 0, 0, ny).UTC(), TimeGiven: true, CreatedAt: wed.UTC(), UpdatedAt: wed.UTC(),
		},
		{
			ID: "3", Team: team, Owner: rep, Person: "Ann Lee", Company: "Hooli", Temperature: campaign.Cold,
			Status: campaign.Active, DueAt: time.Date(2026, 3, 4, 10, 0, 0, 0, ny).UTC(), CreatedAt: wed.UTC(), UpdatedAt: wed.UTC(),
		},
	}
	if diff := cmp.Diff(want, cs); diff != "" {
		t.Errorf("stored campaigns (-want +got):\n%s", diff)
	}
	notes, err := r.store.Notes(t.Context(), team, "1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]campaign.Note{{At: wed.UTC(), Author: rep, Text: "=called twice"}}, notes); diff != "" {
		t.Errorf("first note (-want +got):\n%s", diff)
	}
	q, err := r.store.Qualified(t.Context(), team)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := q["acme"]; !ok || len(q) != 1 {
		t.Errorf("qualified = %v, want only Acme", q)
	}
	if got := p.Report.Qualified; !cmp.Equal(got, []string{"Acme"}) {
		t.Errorf("report qualified = %q", got)
	}
}

func TestCSVPlanImportFileErrors(t *testing.T) {
	t.Parallel()
	r := newCSVRig(t)
	tests := []struct {
		name, file, want string
	}{
		{"empty", "", "The file is empty"},
		{"missing columns", "Name,Notes\nJane,x\n", "no company or next follow-up column"},
		{"column twice", "person,name,company,due\n", "Columns 1 and 2 both read as person"},
		{"unclosed quote", "person,company,due\nJane,Acme,3/10/2026\n\"Raj,Globex,3/10/2026\n", "Line 3 isn't valid CSV"},
		{"bare quote", "person,company,due\nJa\"ne,Acme,3/10/2026\n", "Line 2 isn't valid CSV"},
		{"UTF-16", "\xff\xfep\x00e\x00", "UTF-16"},
		{"no owner", "person,company,due\n", "no owner column"},
	}
	for _, tt := range tests {
		opts := importOpts()
		if tt.name == "no owner" {
			opts.Owner = ""
		}
		_, err := commands.PlanImport(t.Context(), r.store, strings.NewReader(tt.file), opts)
		if campaign.ErrorCode(err) != campaign.Invalid || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: PlanImport error = %v, want an Invalid error containing %q", tt.name, err, tt.want)
		}
	}
}

// snapshot returns every key's DUMP, so two are equal only if nothing changed.
func snapshot(tb testing.TB, rdb *redis.Client) map[string]string {
	tb.Helper()
	out := map[string]string{}
	for _, k := range rdb.Keys(tb.Context(), "*").Val() {
		out[k] = rdb.Dump(tb.Context(), k).Val()
	}
	return out
}

func TestCSVImportAllOrNothing(t *testing.T) {
	t.Parallel()
	r := newCSVRig(t)
	before := snapshot(t, r.rdb)
	file := "person,company,due,qualified\nJane Smith,Acme,3/10/2026,yes\nRaj Patel,Globex,3/1/2026,\n"
	p := r.plan(t, file, importOpts())
	if !p.Rejected() {
		t.Fatal("plan has no rejected row")
	}
	if err := p.Apply(t.Context(), r.store); campaign.ErrorCode(err) != campaign.Invalid {
		t.Errorf("Apply = %v, want an Invalid error", err)
	}
	if diff := cmp.Diff(before, snapshot(t, r.rdb)); diff != "" {
		t.Errorf("a rejected file changed Redis (-before +after):\n%s", diff)
	}
	var out bytes.Buffer
	if err := p.Report.Write(&out, ny); err != nil {
		t.Fatal(err)
	}
	want := "Rejected (1):\n" +
		"  line 3: Raj Patel at Globex — The follow-up date \"3/1/2026\" is in the past.\n" +
		"To create (1):\n" +
		"  line 2: Jane Smith at Acme, due Tue 2026-03-10 09:00 EDT, cold\n" +
		"Qualified companies (1): Acme\n" +
		"1 new campaign, 0 duplicates, 1 rejected. Nothing was written: fix the rejected rows and import the file again.\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}

func TestCSVImportIdempotent(t *testing.T) {
	t.Parallel()
	r := newCSVRig(t)
	file := "person,company,due,qualified,notes\nJane Smith,Acme,3/10/2026,yes,hello\nRaj Patel,Globex,next monday,,\n"
	if err := r.plan(t, file, importOpts()).Apply(t.Context(), r.store); err != nil {
		t.Fatalf("first import: %v", err)
	}
	before := snapshot(t, r.rdb)
	p := r.plan(t, file, importOpts())
	if n := p.Report.Count(commands.Duplicate); n != 2 {
		t.Errorf("second plan has %d duplicates, want 2", n)
	}
	if err := p.Apply(t.Context(), r.store); err != nil {
		t.Fatalf("second import: %v", err)
	}
	if diff := cmp.Diff(before, snapshot(t, r.rdb)); diff != "" {
		t.Errorf("second import changed Redis (-before +after):\n%s", diff)
	}
}

// TestCSVImportRace plans, lets a rep log one of the file's people in chat, then applies: the
// store's check inside the write refuses the whole file.
func TestCSVImportRace(t *testing.T) {
	t.Parallel()
	r := newCSVRig(t)
	p := r.plan(t, "person,company,due\nJane Smith,Acme,3/10/2026\nRaj Patel,Globex,3/10/2026\n", importOpts())
	if _, err := r.store.Create(t.Context(), campaign.Campaign{Team: team, Owner: rep, Person: "Raj Patel", Company: "Globex", DueAt: wed.Add(time.Hour)}, nil); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, r.rdb)
	err := p.Apply(t.Context(), r.store)
	if campaign.ErrorCode(err) != campaign.Invalid || !strings.Contains(err.Error(), "#1") {
		t.Errorf("Apply = %v, want an Invalid error naming #1", err)
	}
	if diff := cmp.Diff(before, snapshot(t, r.rdb)); diff != "" {
		t.Errorf("refused import changed Redis (-before +after):\n%s", diff)
	}
}

// TestCSVRoundTrip exports a workspace worked in chat (open, overdue, closed, companyless, notes
// with line breaks and formula characters, a qualification), imports it into an empty one and
// exports again: everything but IDs is the same.
func TestCSVRoundTrip(t *testing.T) {
	t.Parallel()
	r := newCSVRig(t)
	h := commands.New(r.store, ny, slog.New(slog.DiscardHandler))
	now := wed.Add(-7 * 24 * time.Hour)
	h.Now = func() time.Time { return now }
	say := func(user, text string) {
		t.Helper()
		if reply := h.Handle(t.Context(), commands.Message{Team: team, User: user, Channel: "D1", Text: text, Location: ny}); reply.Text == "" {
			t.Fatalf("%q got no reply", text)
		}
	}
	say("U1", "follow up Jane Smith at Acme next Tuesday 3pm hot re =HYPERLINK(\"http://evil\")")
	say("U1", "call Raj Patel at Globex tomorrow")
	say("U1", "qualify Acme: uses Robert Half")
	say("U1", "follow up Ann Lee next Friday")
	say("U2", "email Bo Chen at Hooli in 2 weeks warm")
	say("U2", "follow up Cy Dunn at Initech tomorrow")
	say("U2", "close Cy won")
	if err := r.store.AddNote(t.Context(), team, "1", campaign.Note{At: now.Add(time.Minute), Author: "U1", Text: "line one\n-line two\n\n@three"}); err != nil {
		t.Fatal(err)
	}
	now = wed // Raj (due last Thursday) is overdue now

	var first bytes.Buffer
	n, err := commands.Export(t.Context(), &first, r.store, team, "")
	if err != nil || n != 5 {
		t.Fatalf("Export = %d, %v; want 5 campaigns", n, err)
	}
	if strings.Contains(first.String(), ",=") || strings.Contains(first.String(), "\n-") || strings.Contains(first.String(), "\n@") {
		t.Errorf("export has an unescaped formula cell:\n%s", first.String())
	}

	const team2 = "T2"
	opts := commands.ImportOptions{Team: team2, Now: wed, Location: ny} // owners from the file
	p, err := commands.PlanImport(t.Context(), r.store, bytes.NewReader(first.Bytes()), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Apply(t.Context(), r.store); err != nil {
		var rep bytes.Buffer
		_ = p.Report.Write(&rep, ny)
		t.Fatalf("Apply: %v\n%s", err, rep.String())
	}
	var second bytes.Buffer
	if _, err := commands.Export(t.Context(), &second, r.store, team2, ""); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(withoutIDs(t, first.Bytes()), withoutIDs(t, second.Bytes())); diff != "" {
		t.Errorf("export → import → export differs (-first +second):\n%s", diff)
	}

	// Importing the export again changes nothing: open and closed rows are all duplicates.
	before := snapshot(t, r.rdb)
	p, err = commands.PlanImport(t.Context(), r.store, bytes.NewReader(first.Bytes()), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Report.Count(commands.Duplicate); got != 5 {
		t.Errorf("re-import: %d duplicates, want 5", got)
	}
	if err := p.Apply(t.Context(), r.store); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, snapshot(t, r.rdb)); diff != "" {
		t.Errorf("re-import changed Redis (-before +after):\n%s", diff)
	}
}

// withoutIDs parses an export and blanks its id column.
func withoutIDs(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v", err)
	}
	for _, r := range rows[1:] {
		r[0] = ""
	}
	return rows
}

// bigFile returns a CSV of n distinct valid rows, with a header, due over the next 60 days.
func bigFile(n int) string {
	r := rand.New(rand.NewPCG(1, 2))
	first := strings.Fields("James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara " +
		"Priya Wei Olumide Sofía José Anh Fatima Raj Mohammed Aiko Anne-Marie")
	last := strings.Fields("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez O'Connor Nguyen Lee")
	companies := strings.Fields("Acme Globex Initech Umbrella Stark Wayne Wonka Hooli Vandelay Cyberdyne Soylent Tyrell")
	temps := []string{"hot", "warm", "cold", ""}
	var b strings.Builder
	b.WriteString("Person,Company,Next follow-up,Temperature,Qualified,Notes\n")
	seen := map[string]bool{}
	for len(seen) < n {
		who := first[r.IntN(len(first))] + " " + string(rune('A'+r.IntN(26))) + ". " + last[r.IntN(len(last))]
		co := companies[r.IntN(len(companies))] + " " + companies[r.IntN(len(companies))]
		if seen[who+co] {
			continue
		}
		seen[who+co] = true
		due := wed.AddDate(0, 0, 1+r.IntN(60))
		fmt.Fprintf(&b, "%s,%s,%d/%d/%d,%s,%s,\"met at the %d fair, said \"\"call me\"\"\"\n",
			who, co, due.Month(), due.Day(), due.Year(), temps[r.IntN(4)], []string{"yes", "no"}[r.IntN(2)], len(seen))
	}
	return b.String()
}

func TestCSVImport10kRows(t *testing.T) {
	t.Parallel()
	r := newCSVRig(t)
	file := bigFile(10_000)
	start := time.Now()
	p := r.plan(t, file, importOpts())
	planned := time.Since(start)
	if p.Rejected() {
		var out bytes.Buffer
		_ = p.Report.Write(&out, ny)
		t.Fatalf("rejected rows:\n%.2000s", out.String())
	}
	if err := p.Apply(t.Context(), r.store); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	t.Logf("10,000 rows: planned in %v, written in %v", planned, time.Since(start)-planned)
	cs, err := r.store.Open(t.Context(), team, rep)
	if err != nil || len(cs) != 10_000 {
		t.Fatalf("Open = %d campaigns, %v; want 10000", len(cs), err)
	}
	if err := r.plan(t, file, importOpts()).Apply(t.Context(), r.store); err != nil {
		t.Fatalf("second Apply: %v", err)
	}
	if cs, _ := r.store.Open(t.Context(), team, rep); len(cs) != 10_000 {
		t.Errorf("second import left %d campaigns, want 10000", len(cs))
	}
}

// BenchmarkCSVImport10k plans and writes a 10,000-row file per iteration, each into a new
// workspace so no row is a duplicate.
//
//	go test ./commands -run='^$' -bench=CSVImport10k -benchtime=3x
func BenchmarkCSVImport10k(b *testing.B) {
	r := newCSVRig(b)
	file := bigFile(10_000)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		opts := importOpts()
		opts.Team = fmt.Sprintf("T%d", i)
		p, err := commands.PlanImport(b.Context(), r.store, strings.NewReader(file), opts)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Apply(b.Context(), r.store); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(10_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}

func ExampleEscapeCell() {
	for _, cell := range []string{"=SUM(A1:A9)", "+1 555 0100", "Jane Smith", "'=already quoted"} {
		fmt.Printf("%-18q → %q\n", cell, commands.EscapeCell(cell))
	}
	// Output:
	// "=SUM(A1:A9)"      → "'=SUM(A1:A9)"
	// "+1 555 0100"      → "'+1 555 0100"
	// "Jane Smith"       → "Jane Smith"
	// "'=already quoted" → "''=already quoted"
}

// fakeExporter serves fixed campaigns, for checking Export's cells without Redis.
type fakeExporter struct {
	cs        []campaign.Campaign
	notes     map[string][]campaign.Note
	qualified map[string]campaign.Qualification
}

func (f fakeExporter) All(context.Context, string, string) ([]campaign.Campaign, error) {
	return f.cs, nil
}

func (f fakeExporter) NotesOf(_ context.Context, _ string, ids []string) ([][]campaign.Note, error) {
	out := make([][]campaign.Note, len(ids))
	for i, id := range ids {
		out[i] = f.notes[id]
	}
	return out, nil
}

func (f fakeExporter) Qualified(context.Context, string) (map[string]campaign.Qualification, error) {
	return f.qualified, nil
}

// TestCSVExportEscapes pins the exported cells of a campaign whose text a spreadsheet would run,
// and checks that the import reads the same text back.
func TestCSVExportEscapes(t *testing.T) {
	t.Parallel()
	c := campaign.Campaign{
		ID: "7", Team: team, Owner: "U1", Person: "-Jane Smith", Company: "=1+2", Temperature: campaign.Warm,
		Channel: campaign.Email, Status: campaign.Lost, DueAt: wed.Add(123 * time.Millisecond).UTC(),
		CreatedAt: wed.UTC(), UpdatedAt: wed.Add(time.Hour).UTC(),
	}
	src := fakeExporter{
		cs:        []campaign.Campaign{c},
		notes:     map[string][]campaign.Note{"7": {{At: wed.UTC(), Author: "U1", Text: "@here\n=cmd|' /C calc'!A0"}}},
		qualified: map[string]campaign.Qualification{"1 2": {Company: "=1+2", Evidence: "+uses Kelly"}},
	}
	var out bytes.Buffer
	if n, err := commands.Export(t.Context(), &out, src, team, ""); err != nil || n != 1 {
		t.Fatalf("Export = %d, %v", n, err)
	}
	want := "\ufeffid,owner,person,company,temperature,channel,status,due,time_given,created,updated,last_done,qualified,qualification_evidence,notes\n" +
		"7,U1,'-Jane Smith,'=1+2,warm,email,lost,2026-03-04T14:30:00.123Z,no,2026-03-04T14:30:00Z,2026-03-04T15:30:00Z,,yes,'+uses Kelly," +
		"\"2026-03-04T14:30:00Z U1: @here\n =cmd|' /C calc'!A0\"\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("export (-want +got):\n%s", diff)
	}

	r := newCSVRig(t)
	p := r.plan(t, out.String(), commands.ImportOptions{Team: team, Now: wed, Location: ny})
	if err := p.Apply(t.Context(), r.store); err != nil {
		var rep bytes.Buffer
		_ = p.Report.Write(&rep, ny)
		t.Fatalf("Apply: %v\n%s", err, rep.String())
	}
	got, err := r.store.All(t.Context(), team, "")
	if err != nil {
		t.Fatal(err)
	}
	c.ID = "1"
	if diff := cmp.Diff([]campaign.Campaign{c}, got); diff != "" {
		t.Errorf("re-imported (-want +got):\n%s", diff)
	}
	notes, err := r.store.Notes(t.Context(), team, "1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(src.notes["7"], notes); diff != "" {
		t.Errorf("re-imported notes (-want +got):\n%s", diff)
	}
	q, err := r.store.Qualified(t.Context(), team)
	if err != nil {
		t.Fatal(err)
	}
	if got := q["1 2"]; got.Evidence != "+uses Kelly" || got.Company != "=1+2" {
		t.Errorf("re-imported qualification = %+v", got)
	}
}

// TestCSVImportRefusesOwnerMarkup: owners are shown as <@owner> mentions, so an owner cell that is
// not an ID (here one that would ping the channel) rejects its row.
func TestCSVImportRefusesOwnerMarkup(t *testing.T) {
	t.Parallel()
	r := newCSVRig(t)
	opts := importOpts()
	opts.Owner = "" // owners from the file
	file := "owner,person,company,next follow-up\nU1>|<!channel,Jane Smith,Acme,3/10/2026\nU2,Raj,Globex,3/10/2026\nme,Ann,Initech,3/10/2026\n"
	p, err := commands.PlanImport(t.Context(), r.store, strings.NewReader(file), opts)
	if err != nil {
		t.Fatal(err)
	}
	var rejected []int
	for _, row := range p.Report.Rows {
		if row.Outcome == commands.Reject {
			rejected = append(rejected, row.Line)
			if !strings.Contains(row.Reason, "isn't a Slack user ID") {
				t.Errorf("line %d reason = %q", row.Line, row.Reason)
			}
		}
	}
	if len(rejected) != 1 || rejected[0] != 2 {
		t.Errorf("rejected lines = %v, want [2]", rejected)
	}
}
