package commands_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"campaignbot/campaign"
	"campaignbot/commands"
)

var renderNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

func TestRenderReminderEscapesAndOffersButtons(t *testing.T) {
	c := campaign.Campaign{
		ID: "4f2", Person: "<!channel> Jane", Company: "A&B", Temperature: campaign.Hot,
		Channel: campaign.Call, DueAt: renderNow, CreatedAt: renderNow.Add(-72 * time.Hour),
	}
	r := commands.RenderReminder(c, &campaign.Note{Text: "said <call me>\nlater"}, renderNow, time.UTC)
	for _, want := range []string{
		"*&lt;!channel&gt; Jane* at A&amp;B", "(#4f2) by call", ":fire: hot",
		"logged 3 days ago", "> said &lt;call me&gt; later",
	} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("reminder lacks %q:\n%s", want, r.Text)
		}
	}
	if strings.Contains(r.Text, "<!channel>") {
		t.Errorf("reminder would ping the channel:\n%s", r.Text)
	}
	if len(r.Actions) != 5 || r.Actions[0].Command != "done #4f2," {
		t.Errorf("actions = %+v, want the five reminder buttons", r.Actions)
	}
}

func TestRenderDigestAndCatchUp(t *testing.T) {
	c := campaign.Campaign{ID: "1", Person: "Jane", Company: "Acme", DueAt: renderNow.Add(-48 * time.Hour), Temperature: campaign.Cold}
	if !(commands.Digest{Counting: 5}).Empty() {
		t.Error("a digest with nothing due is not Empty")
	}
	d := commands.Digest{Overdue: []campaign.Campaign{c}, Counting: 12, Target: 100, Ramping: true, Lapsed: 2}
	r := commands.RenderDigest(d, renderNow, time.UTC)
	for _, want := range []string{"*Overdue (1)*", "*Jane* at Acme (#1)", "*Counting: 12* of your ramp target of 100", "2 lapsed"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("digest lacks %q:\n%s", want, r.Text)
		}
	}
	if len(r.Actions) != 2 || r.Actions[1].Command != "snooze overdue tomorrow" {
		t.Errorf("digest actions = %+v", r.Actions)
	}
	var many []campaign.Campaign
	for i := range 20 {
		c.ID = fmt.Sprint(i)
		many = append(many, c)
	}
	away := commands.RenderCatchUp(many, true, renderNow, time.UTC)
	if !strings.HasPrefix(away.Text, ":wave: Welcome back! While you were away, 20 follow-ups came due:") ||
		!strings.Contains(away.Text, "…and 5 more") {
		t.Errorf("catch-up:\n%s", away.Text)
	}
	if down := commands.RenderCatchUp(many[:1], false, renderNow, time.UTC); !strings.HasPrefix(down.Text, ":hourglass: While I was away, 1 follow-up came due:") {
		t.Errorf("catch-up:\n%s", down.Text)
	}
}

func ExampleRenderLeaderboard() {
	rows := []campaign.BoardRow{
		{User: "U2", Counting: 312, Change: 25, Done: 40, OnTime: 37},
		{User: "U1", Counting: 280, Change: -3, Lapsed: 4},
		{User: "U3", Counting: 90, New: true, Ramping: true, Target: 150},
	}
	fmt.Println(commands.RenderLeaderboard("week of Mar 16", rows, campaign.TopMovers(rows, 3)).Text)
	// Output:
	// :trophy: *Leaderboard — week of Mar 16*
	// 1. <@U2> — *312* counting (+25) · on time 92%
	// 2. <@U1> — *280* counting (-3) · 4 lapsed
	// 3. <@U3> — *90* counting (new) · ramp 90/150
	// :rocket: Top movers: <@U2> +25
}
