package bot

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"campaignbot/campaign"
	"campaignbot/commands"
)

// Slack's Block Kit limits (docs.slack.dev/reference/block-kit). Going over any of them makes the
// whole call fail with invalid_blocks, so rendering trims instead.
const (
	maxMessageBlocks  = 50
	maxViewBlocks     = 100
	maxSectionText    = 3000
	maxActionElements = 25
	maxButtonText     = 75
	maxButtonValue    = 2000
	maxOptionText     = 75
	maxOptionValue    = 150
	maxSelectOptions  = 100
	maxPlaceholder    = 150
	maxModalTitle     = 24
	maxFallbackText   = 3000
	maxMetadata       = 3000
)

// Action and block IDs. The prefix tells the interaction handler what an element does; a counter
// keeps action IDs unique within their block, as Slack requires.
const (
	actionRun  = "cb_run_"  // button whose value is a command
	actionAsk  = "cb_ask_"  // button whose value is an askValue; opens a modal
	actionMenu = "cb_menu_" // static_select whose option values are commands

	modalCallback = "cb_ask_modal"
	blockAnswer   = "answer"
	elemAnswer    = "text"
	blockDate     = "date"
	elemDate      = "picked"
)

// apology is what a rep sees when something failed on our side; the details are in the log.
const apology = "Sorry, that failed on my side. It's been logged."

// truncatedNote closes a message or view that had to be cut to Slack's block limit.
const truncatedNote = "_Some of this didn't fit in one Slack message._"

// askValue is an Ask button's value: the command, and the question to put in the modal.
type askValue struct {
	Command string `json:"c"`
	Ask     string `json:"q"`
	Label   string `json:"l,omitempty"`
}

// modalMeta is a modal's private_metadata: the command waiting for its answer and where the
// button was, so the submission can update that message.
type modalMeta struct {
	Command     string `json:"c"`
	Channel     string `json:"ch,omitempty"`
	TS          string `json:"ts,omitempty"`
	ResponseURL string `json:"ru,omitempty"` // set when the button was on an ephemeral message
	Home        bool   `json:"h,omitempty"`  // the button was on the App Home tab
}

// renderMessage turns a reply into a message's notification text and blocks. r.Text is mrkdwn
// that commands has already escaped, so it goes in unchanged; escaping it again would show
// "&amp;lt;" to the rep.
func renderMessage(r commands.Reply) (string, []slack.Block) {
	return fallbackText(r), renderBlocks(chunkText(r.Text, maxSectionText), r.Actions, maxMessageBlocks)
}

// renderHome turns the rep's App Home reply into a home tab view. Sections of Text are separated
// by blank lines and each becomes its own block, with dividers between them.
func renderHome(r commands.Reply) slack.HomeTabViewRequest {
	var sections []string
	for i, p := range strings.Split(r.Text, "\n\n") {
		if strings.TrimSpace(p) == "" {
			continue
		}
		if i > 0 && len(sections) > 0 {
			sections = append(sections, "") // divider
		}
		sections = append(sections, chunkText(p, maxSectionText)...)
	}
	return slack.HomeTabViewRequest{
		Type:       slack.VTHomeTab,
		CallbackID: "cb_home",
		Blocks:     slack.Blocks{BlockSet: renderBlocks(sections, r.Actions, maxViewBlocks)},
	}
}

// renderBlocks lays out text sections ("" means a divider) followed by the actions, within limit
// blocks. When they don't fit, text is dropped from the end, never the buttons: they are what
// the rep came to press.
func renderBlocks(sections []string, actions []commands.Action, limit int) []slack.Block {
	acts := actionBlocks(actions)
	if len(acts) > limit-1 {
		acts = acts[:limit-1]
	}
	room := limit - len(acts)
	var blocks []slack.Block
	if len(sections) > room {
		sections = sections[:room-1]
		sections = append(sections, truncatedNote)
	}
	for _, s := range sections {
		if s == "" {
			blocks = append(blocks, slack.NewDividerBlock())
			continue
		}
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, s, false, false), nil, nil))
	}
	for _, a := range acts {
		blocks = append(blocks, a)
	}
	return blocks
}

// actionBlocks renders the reply's actions, at most 25 elements to an actions block.
func actionBlocks(actions []commands.Action) []*slack.ActionBlock {
	var elems []slack.BlockElement
	n := 0
	for _, a := range actions {
		elems = append(elems, actionElements(a, "", &n)...)
	}
	var blocks []*slack.ActionBlock
	for len(elems) > 0 {
		k := min(len(elems), maxActionElements)
		blocks = append(blocks, slack.NewActionBlock("cb_actions_"+strconv.Itoa(len(blocks)), elems[:k]...))
		elems = elems[k:]
	}
	return blocks
}

// actionElements renders one action as a button, or a menu as a static_select. A menu whose
// options don't fit a select (long commands, or options that ask or nest) becomes buttons.
func actionElements(a commands.Action, labelPrefix string, n *int) []slack.BlockElement {
	label := labelPrefix + a.Label
	if len(a.Options) > 0 {
		if fitsSelect(a.Options) {
			opts := make([]*slack.OptionBlockObject, 0, len(a.Options))
			for _, o := range a.Options {
				opts = append(opts, slack.NewOptionBlockObject(o.Command, plainTextObject(o.Label, maxOptionText), nil))
			}
			*n++
			sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plainTextObject(label, maxPlaceholder), actionMenu+strconv.Itoa(*n), opts...)
			return []slack.BlockElement{sel}
		}
		var out []slack.BlockElement
		for _, o := range a.Options {
			out = append(out, actionElements(o, label+": ", n)...)
		}
		return out
	}
	*n++
	var b *slack.ButtonBlockElement
	switch {
	case a.Ask != "":
		v, err := json.Marshal(askValue{Command: a.Command, Ask: a.Ask, Label: a.Label})
		if err != nil || len(v) > maxButtonValue {
			return nil // a value Slack would reject would sink the whole message
		}
		b = slack.NewButtonBlockElement(actionAsk+strconv.Itoa(*n), string(v), plainTextObject(label, maxButtonText))
	case a.Command != "" && len(a.Command) <= maxButtonValue:
		b = slack.NewButtonBlockElement(actionRun+strconv.Itoa(*n), a.Command, plainTextObject(label, maxButtonText))
	default:
		return nil
	}
	if a.Style == commands.Primary || a.Style == commands.Danger {
		b.Style = slack.Style(a.Style)
	}
	return []slack.BlockElement{b}
}

// fitsSelect reports whether options can be a static_select: each runs a plain command short
// enough for an option value.
func fitsSelect(opts []commands.Action) bool {
	if len(opts) > maxSelectOptions {
		return false
	}
	for _, o := range opts {
		if o.Ask != "" || len(o.Options) > 0 || o.Command == "" || len(o.Command) > maxOptionValue {
			return false
		}
	}
	return true
}

// renderAskModal builds the modal an Ask button opens: a text answer or a date.
func renderAskModal(v askValue, meta modalMeta) (slack.ModalViewRequest, bool) {
	md, err := json.Marshal(meta)
	if err != nil || len(md) > maxMetadata {
		return slack.ModalViewRequest{}, false
	}
	title := v.Label
	if title == "" {
		title = "Follow-up"
	}
	text := slack.NewPlainTextInputBlockElement(nil, elemAnswer)
	answer := slack.NewInputBlock(blockAnswer, plainTextObject(v.Ask, 2000), nil, text)
	answer.Optional = true // the date picker is the other way to answer; submit checks one is set
	date := slack.NewInputBlock(blockDate, plainTextObject("Or pick a date", 2000), nil, slack.NewDatePickerBlockElement(elemDate))
	date.Optional = true
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      modalCallback,
		Title:           plainTextObject(title, maxModalTitle),
		Submit:          plainTextObject("Save", maxModalTitle),
		Close:           plainTextObject("Cancel", maxModalTitle),
		PrivateMetadata: string(md),
		Blocks:          slack.Blocks{BlockSet: []slack.Block{answer, date}},
	}, true
}

// fallbackText is the notification and screen-reader text sent beside blocks.
func fallbackText(r commands.Reply) string {
	t := strings.TrimSpace(r.Text)
	if t == "" && len(r.Actions) > 0 {
		t = campaign.Escape(r.Actions[0].Label)
	}
	return truncate(t, maxFallbackText)
}

// plainTextObject is a plain_text object cut to n characters. Plain text is never interpreted by
// Slack, so labels need no escaping.
func plainTextObject(s string, n int) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, truncate(s, n), true, false)
}

// chunkText splits mrkdwn into pieces of at most n bytes, preferring line breaks, so a long
// list still fits Slack's per-section limit. An escape such as "&amp;" is never split.
func chunkText(s string, n int) []string {
	s = strings.TrimSpace(s)
	var out []string
	for len(s) > n {
		cut := strings.LastIndexByte(s[:n], '\n')
		if cut <= 0 {
			cut = safeCut(s, n)
		}
		out = append(out, s[:cut])
		s = strings.TrimLeft(s[cut:], "\n")
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// safeCut returns a cut point ≤ n that splits neither a UTF-8 sequence nor an &entity;.
func safeCut(s string, n int) int {
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if amp := strings.LastIndexByte(s[:cut], '&'); amp >= 0 && cut-amp < 6 && !strings.Contains(s[amp:cut], ";") {
		cut = amp
	}
	if cut == 0 {
		return n
	}
	return cut
}

// truncate cuts s to at most n characters, ending with "…" when it had to cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
