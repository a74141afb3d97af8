package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"campaignbot/campaign"
)

// historyLimit keeps a history reply readable in chat: the newest 20 changes.
const historyLimit = 20

// history answers "history Jane" and "history #4": the campaign's audit trail, newest first, in
// the rep's zone. Like every command it acts only on the rep's own campaigns (resolve checks), so
// a rep cannot read a colleague's trail by number.
func (h *Handler) history(ctx context.Context, r request, body string) (Reply, error) {
	if strings.TrimSpace(body) == "" {
		return Reply{}, campaign.Errorf(campaign.Invalid, "Say which campaign, like \"history Jane\" or \"history #4\".")
	}
	// History is most wanted for campaigns already closed, so names match closed ones too.
	c, err := h.resolveIn(ctx, r, body, func(ref string) string { return "history " + ref }, "a campaign",
		func() ([]campaign.Campaign, error) { return h.store.All(ctx, r.Team, r.User) })
	if err != nil {
		return Reply{}, err
	}
	// One more than shown, to know whether older changes exist.
	events, err := h.store.History(ctx, r.Team, c.ID, historyLimit+1)
	if err != nil {
		return Reply{}, fmt.Errorf("read history of %s: %w", c.ID, err)
	}
	if len(events) == 0 {
		return Reply{Text: fmt.Sprintf("I have no recorded changes for %s (%s) yet.", who(c), Ref(c.ID))}, nil
	}
	when := func(t time.Time) string { return FormatDue(t, r.now, r.loc) }
	var b strings.Builder
	fmt.Fprintf(&b, "History of %s (%s), newest first:", who(c), Ref(c.ID))
	for i, e := range events {
		if i == historyLimit {
			b.WriteString("\n…older changes not shown.")
			break
		}
		fmt.Fprintf(&b, "\n• %s — %s", when(e.At), e.Describe(when))
		if e.Actor != c.Owner && e.Actor != "" {
			fmt.Fprintf(&b, " (by <@%s>)", e.Actor)
		}
	}
	return Reply{Text: b.String()}, nil
}
