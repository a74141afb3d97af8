// Package slacktest is a fake Slack for tests: one httptest server speaking the Socket Mode
// protocol (apps.connections.open, hello, envelopes, acks, pings, disconnects) and the Web API
// methods campaignbot calls, with in-memory state tests can inspect and wait on.
//
// It follows the real wire formats recorded in ../shared/slack (envelopes, acks, Block Kit
// limits) and reports protocol violations it sees — invalid blocks, unknown or oversized acks,
// expired triggers — as test errors when the test ends. Production code never imports it.
package slacktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Identities the fake hands out, matching the shared fixtures.
const (
	BotToken = "xoxb-test-bot-token"
	AppToken = "xapp-test-app-token"
	Team     = "T012AB3C4"
	AppID    = "A0FOLLOWUP"
	BotUser  = "U0BOTUSER1"
	BotID    = "B0BOTID001"
)

// Options tune the fake. The zero value is a well-behaved Slack.
type Options struct {
	// PingInterval is how often each socket gets a WebSocket ping; default 500ms. The bot's
	// own PingInterval must be longer or it will keep reconnecting, as with real Slack.
	PingInterval time.Duration
	// TriggerTTL is how long a trigger_id can open a modal; default 3s, as in Slack.
	TriggerTTL time.Duration
	// WaitTimeout bounds every Wait helper; default 10s.
	WaitTimeout time.Duration
	// DisconnectGrace is how long the socket stays open after a disconnect message; default
	// 50ms (Slack waits about 10s after "warning").
	DisconnectGrace time.Duration
	// NoRedeliver turns off re-sending unacknowledged events_api envelopes (retry_attempt+1)
	// when the socket they went out on closes. Slack's delivery is at-least-once, so by
	// default the fake redelivers too.
	NoRedeliver bool
}

// Server is a running fake Slack. Create it with New; it stops when the test ends.
type Server struct {
	opts Options
	srv  *httptest.Server
	up   websocket.Upgrader

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced on every state change; see Wait
	seq        int
	tickets    map[string]bool
	conns      []*conn
	connSeq    int
	rr         int // round-robin cursor over conns
	opens      int
	envelopes  map[string]*Envelope
	pending    []*Envelope // waiting for a connection
	acks       []Ack
	messages   []*Message
	ephemerals []*Message
	homes      map[string]View
	modals     []*Modal
	triggers   map[string]trigger
	users      map[string]User
	dms        map[string]string // user → D… channel
	calls      []Call
	uploads    []*Upload // files.go
	limits     map[string][]time.Duration
	hooks      map[string]*hook
	writeDelay time.Duration
	problems   []string
}

// User is a Slack user known to users.info.
type User struct {
	ID, Name, TZ string
	IsBot        bool
}

// Envelope is one Socket Mode envelope the fake sent.
type Envelope struct {
	ID           string
	Type         string // events_api, slash_commands, interactive
	EventID      string // events_api only
	RetryAttempt int
	Payload      json.RawMessage
	SentAt       time.Time
	Conn         int // connection it went out on; 0 while pending
	Acked        bool
}

// Ack is an acknowledgement the bot sent.
type Ack struct {
	EnvelopeID string
	Type       string
	Payload    json.RawMessage // nil for a bare ack
	Latency    time.Duration   // from sending the envelope to receiving the ack
	Conn       int
}

// Delivery identifies an injected envelope.
type Delivery struct {
	EnvelopeID string
	EventID    string
	Channel    string
	TS         string // the user message's ts, for events that carry one
	conn       int
	payload    json.RawMessage
	retry      int
}

// Message is a message in a channel, or an ephemeral one shown to Recipient.
type Message struct {
	Channel      string
	TS           string
	ThreadTS     string
	Text         string
	Blocks       json.RawMessage
	Updates      int    // chat.update calls on it
	Ephemeral    bool   // shown to Recipient only
	Recipient    string // ephemeral messages
	ResponseType string // set for response_url replies
}

// View is a published App Home view.
type View struct {
	User   string
	Blocks json.RawMessage
	Raw    json.RawMessage
}

// Modal is a modal opened with views.open.
type Modal struct {
	ID              string
	User            string
	CallbackID      string
	Title           string
	PrivateMetadata string
	Blocks          json.RawMessage
	Raw             json.RawMessage
	Open            bool
	Errors          map[string]string // from the last submission's ack, if it had errors
}

// Call is one Web API request.
type Call struct {
	Method string
	Params map[string]string // form fields, or top-level JSON fields (objects as JSON text)
	At     time.Time
	Status int // HTTP status the fake answered with
}

type trigger struct {
	user   string
	issued time.Time
	used   bool
}

type hook struct {
	channel, user string
	uses          int
	message       *Message // the ephemeral message this response_url can replace
}

// New starts a fake Slack that is closed when the test ends; protocol violations it saw are
// reported then as test errors.
func New(tb testing.TB, opts ...Options) *Server {
	tb.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 500 * time.Millisecond
	}
	if o.TriggerTTL <= 0 {
		o.TriggerTTL = 3 * time.Second
	}
	if o.WaitTimeout <= 0 {
		o.WaitTimeout = 10 * time.Second
	}
	if o.DisconnectGrace <= 0 {
		o.DisconnectGrace = 50 * time.Millisecond
	}
	s := &Server{
		opts:      o,
		changed:   make(chan struct{}),
		tickets:   map[string]bool{},
		envelopes: map[string]*Envelope{},
		homes:     map[string]View{},
		triggers:  map[string]trigger{},
		users:     map[string]User{},
		dms:       map[string]string{},
		limits:    map[string][]time.Duration{},
		hooks:     map[string]*hook{},
		// slack-go sends Origin: https://api.slack.com, which the default same-origin check
		// would reject.
		up: websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/link/", s.serveSocket)
	mux.HandleFunc("/hooks/", s.serveHook)
	mux.HandleFunc("/upload/v1/", s.serveUpload)
	s.srv = httptest.NewServer(mux)
	tb.Cleanup(func() {
		s.closeAll()
		s.srv.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, p := range s.problems {
			tb.Errorf("slacktest: %s", p)
		}
	})
	return s
}

// APIURL is the Web API base URL for SLACK_API_URL / slack.OptionAPIURL (it ends in "/").
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// AddUser makes a user known to users.info; tz is an IANA zone such as "Asia/Tokyo".
func (s *Server) AddUser(id, tz string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[id] = User{ID: id, Name: strings.ToLower(id), TZ: tz}
}

// RateLimit makes the next call to method fail with HTTP 429 and Retry-After (whole seconds,
// rounded up, as Slack sends them). Calling it n times limits the next n calls.
func (s *Server) RateLimit(method string, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits[method] = append(s.limits[method], retryAfter)
}

// SetWriteDelay makes the fake wait d before writing each envelope: a slow socket.
func (s *Server) SetWriteDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writeDelay = d
}

// Messages returns copies of the bot's messages in channel, oldest first; "" means every channel.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if channel == "" || m.Channel == channel {
			out = append(out, *m)
		}
	}
	return out
}

// Ephemerals returns the ephemeral messages shown to user, oldest first.
func (s *Server) Ephemerals(user string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.ephemerals {
		if user == "" || m.Recipient == user {
			out = append(out, *m)
		}
	}
	return out
}

// Acks returns every acknowledgement received, in order.
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Ack(nil), s.acks...)
}

// Calls returns the Web API calls to method ("" for all), in order.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// HomeView returns the App Home last published for user.
func (s *Server) HomeView(user string) (View, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.homes[user]
	return v, ok
}

// Modals returns copies of every modal opened, oldest first.
func (s *Server) Modals() []Modal {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Modal, 0, len(s.modals))
	for _, m := range s.modals {
		c := *m
		out = append(out, c)
	}
	return out
}

// Connections returns how many sockets are open now.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Sockets returns how many sockets have ever been opened.
func (s *Server) Sockets() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connSeq
}

// Opens returns how many times apps.connections.open succeeded.
func (s *Server) Opens() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.opens
}

// Envelope returns what the fake knows about an envelope it sent.
func (s *Server) Envelope(id string) (Envelope, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.envelopes[id]
	if !ok {
		return Envelope{}, false
	}
	return *e, true
}

// Wait blocks until cond returns true, failing the test after the wait timeout. cond runs
// without the server's lock held, so it may call the accessors above. It wakes on every state
// change rather than polling.
func (s *Server) Wait(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.NewTimer(s.opts.WaitTimeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ch := s.changed // taken before cond runs, so no change between the two is missed
		s.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			tb.Fatalf("slacktest: timed out after %v waiting for %s", s.opts.WaitTimeout, what)
		}
	}
}

// WaitMessage waits for a bot message (in any channel) matching pred and returns it.
func (s *Server) WaitMessage(tb testing.TB, pred func(Message) bool) Message {
	tb.Helper()
	var got Message
	s.Wait(tb, "a matching message", func() bool {
		for _, m := range s.Messages("") {
			if pred(m) {
				got = m
				return true
			}
		}
		return false
	})
	return got
}

// WaitEphemeral waits for an ephemeral message to user matching pred.
func (s *Server) WaitEphemeral(tb testing.TB, user string, pred func(Message) bool) Message {
	tb.Helper()
	var got Message
	s.Wait(tb, "an ephemeral message to "+user, func() bool {
		for _, m := range s.Ephemerals(user) {
			if pred(m) {
				got = m
				return true
			}
		}
		return false
	})
	return got
}

// WaitAck waits for the acknowledgement of an envelope.
func (s *Server) WaitAck(tb testing.TB, envelopeID string) Ack {
	tb.Helper()
	var got Ack
	s.Wait(tb, "ack of "+envelopeID, func() bool {
		for _, a := range s.Acks() {
			if a.EnvelopeID == envelopeID {
				got = a
				return true
			}
		}
		return false
	})
	return got
}

// WaitConnections waits until exactly n sockets are open.
func (s *Server) WaitConnections(tb testing.TB, n int) {
	tb.Helper()
	s.Wait(tb, fmt.Sprintf("%d open connections", n), func() bool { return s.Connections() == n })
}

// WaitHome waits for an App Home view for user matching pred.
func (s *Server) WaitHome(tb testing.TB, user string, pred func(View) bool) View {
	tb.Helper()
	var got View
	s.Wait(tb, "home view of "+user, func() bool {
		v, ok := s.HomeView(user)
		if ok && pred(v) {
			got = v
			return true
		}
		return false
	})
	return got
}

// WaitModal waits for a modal matching pred.
func (s *Server) WaitModal(tb testing.TB, pred func(Modal) bool) Modal {
	tb.Helper()
	var got Modal
	s.Wait(tb, "a matching modal", func() bool {
		for _, m := range s.Modals() {
			if pred(m) {
				got = m
				return true
			}
		}
		return false
	})
	return got
}

// notify wakes every Wait; the caller holds s.mu.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// problem records a protocol violation; the caller holds s.mu.
func (s *Server) problem(format string, args ...any) {
	s.problems = append(s.problems, fmt.Sprintf(format, args...))
}

// nextID returns a fresh sequence number; the caller holds s.mu.
func (s *Server) nextID() int {
	s.seq++
	return s.seq
}

// newTS returns a message timestamp in Slack's "seconds.micros" form; the caller holds s.mu.
func (s *Server) newTS() string {
	n := s.nextID()
	return fmt.Sprintf("%d.%06d", 1700000000+n/1000, n%1000*100)
}

// dmChannel returns user's DM channel with the bot, creating it; the caller holds s.mu.
func (s *Server) dmChannel(user string) string {
	if ch, ok := s.dms[user]; ok {
		return ch
	}
	ch := "D" + strings.TrimPrefix(user, "U")
	s.dms[user] = ch
	return ch
}

// text collects every text string in blocks, for assertions that don't care about layout.
func text(blocks json.RawMessage) string {
	var v any
	if json.Unmarshal(blocks, &v) != nil {
		return ""
	}
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if t, ok := x["text"].(string); ok {
				b.WriteString(t)
				b.WriteByte('\n')
			}
			for k, c := range x {
				if k != "text" {
					walk(c)
				} else if _, ok := c.(string); !ok {
					walk(c)
				}
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(v)
	return b.String()
}

// BlocksText returns all the text inside the message's blocks, one string per line.
func (m Message) BlocksText() string { return text(m.Blocks) }

// BlocksText returns all the text inside the view's blocks.
func (v View) BlocksText() string { return text(v.Blocks) }

// Element is an interactive element of a message or view.
type Element struct {
	BlockID  string
	ActionID string
	Type     string // button, static_select, overflow
	Text     string // button label or select placeholder
	Value    string // button value
	Options  []Option
}

// Option is one choice of a select or overflow menu.
type Option struct{ Text, Value string }

// Elements lists the interactive elements in blocks, in order.
func Elements(blocks json.RawMessage) []Element {
	var bs []struct {
		Type      string            `json:"type"`
		BlockID   string            `json:"block_id"`
		Elements  []json.RawMessage `json:"elements"`
		Accessory json.RawMessage   `json:"accessory"`
	}
	if json.Unmarshal(blocks, &bs) != nil {
		return nil
	}
	var out []Element
	for _, b := range bs {
		raw := b.Elements
		if b.Type == "section" && len(b.Accessory) > 0 {
			raw = []json.RawMessage{b.Accessory}
		} else if b.Type != "actions" {
			continue
		}
		for _, r := range raw {
			var e struct {
				Type        string `json:"type"`
				ActionID    string `json:"action_id"`
				Value       string `json:"value"`
				Text        struct{ Text string }
				Placeholder struct{ Text string }
				Options     []struct {
					Text  struct{ Text string }
					Value string
				}
			}
			if json.Unmarshal(r, &e) != nil {
				continue
			}
			el := Element{BlockID: b.BlockID, ActionID: e.ActionID, Type: e.Type, Text: e.Text.Text, Value: e.Value}
			if e.Type != "button" {
				el.Text = e.Placeholder.Text
			}
			for _, o := range e.Options {
				el.Options = append(el.Options, Option{Text: o.Text.Text, Value: o.Value})
			}
			out = append(out, el)
		}
	}
	return out
}

// Element returns the message's element labelled label (a button's text or a menu's
// placeholder).
func (m Message) Element(label string) (Element, bool) { return findElement(m.Blocks, label) }

// Element returns the view's element labelled label.
func (v View) Element(label string) (Element, bool) { return findElement(v.Blocks, label) }

func findElement(blocks json.RawMessage, label string) (Element, bool) {
	for _, e := range Elements(blocks) {
		if e.Text == label {
			return e, true
		}
	}
	return Element{}, false
}
