package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"

	"campaignbot/bot/slacktest"
	"campaignbot/campaign"
	"campaignbot/commands"
)

func mustBlocks(t *testing.T, blocks []slack.Block, limit int) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	if err := slacktest.CheckBlocks(b, limit); err != nil {
		t.Fatalf("Slack would reject these blocks: %v\n%s", err, b)
	}
	return b
}

func TestRenderMessageKeepsEscapedText(t *testing.T) {
	// commands escapes user text; rendering must pass it through untouched.
	text := "Saved *" + campaign.Escape("Jane <!channel> & co") + "*"
	fallback, blocks := renderMessage(commands.Reply{Text: text})
	raw := mustBlocks(t, blocks, maxMessageBlocks)
	if fallback != text {
		t.Errorf("fallback = %q, want %q", fallback, text)
	}
	var got []struct{ Text struct{ Type, Text string } }
	_ = json.Unmarshal(raw, &got)
	if len(got) != 1 || got[0].Text.Type != "mrkdwn" || got[0].Text.Text != text {
		t.Errorf("blocks = %s, want one mrkdwn section with %q", raw, text)
	}
	if strings.Contains(string(raw), "&amp;lt;") || strings.Contains(string(raw), "<!channel>") {
		t.Errorf("blocks double-escaped or unescaped: %s", raw)
	}
}

func TestRenderActions(t *testing.T) {
	r := commands.Reply{Text: "Saved.", Actions: []commands.Action{
		commands.DoneAction("4f2"),
		commands.TemperatureMenu("4f2"),
		{Label: "Undo", Command: "undo #4f2", Style: commands.Danger},
		{Label: "Long", Options: []commands.Action{{Label: "x", Command: "move #4f2 to " + strings.Repeat("y", 200)}}},
	}}
	_, blocks := renderMessage(r)
	raw := mustBlocks(t, blocks, maxMessageBlocks)
	var got []string
	for _, e := range slacktest.Elements(raw) {
		got = append(got, fmt.Sprintf("%s %s %q", e.Type, e.Text, e.Value))
	}
	ask, _ := json.Marshal(askValue{Command: "done #4f2,", Ask: "Next follow-up? (e.g. next Tuesday 10am)", Label: "Done"})
	want := []string{
		fmt.Sprintf("button Done %q", ask),
		`static_select Temperature ""`,
		`button Undo "undo #4f2"`,
		`button Long: x "move #4f2 to ` + strings.Repeat("y", 200) + `"`, // too long for an option value
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("elements (-want +got):\n%s", diff)
	}
	sel := slacktest.Elements(raw)[1]
	if diff := cmp.Diff([]slacktest.Option{{Text: "Hot", Value: "hot #4f2"}, {Text: "Warm", Value: "warm #4f2"}, {Text: "Cold", Value: "cold #4f2"}}, sel.Options); diff != "" {
		t.Errorf("menu options (-want +got):\n%s", diff)
	}
}

func TestRenderSplitsActionsAt25(t *testing.T) {
	var acts []commands.Action
	for i := range 30 {
		acts = append(acts, commands.Action{Label: fmt.Sprint(i), Command: fmt.Sprint("cmd ", i)})
	}
	_, blocks := renderMessage(commands.Reply{Text: "many", Actions: acts})
	mustBlocks(t, blocks, maxMessageBlocks)
	if len(blocks) != 3 {
		t.Fatalf("%d blocks, want section + 2 actions", len(blocks))
	}
	if n := len(blocks[1].(*slack.ActionBlock).Elements.ElementSet); n != 25 {
		t.Errorf("first actions block has %d elements, want 25", n)
	}
}

func TestRenderLimits(t *testing.T) {
	long := strings.Repeat("line &amp; more text here\n", 10000) // ~250 KB
	_, blocks := renderMessage(commands.Reply{Text: long, Actions: []commands.Action{{Label: "Undo", Command: "undo #1"}}})
	raw := mustBlocks(t, blocks, maxMessageBlocks)
	if len(blocks) != maxMessageBlocks {
		t.Errorf("%d blocks, want the limit %d", len(blocks), maxMessageBlocks)
	}
	if _, ok := findElement(raw, "Undo"); !ok {
		t.Errorf("buttons dropped to fit text")
	}

	var parts []string
	for i := range 150 {
		parts = append(parts, fmt.Sprintf("*Section %d*\nbody", i))
	}
	home := renderHome(commands.Reply{Text: strings.Join(parts, "\n\n")})
	raw, _ = json.Marshal(home.Blocks.BlockSet)
	if err := slacktest.CheckBlocks(raw, maxViewBlocks); err != nil {
		t.Fatalf("home view rejected: %v", err)
	}
	if !strings.Contains(string(raw), "didn't fit") {
		t.Errorf("truncated home has no note")
	}
}

func findElement(raw json.RawMessage, label string) (slacktest.Element, bool) {
	for _, e := range slacktest.Elements(raw) {
		if e.Text == label {
			return e, true
		}
	}
	return slacktest.Element{}, false
}

func TestChunkTextNeverSplitsEntities(t *testing.T) {
	s := strings.Repeat("a", 2998) + "&amp;" + strings.Repeat("b", 10)
	for _, c := range chunkText(s, 3000) {
		if strings.Count(c, "&") != strings.Count(c, ";") {
			t.Errorf("chunk splits an entity: …%q", c[max(0, len(c)-8):])
		}
		if len(c) > 3000 {
			t.Errorf("chunk of %d bytes", len(c))
		}
	}
}

func TestAskModal(t *testing.T) {
	v := askValue{Command: "done #1,", Ask: "Next follow-up?", Label: "Set next date for this one"}
	view, ok := renderAskModal(v, modalMeta{Command: v.Command, Channel: "D1", TS: "1.2"})
	if !ok {
		t.Fatal("modal not rendered")
	}
	if got := view.Title.Text; len([]rune(got)) > maxModalTitle {
		t.Errorf("title %q over %d characters", got, maxModalTitle)
	}
	var meta modalMeta
	if err := json.Unmarshal([]byte(view.PrivateMetadata), &meta); err != nil || meta.Command != "done #1," || meta.Channel != "D1" {
		t.Errorf("private_metadata = %q", view.PrivateMetadata)
	}
	raw, _ := json.Marshal(view.Blocks.BlockSet)
	if err := slacktest.CheckBlocks(raw, maxViewBlocks); err != nil {
		t.Error(err)
	}
}

func TestSlackText(t *testing.T) {
	for _, tt := range []struct{ in, bot, want string }{
		{"<@U0BOT> follow up Jane", "U0BOT", "follow up Jane"},
		{"<@U0BOT>: list", "U0BOT", "list"},
		{"<@U0BOT|followup> list", "U0BOT", "list"},
		{"ask <@U0BOT> later", "U0BOT", "ask <@U0BOT> later"},
		{"R&amp;D &lt;!channel&gt;", "U0BOT", "R&D <!channel>"},
		{"&amp;lt;", "U0BOT", "&lt;"},
	} {
		if got := stripMention(slackText(tt.in), tt.bot); got != tt.want {
			t.Errorf("stripMention(slackText(%q)) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
