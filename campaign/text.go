package campaign

import (
	"strings"
	"unicode"
)

var chatEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Escape makes user text inert in a chat message: Slack reads &, < and > as control characters,
// so an unescaped "<!channel>" in a note would ping everyone.
func Escape(s string) string { return chatEscaper.Replace(s) }

// companySuffixes are legal-form words that do not distinguish one company from another, so
// "Acme", "ACME Inc." and "Acme, LLC" name the same account.
var companySuffixes = map[string]bool{
	"inc": true, "incorporated": true, "llc": true, "llp": true, "ltd": true, "limited": true,
	"corp": true, "corporation": true, "co": true, "company": true, "plc": true, "gmbh": true,
	"sa": true, "ag": true, "lp": true, "pc": true,
}

// CompanyKey is the identity of a company name: case, punctuation, spacing and trailing legal
// suffixes are ignored. Two campaigns whose companies share a key are at the same account.
func CompanyKey(name string) string {
	words := keyWords(name)
	for len(words) > 1 && companySuffixes[words[len(words)-1]] {
		words = words[:len(words)-1]
	}
	return strings.Join(words, " ")
}

// PersonKey is the identity of a person's name: case, punctuation and spacing are ignored.
func PersonKey(name string) string { return strings.Join(keyWords(name), " ") }

// keyWords lower-cases s and splits it into runs of letters and digits; apostrophes and hyphens
// inside a word are dropped so "O'Neil" and "ONeil" match.
func keyWords(s string) []string {
	var words []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			words = append(words, b.String())
			b.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '’' || r == '-' || r == '.':
			// joiners inside names: keep the word together
		default:
			flush()
		}
	}
	flush()
	return words
}
