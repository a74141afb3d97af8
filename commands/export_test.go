package commands_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"campaignbot/commands"
)

// exportRows runs text as user, checks the reply carries a CSV file named name, and returns its
// data rows as person → owner, status, notes (the columns the tests look at).
func exportRows(t *testing.T, r *rig, user, text, name string) (commands.Reply, map[string][]string) {
	t.Helper()
	got := r.sayAs(user, text)
	if got.Refused || got.File == nil {
		t.Fatalf("%s %q: refused=%v file=%v: %s", user, text, got.Refused, got.File != nil, got.Text)
	}
	if got.File.Name != name {
		t.Errorf("file name = %q, want %q", got.File.Name, name)
	}
	body, ok := bytes.CutPrefix(got.File.Content, []byte("\ufeff"))
	if !ok {
		t.Errorf("file does not start with a UTF-8 byte order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("the export does not parse as CSV: %v", err)
	}
	if len(recs) == 0 {
		t.Fatal("the export is empty")
	}
	head := recs[0]
	col := func(name string) int {
		i := slices.Index(head, name)
		if i < 0 {
			t.Fatalf("header %q lacks %q", head, name)
		}
		return i
	}
	person, owner, status, notes := col("person"), col("owner"), col("status"), col("notes")
	rows := map[string][]string{}
	for _, rec := range recs[1:] {
		rows[rec[person]] = []string{rec[owner], rec[status], rec[notes]}
	}
	if len(rows) != len(recs)-1 {
		t.Errorf("%d rows but %d distinct people: %q", len(recs)-1, len(rows), recs)
	}
	return got, rows
}

func TestExportOwnCampaigns(t *testing.T) {
	t.Parallel()
	r := teamRig(t)
	r.sayAs("U1", "note Jane: asked for rates, \"=SUM(A1)\" in the sheet")
	if got := r.sayAs("U1", "close Raj lost"); got.Refused {
		t.Fatalf("close: %s", got.Text)
	}
	got, rows := exportRows(t, r, "U1", "export", "campaigns-2026-03-04.csv")
	if want := "Here are your 3 campaigns as CSV."; got.Text != want {
		t.Errorf("text = %q, want %q", got.Text, want)
	}
	if got.File.Title != "Campaigns 2026-03-04" || got.Private {
		t.Errorf("title = %q, private = %v; a rep's own export may go where they asked", got.File.Title, got.Private)
	}
	// Only U1's, open and closed; U2's Bob and Zed stay out.
	want := map[string][]string{"Jane Smith": {"U1", "active"}, "Raj": {"U1", "lost"}, "Ann": {"U1", "active"}}
	short := map[string][]string{}
	for p, row := range rows {
		short[p] = row[:2]
	}
	if diff := cmp.Diff(want, short); diff != "" {
		t.Errorf("export rows (-want +got):\n%s", diff)
	}
	if n := rows["Jane Smith"][2]; !strings.Contains(n, "asked for rates") {
		t.Errorf("Jane's notes cell = %q, want her note", n)
	}
}

func TestExportTeamForManagers(t *testing.T) {
	t.Parallel()
	r := teamRig(t)
	got, rows := exportRows(t, r, "M1", "export team", "team-campaigns-2026-03-04.csv")
	if want := "Here are the team's 5 campaigns as CSV."; got.Text != want {
		t.Errorf("text = %q, want %q", got.Text, want)
	}
	if !got.Private {
		t.Error("a team export holds every rep's notes: it must be delivered privately")
	}
	owners := map[string]string{}
	for p, row := range rows {
		owners[p] = row[0]
	}
	want := map[string]string{"Jane Smith": "U1", "Raj": "U1", "Ann": "U1", "Bob": "U2", "Zed": "U2"}
	if diff := cmp.Diff(want, owners); diff != "" {
		t.Errorf("team export owners (-want +got):\n%s", diff)
	}
	if !strings.Contains(r.logs.String(), "team exported") {
		t.Errorf("a team export is not logged:\n%s", r.logs)
	}
}

func TestExportRefusals(t *testing.T) {
	t.Parallel()
	r := teamRig(t)
	for _, tt := range []struct {
		name, user, text, want string
		refused                bool
	}{
		{"rep asks for the team", "U1", "export team", "for managers", true},
		{"unknown scope", "U1", "export Acme", `"export team"`, true},
		{"nothing logged yet", "U9", "export", "no campaigns to export", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := r.sayAs(tt.user, tt.text)
			if got.Refused != tt.refused || got.File != nil || !strings.Contains(got.Text, tt.want) {
				t.Errorf("%s %q = %+v, want refused=%v, no file, text with %q", tt.user, tt.text, got, tt.refused, tt.want)
			}
			if strings.Count(got.Text, ". ") > 0 {
				t.Errorf("reply %q is more than one sentence", got.Text)
			}
		})
	}
}

func TestHelpMentionsExport(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.expect("help", false, "export team")
}
