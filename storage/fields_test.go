package storage

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"campaignbot/campaign"
)

// FuzzCampaignFields round-trips campaigns through the hash encoding: whatever the names hold,
// chunking must give them back exactly and keep every value within the listpack limit.
func FuzzCampaignFields(f *testing.F) {
	f.Add("Jane Smith", "Acme", int64(1773068645000), true)
	f.Add(strings.Repeat("Ångström ", 11), strings.Repeat("北京", 50), int64(0), false)
	f.Add(strings.Repeat("x", 64), strings.Repeat("y", 65), int64(-1), true)
	f.Fuzz(func(t *testing.T, person, company string, ms int64, given bool) {
		if utf8.RuneCountInString(person) > maxNameRunes || utf8.RuneCountInString(company) > maxNameRunes {
			return // refused by validate
		}
		c := campaign.Campaign{
			ID: "4f2", Team: "T1", Owner: "U1", Person: person, Company: company,
			Status: campaign.Active, TimeGiven: given, DueAt: time.UnixMilli(ms).UTC(),
		}
		pairs := encodeCampaign(c)
		h := map[string]string{}
		for i := 0; i < len(pairs); i += 2 {
			if len(pairs[i+1]) > chunkSize {
				t.Fatalf("field %s holds %d bytes, more than %d", pairs[i], len(pairs[i+1]), chunkSize)
			}
			if _, dup := h[pairs[i]]; dup {
				t.Fatalf("field %s written twice", pairs[i])
			}
			h[pairs[i]] = pairs[i+1]
		}
		for f := range h {
			if !strings.Contains(" "+strings.Join(ownedFields, " ")+" ", " "+f+" ") {
				t.Fatalf("field %s is not in ownedFields, so Save would never delete it", f)
			}
		}
		if diff := cmp.Diff(c, decodeCampaign("T1", "4f2", h)); diff != "" {
			t.Errorf("round trip (-in +out):\n%s", diff)
		}
	})
}

// FuzzNotes round-trips concatenated notes, whatever separators their text holds.
func FuzzNotes(f *testing.F) {
	f.Add("U1", "called, left voicemail", "12:not a note,")
	f.Add("", "", "\x1f:,")
	f.Fuzz(func(t *testing.T, author, text1, text2 string) {
		if strings.Contains(author, noteSep) {
			return // Slack user IDs never contain it
		}
		in := []campaign.Note{
			{At: time.UnixMilli(1773068645000).UTC(), Author: author, Text: text1},
			{At: time.UnixMilli(1773068646000).UTC(), Author: author, Text: text2},
		}
		got, err := decodeNotes(encodeNote(in[0]) + encodeNote(in[1]))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(in, got); diff != "" {
			t.Errorf("round trip (-in +out):\n%s", diff)
		}
	})
}

func TestDecodeNotesMalformed(t *testing.T) {
	for _, s := range []string{"x", "5:abc,", "3:abc;", "-1:,", "3:abc"} {
		if _, err := decodeNotes(s); err == nil {
			t.Errorf("decodeNotes(%q) succeeded, want an error", s)
		}
	}
}

func TestNormID(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"4f2", "4f2", true},
		{"#4F2", "4f2", true},
		{" #z ", "z", true},
		{"", "", false},
		{"#", "", false},
		{"4f2:x", "4f2:x", false},
		{"{T1}", "{t1}", false},
		{"12345678901234", "12345678901234", false},
	} {
		got, ok := normID(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("normID(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
