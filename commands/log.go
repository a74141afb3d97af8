package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"campaignbot/campaign"
)

// logFollowUp reads a new follow-up ("call Raj at Globex tomorrow 3pm hot") and stores it, or
// updates the rep's existing campaign for the same person at the same company.
func (h *Handler) logFollowUp(ctx context.Context, r request) (Reply, error) {
	open, qualified, err := h.openAndQualified(ctx, r)
	if err != nil {
		return Reply{}, err
	}
	d, err := Parse(r.text, r.now, h.parseOptions(r, knownCompanies(open, qualified)))
	if err != nil {
		return Reply{}, err
	}
	note := &campaign.Note{At: r.now, Author: r.User, Text: r.text}

	// Adding a company to a campaign logged without one is the same campaign, not a new one.
	if existing, ok := companyless(open, d); ok {
		return h.updateFromDraft(ctx, r, existing, d, note, open, qualified)
	}
	// "Jane" beside "Jane Smith" at the same company is most likely the same person: a second
	// campaign would count one prospect twice, so ask instead of guessing either way.
	if same := samePersonMaybe(open, d); len(same) > 0 && !r.newPerson {
		return askSamePerson(r, d, same), nil
	}
	c := campaign.Campaign{
		Team: r.Team, Owner: r.User, Person: d.Person, Company: d.Company,
		Temperature: d.Temperature, Channel: d.Channel, Status: campaign.Active,
		DueAt: d.Due, TimeGiven: d.TimeGiven, CreatedAt: r.now, UpdatedAt: r.now,
	}
	if c.Temperature == "" {
		c.Temperature = campaign.Cold
	}
	saved, err := h.store.Create(ctx, c, note)
	if dup, ok := errors.AsType[*campaign.DuplicateError](err); ok {
		existing, err := h.own(ctx, r, dup.ID)
		if err != nil {
			return Reply{}, err
		}
		return h.updateFromDraft(ctx, r, existing, d, note, open, qualified)
	}
	if err != nil {
		return Reply{}, fmt.Errorf("create campaign: %w", err)
	}
	open = append(open, saved)
	text := fmt.Sprintf("Saved %s: %s%s — *%s* (%s).", Ref(saved.ID), channelPhrase(saved.Channel), who(saved),
		FormatDue(saved.DueAt, r.now, r.loc), saved.Temperature)
	return h.confirmation(r, saved, text, d.Alternatives, open, qualified), nil
}

// updateFromDraft applies a re-logged follow-up to the campaign it duplicates: the new date, and
// the temperature, channel and company when the rep gave them.
func (h *Handler) updateFromDraft(ctx context.Context, r request, c campaign.Campaign, d Draft, note *campaign.Note,
	open []campaign.Campaign, qualified map[string]campaign.Qualification,
) (Reply, error) {
	c.DueAt, c.TimeGiven, c.UpdatedAt = d.Due, d.TimeGiven, r.now
	if d.Temperature != "" {
		c.Temperature = d.Temperature
	}
	if d.Channel != campaign.AnyChannel {
		c.Channel = d.Channel
	}
	if c.Company == "" {
		c.Company = d.Company
	}
	if err := h.store.Save(ctx, c); err != nil {
		return Reply{}, fmt.Errorf("save campaign %s: %w", c.ID, err)
	}
	if err := h.store.AddNote(ctx, r.Team, c.ID, *note); err != nil {
		return Reply{}, fmt.Errorf("add note to %s: %w", c.ID, err)
	}
	for i := range open {
		if open[i].ID == c.ID {
			open[i] = c
		}
	}
	text := fmt.Sprintf("You already had %s (%s), so I updated it instead of adding a second one: %snext follow-up *%s* (%s).",
		who(c), Ref(c.ID), channelPhrase(c.Channel), FormatDue(c.DueAt, r.now, r.loc), c.Temperature)
	return h.confirmation(r, c, text, d.Alternatives, open, qualified), nil
}

// confirmation finishes a log reply: whether the campaign counts, the rep's new total, and
// buttons to fix the date, set the temperature or undo.
func (h *Handler) confirmation(r request, c campaign.Campaign, text string, alternatives []time.Time,
	open []campaign.Campaign, qualified map[string]campaign.Qualification,
) Reply {
	var b strings.Builder
	b.WriteString(text)
	switch {
	case c.Company == "":
		fmt.Fprintf(&b, "\nIt can't count until it names a company: log it again with one, e.g. \"follow up %s at Acme %s\".",
			campaign.Escape(c.Person), "next Tuesday")
	case !isQualified(qualified, c.Company):
		fmt.Fprintf(&b, "\n%s isn't qualified yet, so this doesn't count. If they already use staffing firms, type: qualify %s: uses Robert Half",
			campaign.Escape(c.Company), campaign.Escape(c.Company))
	}
	counting := countCounting(open, qualified, r, h.grace)
	fmt.Fprintf(&b, "\nCounting: %d of %d.", counting, campaign.Goal)

	reply := Reply{Text: b.String()}
	for _, alt := range alternatives {
		when := FormatDue(alt, r.now, r.loc)
		reply.Actions = append(reply.Actions, Action{Label: "Use " + when, Command: "move " + Ref(c.ID) + " to " + when})
	}
	reply.Actions = append(reply.Actions,
		Action{Label: "Change date", Command: "move " + Ref(c.ID) + " to", Ask: "New date? (e.g. Friday 2pm)"},
		TemperatureMenu(c.ID),
		Action{Label: "Undo", Command: "undo " + Ref(c.ID)},
	)
	return reply
}

func countCounting(open []campaign.Campaign, qualified map[string]campaign.Qualification, r request, grace int) int {
	n := 0
	for _, c := range open {
		if campaign.Judge(c, isQualified(qualified, c.Company), r.now, r.cal, grace) == campaign.Counting {
			n++
		}
	}
	return n
}

// samePersonMaybe finds the rep's open campaigns at the draft's company whose person is a
// shorter or longer form of the draft's ("Jane" and "Jane Smith"). An exact match is the
// duplicate guard's business, not this.
func samePersonMaybe(open []campaign.Campaign, d Draft) []campaign.Campaign {
	ck, pk := campaign.CompanyKey(d.Company), campaign.PersonKey(d.Person)
	if ck == "" || pk == "" {
		return nil
	}
	var out []campaign.Campaign
	for _, c := range open {
		k := campaign.PersonKey(c.Person)
		if campaign.CompanyKey(c.Company) != ck || k == pk {
			continue
		}
		if strings.Contains(" "+k+" ", " "+pk+" ") || strings.Contains(" "+pk+" ", " "+k+" ") {
			out = append(out, c)
		}
	}
	return out
}

// askSamePerson offers to update each look-alike campaign or, with "new", to add the draft as
// a campaign of its own.
func askSamePerson(r request, d Draft, same []campaign.Campaign) Reply {
	var b strings.Builder
	fmt.Fprintf(&b, "You already have ")
	for i, c := range same {
		if i > 0 {
			b.WriteString(" and ")
		}
		fmt.Fprintf(&b, "%s (%s)", who(c), Ref(c.ID))
	}
	fmt.Fprintf(&b, ". Is \"%s\" the same person? Pick one, so nobody is counted twice.", campaign.Escape(d.Person))
	reply := Reply{Text: b.String(), Refused: true}
	for _, c := range same {
		// Re-logging under the full name lands on the existing campaign through the duplicate
		// guard, keeping the date, channel, temperature and note the rep typed.
		cmd := "move " + Ref(c.ID) + " to " + FormatDue(d.Due, r.now, r.loc)
		if strings.Contains(r.text, d.Person) {
			cmd = strings.Replace(r.text, d.Person, c.Person, 1)
		}
		reply.Actions = append(reply.Actions, Action{Label: "Yes: update " + labelWho(c), Command: cmd, Style: Primary})
	}
	reply.Actions = append(reply.Actions, Action{Label: "No: add " + d.Person + " as new", Command: "new " + r.text})
	return reply
}

// companyless finds the rep's open campaign for the same person that has no company yet, when
// the new draft names one.
func companyless(open []campaign.Campaign, d Draft) (campaign.Campaign, bool) {
	if d.Company == "" {
		return campaign.Campaign{}, false
	}
	pk := campaign.PersonKey(d.Person)
	for _, c := range open {
		if c.Company == "" && campaign.PersonKey(c.Person) == pk {
			return c, true
		}
	}
	return campaign.Campaign{}, false
}

// knownCompanies are the accounts the workspace already knows, so the parser can refuse one
// typed where a person's name belongs.
func knownCompanies(open []campaign.Campaign, qualified map[string]campaign.Qualification) []string {
	seen := make(map[string]bool)
	var out []string
	add := func(name string) {
		if k := campaign.CompanyKey(name); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, name)
		}
	}
	for _, c := range open {
		add(c.Company)
	}
	for _, q := range qualified {
		add(q.Company)
	}
	return out
}

// channelPhrase is "call " for a call follow-up, empty when the rep named no channel.
func channelPhrase(ch campaign.Channel) string {
	switch ch {
	case campaign.Call:
		return "call "
	case campaign.Email:
		return "email "
	case campaign.Text:
		return "text "
	case campaign.Visit:
		return "visit "
	case campaign.LinkedIn:
		return "LinkedIn "
	}
	return "follow up with "
}
