package commands

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"campaignbot/campaign"
)

// qualify marks a company as one that already buys from staffing firms: "qualify Acme: uses
// Robert Half". It applies to every campaign at that company in the workspace.
func (h *Handler) qualify(ctx context.Context, r request, body string) (Reply, error) {
	company, evidence, _ := strings.Cut(body, ":")
	company = strings.TrimSpace(company)
	evidence = strings.TrimSpace(evidence)
	if campaign.CompanyKey(company) == "" {
		return Reply{}, campaign.Errorf(campaign.Invalid, "Name the company, like \"qualify Acme: uses Robert Half\".")
	}
	if len(company) > 100 || len(evidence) > 300 {
		return Reply{}, campaign.Errorf(campaign.Invalid, "That's too long — keep the company under 100 characters and the reason under 300.")
	}
	if evidence == "" {
		evidence = "marked qualified by the rep"
	}
	q := campaign.Qualification{Company: company, Evidence: evidence, By: r.User, At: r.now}
	if err := h.store.Qualify(ctx, r.Team, q); err != nil {
		return Reply{}, fmt.Errorf("qualify %q: %w", company, err)
	}
	open, err := h.store.Open(ctx, r.Team, r.User)
	if err != nil {
		return Reply{}, fmt.Errorf("list campaigns of %s: %w", r.User, err)
	}
	key, n := campaign.CompanyKey(company), 0
	for _, c := range open {
		if campaign.CompanyKey(c.Company) == key {
			n++
		}
	}
	return Reply{Text: fmt.Sprintf("%s is qualified (%s). Your open campaigns there: %d.", campaign.Escape(company), campaign.Escape(evidence), n)}, nil
}

// away holds reminders during time off: "away until Jan 5". Nothing is dropped; reminders due
// while away wait for the rep's return.
func (h *Handler) away(ctx context.Context, r request, body string) (Reply, error) {
	body = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(body), "until"))
	m, err := ParseMoment(body, r.now, h.parseOptions(r, nil))
	if err != nil {
		return Reply{}, campaign.Errorf(campaign.Invalid, "Say when you're back, like \"away until Jan 5\".")
	}
	rep, err := h.updateRep(ctx, r.Team, r.User, func(rep *campaign.Rep) {
		rep.AwayUntil = campaign.DateOf(m.Due, r.loc).At(0, 0, r.loc)
		if rep.AwaySince.IsZero() || !rep.AwaySince.Before(rep.AwayUntil) {
			rep.AwaySince = campaign.DateOf(r.now, r.loc).At(0, 0, r.loc) // time off starts today
		}
	})
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: fmt.Sprintf("Enjoy the time off. I'll hold your reminders until %s and show you what came due when you're back.",
		rep.AwayUntil.In(r.loc).Format("Mon Jan 2"))}, nil
}

// back ends time off early.
func (h *Handler) back(ctx context.Context, r request) (Reply, error) {
	_, err := h.updateRep(ctx, r.Team, r.User, func(rep *campaign.Rep) {
		// Time off ends today: today and later are working days again, earlier days stay days off.
		rep.AwayUntil = campaign.DateOf(r.now, r.loc).At(0, 0, r.loc)
		if !rep.AwaySince.Before(rep.AwayUntil) {
			rep.AwaySince, rep.AwayUntil = time.Time{}, time.Time{}
		}
	})
	if err != nil {
		return Reply{}, err
	}
	return Reply{Text: "Welcome back — reminders are on again."}, nil
}

// updateRep changes one rep's settings: it loads them, applies change and stores the result,
// returning the settings as saved.
func (h *Handler) updateRep(ctx context.Context, team, user string, change func(*campaign.Rep)) (campaign.Rep, error) {
	rep, err := h.store.Rep(ctx, team, user)
	if err != nil {
		return rep, fmt.Errorf("load rep %s: %w", user, err)
	}
	rep.Team, rep.User = team, user
	change(&rep)
	if err := h.store.SaveRep(ctx, rep); err != nil {
		return rep, fmt.Errorf("save rep %s: %w", user, err)
	}
	return rep, nil
}

var hoursPattern = regexp.MustCompile(`(?i)^(\d{1,2})(?::(\d\d))?\s*(am|pm)?\s*(?:-|–|to)\s*(\d{1,2})(?::(\d\d))?\s*(am|pm)?$`)

// hours sets the rep's working hours, which bound when date-only reminders arrive: "hours 9-17",
// "hours 8:30am-5pm".
func (h *Handler) hours(ctx context.Context, r request, body string) (Reply, error) {
	m := hoursPattern.FindStringSubmatch(strings.TrimSpace(body))
	bad := campaign.Errorf(campaign.Invalid, "Give your working hours as a range, like \"hours 8:30-17:30\" or \"hours 9am-5pm\".")
	if m == nil {
		return Reply{}, bad
	}
	start, ok1 := clockMinutes(m[1], m[2], m[3])
	end, ok2 := clockMinutes(m[4], m[5], m[6])
	if end <= start && m[3] == "" && m[6] == "" && start < 12*60 && end < 12*60 {
		end += 12 * 60 // "9-5" is nine to five, not nine to five in the morning
	}
	if !ok1 || !ok2 || end <= start {
		return Reply{}, bad
	}
	if _, err := h.updateRep(ctx, r.Team, r.User, func(rep *campaign.Rep) { rep.DayStart, rep.DayEnd = start, end }); err != nil {
		return Reply{}, err
	}
	return Reply{Text: fmt.Sprintf("Working hours set to %s–%s. Reminders without a set time arrive within them.", clock(start), clock(end))}, nil
}

var digestPattern = regexp.MustCompile(`(?i)^(?:at\s+)?(\d{1,2})(?::(\d\d))?\s*(am|pm)?$`)

// digest sets when the morning due list arrives on working days: "digest 7:30", "digest 8am".
func (h *Handler) digest(ctx context.Context, r request, body string) (Reply, error) {
	m := digestPattern.FindStringSubmatch(strings.TrimSpace(body))
	bad := campaign.Errorf(campaign.Invalid, "Give the time for your morning list, like \"digest 7:30\" or \"digest 8am\".")
	if m == nil {
		return Reply{}, bad
	}
	at, ok := clockMinutes(m[1], m[2], m[3])
	if !ok || at >= 24*60 || at == 0 {
		return Reply{}, bad
	}
	if _, err := h.updateRep(ctx, r.Team, r.User, func(rep *campaign.Rep) { rep.DigestAt = at }); err != nil {
		return Reply{}, err
	}
	return Reply{Text: fmt.Sprintf("Your morning list will arrive at %s on working days, when something is due or about to lapse.", clock(at))}, nil
}

func clockMinutes(hh, mm, ampm string) (int, bool) {
	h, _ := strconv.Atoi(hh)
	m := 0
	if mm != "" {
		m, _ = strconv.Atoi(mm)
	}
	switch strings.ToLower(ampm) {
	case "am":
		if h == 12 {
			h = 0
		}
	case "pm":
		if h < 12 {
			h += 12
		}
	}
	if h > 24 || m > 59 || h == 24 && m > 0 {
		return 0, false
	}
	return h*60 + m, true
}

func clock(minutes int) string { return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60) }
