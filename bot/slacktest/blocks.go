package slacktest

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Block Kit limits Slack enforces (docs.slack.dev/reference/block-kit). A message that breaks
// one is rejected whole with invalid_blocks, so the fake checks them all.
const (
	maxMessageBlocks = 50
	maxViewBlocks    = 100
)

type block struct {
	Type      string            `json:"type"`
	BlockID   string            `json:"block_id"`
	Text      *textObj          `json:"text"`
	Fields    []textObj         `json:"fields"`
	Elements  []json.RawMessage `json:"elements"`
	Accessory json.RawMessage   `json:"accessory"`
	Label     *textObj          `json:"label"`
	Element   json.RawMessage   `json:"element"`
}

type textObj struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type element struct {
	Type        string   `json:"type"`
	ActionID    string   `json:"action_id"`
	Text        *textObj `json:"text"`
	Value       *string  `json:"value"`
	Style       string   `json:"style"`
	Placeholder *textObj `json:"placeholder"`
	Options     []struct {
		Text  textObj `json:"text"`
		Value string  `json:"value"`
	} `json:"options"`
}

// checkBlocks validates a blocks array against Slack's rules and returns an error code and a
// human explanation, or "" when Slack would accept it.
func checkBlocks(raw json.RawMessage, max int) (code, why string) {
	var bs []block
	if err := json.Unmarshal(raw, &bs); err != nil {
		return "invalid_blocks_format", err.Error()
	}
	if len(bs) > max {
		return "too_many_blocks", fmt.Sprintf("%d blocks, limit %d", len(bs), max)
	}
	ids := map[string]bool{}
	for i, b := range bs {
		if b.BlockID != "" {
			if ids[b.BlockID] {
				return "invalid_blocks", fmt.Sprintf("block %d: duplicate block_id %q", i, b.BlockID)
			}
			ids[b.BlockID] = true
			if len(b.BlockID) > 255 {
				return "invalid_blocks", fmt.Sprintf("block %d: block_id over 255 characters", i)
			}
		}
		if why := checkBlock(b); why != "" {
			return "invalid_blocks", fmt.Sprintf("block %d (%s): %s", i, b.Type, why)
		}
	}
	return "", ""
}

func checkBlock(b block) string {
	switch b.Type {
	case "section":
		if b.Text == nil && len(b.Fields) == 0 {
			return "needs text or fields"
		}
		if b.Text != nil {
			if n := utf8.RuneCountInString(b.Text.Text); n < 1 || n > 3000 {
				return fmt.Sprintf("text must be 1-3000 characters, is %d", n)
			}
		}
		if len(b.Fields) > 10 {
			return "more than 10 fields"
		}
		if len(b.Accessory) > 0 {
			return checkElement(b.Accessory, map[string]bool{})
		}
	case "actions":
		if len(b.Elements) < 1 || len(b.Elements) > 25 {
			return fmt.Sprintf("needs 1-25 elements, has %d", len(b.Elements))
		}
		seen := map[string]bool{}
		for _, e := range b.Elements {
			if why := checkElement(e, seen); why != "" {
				return why
			}
		}
	case "context":
		if len(b.Elements) < 1 || len(b.Elements) > 10 {
			return fmt.Sprintf("needs 1-10 elements, has %d", len(b.Elements))
		}
	case "header":
		if b.Text == nil || b.Text.Type != "plain_text" || utf8.RuneCountInString(b.Text.Text) > 150 {
			return "header needs plain_text of at most 150 characters"
		}
	case "divider":
	case "input":
		if b.Label == nil || b.Label.Type != "plain_text" || utf8.RuneCountInString(b.Label.Text) > 2000 {
			return "input needs a plain_text label of at most 2000 characters"
		}
		if len(b.Element) == 0 {
			return "input needs an element"
		}
	default:
		return "unknown block type"
	}
	return ""
}

func checkElement(raw json.RawMessage, seen map[string]bool) string {
	var e element
	if err := json.Unmarshal(raw, &e); err != nil {
		return err.Error()
	}
	if e.ActionID != "" {
		if seen[e.ActionID] {
			return fmt.Sprintf("duplicate action_id %q in one block", e.ActionID)
		}
		seen[e.ActionID] = true
		if len(e.ActionID) > 255 {
			return "action_id over 255 characters"
		}
	}
	switch e.Type {
	case "button":
		if e.Text == nil || e.Text.Type != "plain_text" || e.Text.Text == "" || utf8.RuneCountInString(e.Text.Text) > 75 {
			return "button text must be plain_text of 1-75 characters"
		}
		if e.Value != nil && len(*e.Value) > 2000 {
			return "button value over 2000 characters"
		}
		if e.Style != "" && e.Style != "primary" && e.Style != "danger" {
			return fmt.Sprintf("button style %q", e.Style)
		}
	case "static_select", "overflow":
		if e.Type == "static_select" && (e.Placeholder == nil || utf8.RuneCountInString(e.Placeholder.Text) > 150) {
			return "static_select needs a placeholder of at most 150 characters"
		}
		limit := 100
		if e.Type == "overflow" {
			limit = 5
		}
		if len(e.Options) < 1 || len(e.Options) > limit {
			return fmt.Sprintf("%s needs 1-%d options, has %d", e.Type, limit, len(e.Options))
		}
		for _, o := range e.Options {
			if utf8.RuneCountInString(o.Text.Text) > 75 || len(o.Value) > 150 {
				return fmt.Sprintf("option %q: text ≤75 and value ≤150 characters", o.Text.Text)
			}
		}
	case "datepicker", "plain_text_input":
	default:
		return fmt.Sprintf("unknown element type %q", e.Type)
	}
	return ""
}

// CheckBlocks reports whether Slack would accept blocks in a message (limit 50) or a view
// (limit 100), with the reason when it wouldn't.
func CheckBlocks(blocks json.RawMessage, limit int) error {
	if code, why := checkBlocks(blocks, limit); code != "" {
		return fmt.Errorf("%s: %s", code, why)
	}
	return nil
}
