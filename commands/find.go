package commands

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"campaignbot/campaign"
)

// choice is returned instead of guessing when a name matches several campaigns: its reply asks
// the rep to pick one. Handle shows it like any reply.
type choice struct{ reply Reply }

func (c *choice) Error() string { return "ambiguous campaign" }

var refPattern = regexp.MustCompile(`^#([0-9a-zA-Z]{1,13})\b`)

// splitRef reads a leading "#4f2" off text.
func splitRef(text string) (id, rest string, ok bool) {
	m := refPattern.FindStringSubmatch(text)
	if m == nil {
		return "", text, false
	}
	return strings.ToLower(m[1]), strings.TrimSpace(text[len(m[0]):]), true
}

// companySplit separates "Jane at Acme", "Jane @ Acme" and "Jane from Acme".
var companySplit = regexp.MustCompile(`(?i)\s+(?:at|@|from)\s+`)

// resolve finds the rep's open campaign named by target: "#4f2", "Jane", "Jane Smith", "Jane at
// Acme" (a "#id" may also name a closed one). redo rebuilds the whole command with a "#id" in
// place of the name, for the buttons of a numbered choice when the name is ambiguous.
func (h *Handler) resolve(ctx context.Context, r request, target string, redo func(ref string) string) (campaign.Campaign, error) {
	return h.resolveIn(ctx, r, target, redo, "an open campaign", func() ([]campaign.Campaign, error) {
		return h.store.Open(ctx, r.Team, r.User)
	})
}

// resolveIn is resolve over the campaigns pool returns; what names them in a "not found" reply
// ("an open campaign", "a campaign").
func (h *Handler) resolveIn(ctx context.Context, r request, target string, redo func(ref string) string,
	what string, pool func() ([]campaign.Campaign, error),
) (campaign.Campaign, error) {
	target = strings.TrimSpace(strings.Trim(target, ",.:;"))
	if id, _, ok := splitRef(target); ok {
		return h.own(ctx, r, id)
	}
	if target == "" {
		return campaign.Campaign{}, campaign.Errorf(campaign.Invalid, "Say which campaign, by name or number — for example \"done Jane, next Friday\" or \"done #4, next Friday\".")
	}
	person, company := target, ""
	if loc := companySplit.FindStringIndex(target); loc != nil {
		person, company = target[:loc[0]], target[loc[1]:]
	}
	candidates, err := pool()
	if err != nil {
		return campaign.Campaign{}, fmt.Errorf("list campaigns of %s: %w", r.User, err)
	}
	matches := matchPerson(candidates, person, company)
	switch len(matches) {
	case 0:
		return campaign.Campaign{}, campaign.Errorf(campaign.NotFound, "I don't have %s for %s. Type \"list\" to see yours, or \"find %s\" to search.", what, campaign.Escape(target), campaign.Escape(firstWord(person)))
	case 1:
		return matches[0], nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "You have %d open campaigns for %s — which one?", len(matches), campaign.Escape(target))
	reply := Reply{}
	for i, c := range matches {
		fmt.Fprintf(&b, "\n%d. %s %s", i+1, Ref(c.ID), who(c))
		reply.Actions = append(reply.Actions, Action{Label: fmt.Sprintf("%d. %s", i+1, labelWho(c)), Command: redo(Ref(c.ID))})
	}
	reply.Text = b.String()
	return campaign.Campaign{}, &choice{reply}
}

// own loads a campaign by ID and checks that it belongs to the rep asking.
func (h *Handler) own(ctx context.Context, r request, id string) (campaign.Campaign, error) {
	c, err := h.store.Get(ctx, r.Team, id)
	if campaign.ErrorCode(err) == campaign.NotFound {
		return c, campaign.Errorf(campaign.NotFound, "I don't have a campaign %s. Type \"list\" to see yours.", Ref(campaign.Escape(id)))
	}
	if err != nil {
		return c, fmt.Errorf("load campaign %s: %w", id, err)
	}
	if c.Owner != r.User {
		// A button or typed #ref naming another rep's campaign: worth an operator's attention.
		h.log.WarnContext(ctx, "action refused", "user", r.User, "team", r.Team, "channel", r.Channel, "campaign_id", c.ID)
		return campaign.Campaign{}, campaign.Errorf(campaign.Forbidden, "Campaign %s isn't one of yours, so I can't show or change it.", Ref(c.ID))
	}
	return c, nil
}

// matchPerson finds campaigns whose person contains the query's words in order ("Jane",
// "Smith", "Jane Smith"), optionally at a company. An exact full-name match wins over whole-word
// ones, so "Jane Smith" is not ambiguous with "Jane Smithers"; only when neither exists do the
// query's words match as word beginnings ("Anne" finds "Anne-Marie", whose key is "annemarie").
func matchPerson(open []campaign.Campaign, person, company string) []campaign.Campaign {
	pk, ck := campaign.PersonKey(person), campaign.CompanyKey(company)
	if pk == "" {
		return nil
	}
	var exact, partial, prefix []campaign.Campaign
	for _, c := range open {
		if ck != "" && campaign.CompanyKey(c.Company) != ck {
			continue
		}
		k := campaign.PersonKey(c.Person)
		switch {
		case k == pk:
			exact = append(exact, c)
		case strings.Contains(" "+k+" ", " "+pk+" "):
			partial = append(partial, c)
		case wordPrefixes(k, pk):
			prefix = append(prefix, c)
		}
	}
	switch {
	case len(exact) > 0:
		return exact
	case len(partial) > 0:
		return partial
	}
	return prefix
}

// wordPrefixes reports whether the words of query begin consecutive words of name, in order.
func wordPrefixes(name, query string) bool {
	nw, qw := strings.Fields(name), strings.Fields(query)
	for i := 0; i+len(qw) <= len(nw); i++ {
		ok := true
		for j, q := range qw {
			if !strings.HasPrefix(nw[i+j], q) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func firstWord(s string) string {
	w, _, _ := strings.Cut(strings.TrimSpace(s), " ")
	return w
}

// who renders "*Jane Smith* at Acme" with user text escaped.
func who(c campaign.Campaign) string {
	if c.Company == "" {
		return "*" + campaign.Escape(c.Person) + "*"
	}
	return "*" + campaign.Escape(c.Person) + "* at " + campaign.Escape(c.Company)
}

// labelWho is who for a button label, which Slack shows as plain text.
func labelWho(c campaign.Campaign) string {
	if c.Company == "" {
		return c.Person
	}
	return c.Person + " (" + c.Company + ")"
}

// listLimit keeps a list reply readable and inside chat message limits.
const listLimit = 40

// list answers "list", "today", "overdue", "this week", "list Acme" and "find Jane".
func (h *Handler) list(ctx context.Context, r request, v, rest string) (Reply, error) {
	open, qualified, err := h.openAndQualified(ctx, r)
	if err != nil {
		return Reply{}, err
	}
	filter := strings.ToLower(rest)
	if v != "list" {
		filter = strings.TrimSpace(v + " " + filter)
	}
	today := campaign.DateOf(r.now, r.loc)
	var keep func(c campaign.Campaign) bool
	title := ""
	switch filter {
	case "", "all":
		title, keep = "Your open campaigns", func(campaign.Campaign) bool { return true }
	case "today":
		end := today.AddDays(1).At(0, 0, r.loc)
		title, keep = "Due today", func(c campaign.Campaign) bool { return c.DueAt.Before(end) }
	case "overdue":
		title, keep = "Overdue", func(c campaign.Campaign) bool { return c.DueAt.Before(r.now) }
	case "this week", "week":
		end := today.AddDays(7-(int(today.Weekday())+6)%7).At(0, 0, r.loc) // next Monday 00:00
		title, keep = "Due this week", func(c campaign.Campaign) bool { return c.DueAt.Before(end) }
	default:
		query := strings.TrimSpace(strings.TrimPrefix(filter, "find"))
		if v == "find" {
			title = "Campaigns for " + campaign.Escape(rest)
			found := matchPerson(open, query, "")
			keep = func(c campaign.Campaign) bool {
				return slices.ContainsFunc(found, func(f campaign.Campaign) bool { return f.ID == c.ID })
			}
		} else {
			title = "Campaigns at " + campaign.Escape(rest)
			ck := campaign.CompanyKey(query)
			keep = func(c campaign.Campaign) bool { return campaign.CompanyKey(c.Company) == ck }
		}
	}
	var lines []string
	for _, c := range open {
		if keep(c) {
			st := campaign.Judge(c, isQualified(qualified, c.Company), r.now, r.cal, h.grace)
			lines = append(lines, listLine(c, st, r.now, r.loc))
		}
	}
	if len(lines) == 0 {
		if len(open) == 0 {
			return Reply{Text: "You have no open campaigns yet. Log one like this: follow up Jane Smith at Acme next Tuesday"}, nil
		}
		return Reply{Text: title + ": nothing."}, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* (%d)", title, len(lines))
	for i, l := range lines {
		if i == listLimit {
			fmt.Fprintf(&b, "\n…and %d more. Narrow it with \"today\", \"overdue\", \"this week\" or \"list Acme\".", len(lines)-listLimit)
			break
		}
		b.WriteString("\n" + l)
	}
	return Reply{Text: b.String()}, nil
}

// openAndQualified loads what judging a rep's campaigns needs: their open campaigns and the
// workspace's qualified companies.
func (h *Handler) openAndQualified(ctx context.Context, r request) ([]campaign.Campaign, map[string]campaign.Qualification, error) {
	open, err := h.store.Open(ctx, r.Team, r.User)
	if err != nil {
		return nil, nil, fmt.Errorf("list campaigns of %s: %w", r.User, err)
	}
	qualified, err := h.store.Qualified(ctx, r.Team)
	if err != nil {
		return nil, nil, fmt.Errorf("load qualified companies: %w", err)
	}
	return open, qualified, nil
}

func isQualified(q map[string]campaign.Qualification, company string) bool {
	if company == "" {
		return false
	}
	_, ok := q[campaign.CompanyKey(company)]
	return ok
}

// listLine is one campaign in a list: "#4 *Jane Smith* at Acme — Tue Mar 10, 9:00 AM · hot · call".
func listLine(c campaign.Campaign, st campaign.Standing, now time.Time, loc *time.Location) string {
	parts := []string{FormatDue(c.DueAt, now, loc), string(c.Temperature)}
	if c.Channel != campaign.AnyChannel {
		parts = append(parts, string(c.Channel))
	}
	line := Ref(c.ID) + " " + who(c) + " — " + strings.Join(parts, " · ")
	switch {
	case st == campaign.Lapsed:
		line += " — _lapsed, not counting_"
	case c.DueAt.Before(now):
		line += " — _overdue_"
	}
	switch st {
	case campaign.NoCompany:
		line += " — _no company yet_"
	case campaign.Unqualified:
		line += " — _" + campaign.Escape(c.Company) + " not qualified_"
	}
	return line
}

// errorsIsChoice lets Handle show a numbered choice as an ordinary reply.
func errorsIsChoice(err error) (Reply, bool) {
	if c, ok := errors.AsType[*choice](err); ok {
		return c.reply, true
	}
	return Reply{}, false
}
