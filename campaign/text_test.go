package campaign_test

import (
	"testing"

	"campaignbot/campaign"
)

func TestCompanyKey(t *testing.T) {
	same := [][]string{
		{"Acme", "ACME", "Acme Inc.", "Acme, Inc", "acme llc", "  Acme   Corp ", "Acme Corporation"},
		{"Globex Co", "globex"},
		{"Johnson & Johnson", "Johnson  &  Johnson, Inc."},
	}
	for _, group := range same {
		for _, name := range group[1:] {
			if a, b := campaign.CompanyKey(group[0]), campaign.CompanyKey(name); a != b {
				t.Errorf("CompanyKey(%q) = %q, CompanyKey(%q) = %q; want equal", group[0], a, name, b)
			}
		}
	}
	if campaign.CompanyKey("Acme") == campaign.CompanyKey("Acme Labs") {
		t.Error("Acme and Acme Labs must differ")
	}
	if got := campaign.CompanyKey("Inc"); got != "inc" {
		t.Errorf("a lone suffix is kept as the name: got %q", got)
	}
}

func TestPersonKey(t *testing.T) {
	tests := map[string]string{
		"Jane Smith":        "jane smith",
		"  jane   SMITH ":   "jane smith",
		"Anne-Marie O'Neil": "annemarie oneil",
		"J. Doe":            "j doe",
		"José Núñez":        "josé núñez",
	}
	for in, want := range tests {
		if got := campaign.PersonKey(in); got != want {
			t.Errorf("PersonKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEscape(t *testing.T) {
	in := `<!channel> & <@U123> <http://evil|click>`
	want := `&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;http://evil|click&gt;`
	if got := campaign.Escape(in); got != want {
		t.Errorf("Escape = %q, want %q", got, want)
	}
}
