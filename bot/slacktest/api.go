package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// result is a Web API answer: nil error code means ok.
type result struct {
	code   string
	fields map[string]any
}

func ok(fields map[string]any) result { return result{fields: fields} }
func fail(code string) result         { return result{code: code} }

// serveAPI answers POST /api/<method>. slack-go sends most methods as forms with the token in
// the body, and views.* and apps.connections.open as JSON with a Bearer header; both are
// accepted everywhere, as Slack does.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	p, token := params(r)
	now := time.Now()

	s.mu.Lock()
	call := Call{Method: method, Params: p, At: now, Status: http.StatusOK}
	if q := s.limits[method]; len(q) > 0 {
		s.limits[method] = q[1:]
		call.Status = http.StatusTooManyRequests
		s.calls = append(s.calls, call)
		s.notify()
		s.mu.Unlock()
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(q[0].Seconds()))))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
		return
	}
	s.calls = append(s.calls, call)
	var res result
	switch {
	case method == "apps.connections.open":
		res = s.connectionsOpen(r)
	case token == "":
		res = fail("not_authed")
	case token != BotToken:
		res = fail("invalid_auth")
	default:
		res = s.method(method, p)
	}
	s.notify()
	s.mu.Unlock()

	body := map[string]any{"ok": res.code == ""}
	if res.code != "" {
		body["error"] = res.code // slack-go treats ok:false without an error as success
	}
	maps.Copy(body, res.fields)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

// method dispatches a Web API method; the caller holds s.mu.
func (s *Server) method(method string, p map[string]string) result {
	switch method {
	case "auth.test":
		return ok(map[string]any{
			"url": "https://acme-sales.slack.com/", "team": "Acme Sales", "user": "followup",
			"team_id": Team, "user_id": BotUser, "bot_id": BotID,
		})
	case "users.info":
		u, found := s.users[p["user"]]
		if !found {
			return fail("user_not_found")
		}
		return ok(map[string]any{"user": map[string]any{
			"id": u.ID, "name": u.Name, "real_name": u.Name, "tz": u.TZ,
			"is_bot": u.IsBot, "deleted": false, "profile": map[string]any{"real_name": u.Name, "display_name": u.Name},
		}})
	case "conversations.open":
		users := strings.Split(p["users"], ",")
		if len(users) != 1 || !strings.HasPrefix(users[0], "U") {
			return fail("user_not_found")
		}
		return ok(map[string]any{"channel": map[string]any{"id": s.dmChannel(users[0])}})
	case "chat.postMessage":
		return s.postMessage(p)
	case "chat.update":
		return s.update(p)
	case "chat.postEphemeral":
		return s.postEphemeral(p)
	case "views.publish":
		return s.publish(p)
	case "views.open":
		return s.open(p)
	case "files.getUploadURLExternal":
		return s.uploadURL(p)
	case "files.completeUploadExternal":
		return s.completeUpload(p)
	}
	return fail("unknown_method")
}

func (s *Server) connectionsOpen(r *http.Request) result {
	auth := r.Header.Get("Authorization")
	switch {
	case auth == "":
		return fail("not_authed")
	case auth != "Bearer "+AppToken:
		return fail("invalid_auth")
	}
	s.opens++
	ticket := fmt.Sprintf("%08x-%04x", s.nextID(), s.seq*31)
	s.tickets[ticket] = true
	return ok(map[string]any{"url": "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/link/?ticket=" + ticket + "&app_id=" + AppID})
}

func (s *Server) channelFor(ch string) (string, bool) {
	switch {
	case strings.HasPrefix(ch, "U"), strings.HasPrefix(ch, "W"):
		return s.dmChannel(ch), true // Slack opens the DM for a user ID
	case strings.HasPrefix(ch, "C"), strings.HasPrefix(ch, "G"):
		return ch, true
	case strings.HasPrefix(ch, "D"):
		for _, d := range s.dms {
			if d == ch {
				return ch, true
			}
		}
	}
	return "", false
}

func (s *Server) postMessage(p map[string]string) result {
	ch, found := s.channelFor(p["channel"])
	if !found {
		return fail("channel_not_found")
	}
	if code := s.checkMessage(p, "chat.postMessage"); code != "" {
		return fail(code)
	}
	m := &Message{Channel: ch, TS: s.newTS(), ThreadTS: p["thread_ts"], Text: p["text"], Blocks: json.RawMessage(orEmpty(p["blocks"]))}
	s.messages = append(s.messages, m)
	return ok(map[string]any{"channel": ch, "ts": m.TS, "message": map[string]any{
		"type": "message", "subtype": "bot_message",
		"text": m.Text, "bot_id": BotID, "ts": m.TS, "blocks": m.Blocks,
	}})
}

func (s *Server) update(p map[string]string) result {
	m := s.find(p["channel"], p["ts"])
	if m == nil {
		return fail("message_not_found")
	}
	if code := s.checkMessage(p, "chat.update"); code != "" {
		return fail(code)
	}
	m.Text, m.Blocks = p["text"], json.RawMessage(orEmpty(p["blocks"]))
	m.Updates++
	return ok(map[string]any{"channel": m.Channel, "ts": m.TS, "text": m.Text})
}

func (s *Server) postEphemeral(p map[string]string) result {
	ch, found := s.channelFor(p["channel"])
	if !found {
		return fail("channel_not_found")
	}
	if p["user"] == "" {
		return fail("user_not_in_channel")
	}
	if code := s.checkMessage(p, "chat.postEphemeral"); code != "" {
		return fail(code)
	}
	m := &Message{Channel: ch, TS: s.newTS(), Text: p["text"], Blocks: json.RawMessage(orEmpty(p["blocks"])), Ephemeral: true, Recipient: p["user"]}
	s.ephemerals = append(s.ephemerals, m)
	return ok(map[string]any{"message_ts": m.TS})
}

// checkMessage applies Slack's message rules; the caller holds s.mu.
func (s *Server) checkMessage(p map[string]string, method string) string {
	if p["text"] == "" && p["blocks"] == "" {
		return "no_text"
	}
	if utf8.RuneCountInString(p["text"]) > 40000 {
		return "msg_too_long"
	}
	if p["blocks"] != "" {
		if code, why := checkBlocks(json.RawMessage(p["blocks"]), maxMessageBlocks); code != "" {
			s.problem("%s: %s: %s", method, code, why)
			return code
		}
	}
	return ""
}

func (s *Server) publish(p map[string]string) result {
	if p["user_id"] == "" {
		return fail("invalid_arguments")
	}
	var v struct {
		Type   string          `json:"type"`
		Blocks json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(p["view"]), &v); err != nil || v.Type != "home" {
		s.problem("views.publish: view must be a home view, got %q", p["view"])
		return fail("invalid_arguments")
	}
	if code, why := checkBlocks(v.Blocks, maxViewBlocks); code != "" {
		s.problem("views.publish: %s: %s", code, why)
		return fail(code)
	}
	s.homes[p["user_id"]] = View{User: p["user_id"], Blocks: v.Blocks, Raw: json.RawMessage(p["view"])}
	return ok(map[string]any{"view": map[string]any{"id": "VHOME" + p["user_id"], "type": "home", "blocks": v.Blocks}})
}

func (s *Server) open(p map[string]string) result {
	tr, found := s.triggers[p["trigger_id"]]
	switch {
	case !found:
		s.problem("views.open with unknown trigger_id %q", p["trigger_id"])
		return fail("invalid_trigger_id")
	case tr.used:
		s.problem("views.open reused trigger_id %q", p["trigger_id"])
		return fail("invalid_trigger_id")
	case time.Since(tr.issued) > s.opts.TriggerTTL:
		return fail("expired_trigger_id")
	}
	tr.used = true
	s.triggers[p["trigger_id"]] = tr
	var v struct {
		Type            string `json:"type"`
		CallbackID      string `json:"callback_id"`
		PrivateMetadata string `json:"private_metadata"`
		Title           struct{ Text string }
		Blocks          json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(p["view"]), &v); err != nil || v.Type != "modal" {
		s.problem("views.open: view must be a modal, got %q", p["view"])
		return fail("invalid_arguments")
	}
	switch {
	case v.Title.Text == "" || utf8.RuneCountInString(v.Title.Text) > 24:
		s.problem("views.open: modal title %q must be 1-24 characters", v.Title.Text)
		return fail("invalid_arguments")
	case len(v.PrivateMetadata) > 3000:
		s.problem("views.open: private_metadata is %d bytes, over 3000", len(v.PrivateMetadata))
		return fail("invalid_arguments")
	}
	if code, why := checkBlocks(v.Blocks, maxViewBlocks); code != "" {
		s.problem("views.open: %s: %s", code, why)
		return fail(code)
	}
	id := fmt.Sprintf("V%08d", s.nextID())
	var raw map[string]any
	_ = json.Unmarshal([]byte(p["view"]), &raw)
	raw["id"], raw["team_id"], raw["app_id"], raw["bot_id"], raw["root_view_id"] = id, Team, AppID, BotID, id
	md := &Modal{
		ID: id, User: tr.user, CallbackID: v.CallbackID, Title: v.Title.Text, PrivateMetadata: v.PrivateMetadata,
		Blocks: v.Blocks, Raw: mustJSON(raw), Open: true,
	}
	s.modals = append(s.modals, md)
	return ok(map[string]any{"view": raw})
}

// serveHook answers a response_url: up to 5 uses, JSON body, no token.
func (s *Server) serveHook(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/hooks/"), "commands/"), "actions/")
	var body struct {
		Text            string          `json:"text"`
		Blocks          json.RawMessage `json:"blocks"`
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal bool            `json:"replace_original"`
		DeleteOriginal  bool            `json:"delete_original"`
	}
	err := json.NewDecoder(r.Body).Decode(&body)
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notify()
	s.calls = append(s.calls, Call{Method: "response_url", Params: map[string]string{
		"text": body.Text, "response_type": body.ResponseType,
		"replace_original": strconv.FormatBool(body.ReplaceOriginal),
	}, At: time.Now(), Status: http.StatusOK})
	w.Header().Set("Content-Type", "application/json")
	h := s.hooks[id]
	switch {
	case err != nil:
		s.problem("response_url: body is not JSON: %v", err)
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"ok":false,"error":"invalid_payload"}`)
		return
	case h == nil || h.uses >= 5:
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"ok":false,"error":"expired_url"}`)
		return
	}
	if len(body.Blocks) > 0 && string(body.Blocks) != "null" {
		if code, why := checkBlocks(body.Blocks, maxMessageBlocks); code != "" {
			s.problem("response_url: %s: %s", code, why)
			_, _ = io.WriteString(w, `{"ok":false,"error":"`+code+`"}`)
			return
		}
	}
	h.uses++
	if body.ReplaceOriginal && h.message != nil {
		h.message.Text, h.message.Blocks = body.Text, body.Blocks
		h.message.Updates++
		_, _ = io.WriteString(w, `{"ok":true}`)
		return
	}
	m := &Message{Channel: h.channel, TS: s.newTS(), Text: body.Text, Blocks: body.Blocks, ResponseType: body.ResponseType}
	if body.ResponseType == "in_channel" {
		s.messages = append(s.messages, m)
	} else {
		m.Ephemeral, m.Recipient = true, h.user
		s.ephemerals = append(s.ephemerals, m)
	}
	_, _ = io.WriteString(w, `{"ok":true}`)
}

// find returns the stored message in channel with ts; the caller holds s.mu.
func (s *Server) find(channel, ts string) *Message {
	for _, m := range s.messages {
		if m.Channel == channel && m.TS == ts {
			return m
		}
	}
	return nil
}

// params reads a request's parameters and token from a form or a JSON body.
func params(r *http.Request) (map[string]string, string) {
	p := map[string]string{}
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var body map[string]json.RawMessage
		b, _ := io.ReadAll(r.Body)
		if len(b) > 0 && json.Unmarshal(b, &body) == nil {
			for k, v := range body {
				var str string
				if json.Unmarshal(v, &str) == nil {
					p[k] = str
				} else {
					p[k] = string(v)
				}
			}
		}
	} else {
		_ = r.ParseForm()
		for k := range r.PostForm {
			p[k] = r.PostForm.Get(k)
		}
		if t := p["token"]; t != "" {
			token = t
		}
	}
	delete(p, "token") // never recorded: tests print Calls
	return p, token
}

func orEmpty(s string) string {
	if s == "" {
		return "[]"
	}
	return s
}
