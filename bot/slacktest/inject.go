package slacktest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"
)

// SendDM delivers a message.im event: user wrote text in their DM with the bot. Text is what
// Slack sends, so "&", "<" and ">" typed by the user should arrive escaped (&amp; &lt; &gt;).
func (s *Server) SendDM(user, text string) Delivery {
	s.mu.Lock()
	ch := s.dmChannel(user)
	ts := s.newTS()
	s.mu.Unlock()
	return s.SendEvent(map[string]any{
		"type": "message", "channel": ch, "user": user, "text": text, "ts": ts, "event_ts": ts,
		"team": Team, "channel_type": "im", "client_msg_id": fmt.Sprintf("msg-%s", ts),
	})
}

// SendMention delivers an app_mention event in channel; text should contain "<@U0BOTUSER1>".
func (s *Server) SendMention(user, channel, text string) Delivery {
	s.mu.Lock()
	ts := s.newTS()
	s.mu.Unlock()
	return s.SendEvent(map[string]any{
		"type": "app_mention", "channel": channel, "user": user, "text": text, "ts": ts, "event_ts": ts, "team": Team,
	})
}

// OpenHome delivers app_home_opened for user's Home tab.
func (s *Server) OpenHome(user string) Delivery {
	s.mu.Lock()
	ch := s.dmChannel(user)
	s.mu.Unlock()
	return s.SendEvent(map[string]any{
		"type": "app_home_opened", "user": user, "channel": ch, "tab": "home",
		"event_ts": strconv.FormatInt(time.Now().UnixMicro(), 10),
	})
}

// SendEvent wraps an inner event in an event_callback and an events_api envelope, with a fresh
// event_id, and delivers it.
func (s *Server) SendEvent(inner map[string]any) Delivery {
	s.mu.Lock()
	eventID := fmt.Sprintf("Ev%08d", s.nextID())
	s.mu.Unlock()
	payload := map[string]any{
		"token": "verification-token", "team_id": Team, "api_app_id": AppID, "event": inner,
		"type": "event_callback", "event_id": eventID, "event_time": time.Now().Unix(),
		"authorizations":        []any{map[string]any{"enterprise_id": nil, "team_id": Team, "user_id": BotUser, "is_bot": true, "is_enterprise_install": false}},
		"is_ext_shared_channel": false,
		"event_context":         "1-" + fmt.Sprint(inner["type"]) + "-" + Team,
	}
	d := s.send("events_api", eventID, 0, mustJSON(payload), 0)
	d.Channel, _ = inner["channel"].(string)
	d.TS, _ = inner["ts"].(string)
	return d
}

// Redeliver sends an events_api envelope again, as Slack does when an ack is late: same
// event_id, retry_attempt one higher, a new envelope ID, and a different connection when
// another is open.
func (s *Server) Redeliver(d Delivery) Delivery {
	r := s.send("events_api", d.EventID, d.retry+1, d.payload, d.conn)
	r.Channel, r.TS = d.Channel, d.TS
	return r
}

// SendSlashCommand delivers /followup with text, typed by user in channel.
func (s *Server) SendSlashCommand(user, channel, text string) Delivery {
	s.mu.Lock()
	hookID := s.newHook(channel, user, nil)
	trig := s.newTrigger(user)
	s.mu.Unlock()
	payload := map[string]any{
		"token": "verification-token", "team_id": Team, "team_domain": "acme-sales",
		"channel_id": channel, "channel_name": "sales", "user_id": user, "user_name": user,
		"command": "/followup", "text": text, "api_app_id": AppID, "is_enterprise_install": "false",
		"response_url": s.srv.URL + "/hooks/commands/" + hookID, "trigger_id": trig,
	}
	d := s.send("slash_commands", "", 0, mustJSON(payload), 0)
	d.Channel = channel
	return d
}

// Click presses a button of a message, as user. The action is built from the message's stored
// blocks, so it carries exactly the value the bot rendered; use ClickValue to tamper with it.
func (s *Server) Click(tb testing.TB, user string, m Message, label string) Delivery {
	tb.Helper()
	e, ok := m.Element(label)
	if !ok || e.Type != "button" {
		tb.Fatalf("slacktest: message %s has no button %q; elements: %+v", m.TS, label, Elements(m.Blocks))
	}
	return s.ClickValue(user, m, e, e.Value)
}

// ClickValue presses button e of message m with value, which a tampering client can choose.
func (s *Server) ClickValue(user string, m Message, e Element, value string) Delivery {
	act := map[string]any{
		"action_id": e.ActionID, "block_id": e.BlockID, "type": "button", "value": value,
		"text": map[string]any{"type": "plain_text", "text": e.Text, "emoji": true}, "action_ts": s.actionTS(),
	}
	return s.blockActions(user, m, act)
}

// Select picks option text of the menu labelled label on message m, as user.
func (s *Server) Select(tb testing.TB, user string, m Message, label, option string) Delivery {
	tb.Helper()
	e, ok := m.Element(label)
	if !ok || e.Type != "static_select" {
		tb.Fatalf("slacktest: message %s has no menu %q; elements: %+v", m.TS, label, Elements(m.Blocks))
	}
	for _, o := range e.Options {
		if o.Text == option {
			act := map[string]any{
				"action_id": e.ActionID, "block_id": e.BlockID, "type": "static_select", "action_ts": s.actionTS(),
				"selected_option": map[string]any{"text": map[string]any{"type": "plain_text", "text": o.Text}, "value": o.Value},
			}
			return s.blockActions(user, m, act)
		}
	}
	tb.Fatalf("slacktest: menu %q has no option %q; options: %+v", label, option, e.Options)
	return Delivery{}
}

// ClickHome presses a button on user's App Home tab.
func (s *Server) ClickHome(tb testing.TB, user, label string) Delivery {
	tb.Helper()
	v, ok := s.HomeView(user)
	if !ok {
		tb.Fatalf("slacktest: no home view for %s", user)
	}
	e, ok := v.Element(label)
	if !ok || e.Type != "button" {
		tb.Fatalf("slacktest: home of %s has no button %q", user, label)
	}
	act := map[string]any{
		"action_id": e.ActionID, "block_id": e.BlockID, "type": "button", "value": e.Value,
		"text": map[string]any{"type": "plain_text", "text": e.Text}, "action_ts": s.actionTS(),
	}
	s.mu.Lock()
	trig := s.newTrigger(user)
	s.mu.Unlock()
	payload := map[string]any{
		"type": "block_actions", "user": userObj(user), "api_app_id": AppID, "token": "verification-token",
		"container":  map[string]any{"type": "view", "view_id": "VHOME" + user},
		"trigger_id": trig, "team": map[string]any{"id": Team, "domain": "acme-sales"},
		"view":    map[string]any{"id": "VHOME" + user, "type": "home", "blocks": v.Blocks, "team_id": Team},
		"actions": []any{act}, "state": map[string]any{"values": map[string]any{}},
	}
	return s.send("interactive", "", 0, mustJSON(payload), 0)
}

func (s *Server) blockActions(user string, m Message, act map[string]any) Delivery {
	s.mu.Lock()
	trig := s.newTrigger(user)
	var target *Message // an interaction on an ephemeral message gets a response_url that can replace it
	if m.Ephemeral {
		for _, e := range s.ephemerals {
			if e.TS == m.TS {
				target = e
			}
		}
	}
	hookID := s.newHook(m.Channel, user, target)
	s.mu.Unlock()
	payload := map[string]any{
		"type": "block_actions", "user": userObj(user), "api_app_id": AppID, "token": "verification-token",
		"container":  map[string]any{"type": "message", "message_ts": m.TS, "channel_id": m.Channel, "is_ephemeral": m.Ephemeral},
		"trigger_id": trig, "team": map[string]any{"id": Team, "domain": "acme-sales"},
		"channel": map[string]any{"id": m.Channel, "name": "directmessage"},
		"message": map[string]any{
			"bot_id": BotID, "type": "message", "text": m.Text, "user": BotUser, "ts": m.TS, "app_id": AppID,
			"team": Team, "blocks": m.Blocks,
		},
		"state":        map[string]any{"values": map[string]any{}},
		"response_url": s.srv.URL + "/hooks/actions/" + hookID,
		"actions":      []any{act},
	}
	if m.Ephemeral {
		delete(payload, "message") // Slack doesn't send ephemeral message contents back
	}
	d := s.send("interactive", "", 0, mustJSON(payload), 0)
	d.Channel, d.TS = m.Channel, m.TS
	return d
}

// Submit submits modal md as user. inputs maps an input block's ID to the typed text, or to
// "YYYY-MM-DD" for a date picker; blocks left out are submitted empty.
func (s *Server) Submit(tb testing.TB, user string, md Modal, inputs map[string]string) Delivery {
	tb.Helper()
	var blocks []struct {
		Type    string `json:"type"`
		BlockID string `json:"block_id"`
		Element struct {
			Type     string `json:"type"`
			ActionID string `json:"action_id"`
		} `json:"element"`
	}
	if err := json.Unmarshal(md.Blocks, &blocks); err != nil {
		tb.Fatalf("slacktest: modal %s blocks: %v", md.ID, err)
	}
	values := map[string]any{}
	for _, b := range blocks {
		if b.Type != "input" {
			continue
		}
		in, ok := inputs[b.BlockID]
		var v map[string]any
		switch b.Element.Type {
		case "datepicker":
			v = map[string]any{"type": "datepicker", "selected_date": nil}
			if ok {
				v["selected_date"] = in
			}
		default:
			v = map[string]any{"type": b.Element.Type, "value": nil}
			if ok {
				v["value"] = in
			}
		}
		values[b.BlockID] = map[string]any{b.Element.ActionID: v}
	}
	var raw map[string]any
	_ = json.Unmarshal(md.Raw, &raw)
	raw["state"] = map[string]any{"values": values}
	payload := map[string]any{
		"type": "view_submission", "team": map[string]any{"id": Team, "domain": "acme-sales"},
		"user": userObj(user), "api_app_id": AppID, "token": "verification-token", "trigger_id": "111.222.submit",
		"view": raw, "response_urls": []any{}, "is_enterprise_install": false, "enterprise": nil,
	}
	return s.send("interactive", "", 0, mustJSON(payload), 0)
}

func (s *Server) send(typ, eventID string, retry int, payload json.RawMessage, avoid int) Delivery {
	s.mu.Lock()
	e := &Envelope{ID: s.envelopeID(), Type: typ, EventID: eventID, RetryAttempt: retry, Payload: payload}
	s.mu.Unlock()
	s.deliver(e, avoid)
	s.mu.Lock()
	conn := e.Conn
	s.mu.Unlock()
	return Delivery{EnvelopeID: e.ID, EventID: eventID, conn: conn, payload: payload, retry: retry}
}

// newTrigger issues a trigger_id for user; the caller holds s.mu.
func (s *Server) newTrigger(user string) string {
	id := fmt.Sprintf("%d.333649436676.%08x", s.nextID(), s.seq*7919)
	s.triggers[id] = trigger{user: user, issued: time.Now()}
	return id
}

// newHook creates a response_url; the caller holds s.mu.
func (s *Server) newHook(channel, user string, m *Message) string {
	id := fmt.Sprintf("%s/%d/%08x", Team, s.nextID(), s.seq*104729)
	s.hooks[id] = &hook{channel: channel, user: user, message: m}
	return id
}

func (s *Server) actionTS() string {
	return fmt.Sprintf("%d.%06d", time.Now().Unix(), time.Now().Nanosecond()/1000)
}

func userObj(user string) map[string]any {
	return map[string]any{"id": user, "username": user, "name": user, "team_id": Team}
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only the fake's own maps are marshalled here
	}
	return b
}
