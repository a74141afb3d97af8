package slacktest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// maxAckSize is Slack's limit on a Socket Mode response; bigger ones are silently dropped.
const maxAckSize = 20 * 1024

// conn is one bot socket.
type conn struct {
	id   int
	ws   *websocket.Conn
	wmu  sync.Mutex // gorilla allows one concurrent writer (control frames excepted)
	done chan struct{}
	once sync.Once
}

func (c *conn) write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

func (c *conn) close() {
	c.once.Do(func() {
		close(c.done)
		_ = c.ws.Close()
	})
}

// serveSocket is the /link/ endpoint whose URL apps.connections.open hands out. Each ticket
// works once, as in Slack.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	ok := s.tickets[ticket]
	delete(s.tickets, ticket)
	s.mu.Unlock()
	if !ok {
		http.Error(w, "invalid ticket", http.StatusUnauthorized)
		return
	}
	ws, err := s.up.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered the client
	}
	s.mu.Lock()
	s.connSeq++
	c := &conn{id: s.connSeq, ws: ws, done: make(chan struct{})}
	s.conns = append(s.conns, c)
	n := len(s.conns)
	s.mu.Unlock()

	hello := map[string]any{
		"type":            "hello",
		"num_connections": n,
		"debug_info":      map[string]any{"host": "applink-fake", "build_number": 10, "approximate_connection_time": 18060},
		"connection_info": map[string]any{"app_id": AppID},
	}
	if err := c.write(hello); err != nil {
		s.drop(c)
		return
	}
	go s.ping(c)
	s.mu.Lock()
	s.notify()
	pending := s.pending
	s.pending = nil
	s.mu.Unlock()
	for _, e := range pending {
		s.deliver(e, 0)
	}
	s.read(c)
}

// ping sends WebSocket pings, which slack-go uses as its dead-man timer.
func (s *Server) ping(c *conn) {
	t := time.NewTicker(s.opts.PingInterval)
	defer t.Stop()
	for i := 0; ; i++ {
		if err := c.ws.WriteControl(websocket.PingMessage, fmt.Appendf(nil, "ping-%d", i), time.Now().Add(time.Second)); err != nil {
			return
		}
		select {
		case <-c.done:
			return
		case <-t.C:
		}
	}
}

// read collects acks until the socket closes.
func (s *Server) read(c *conn) {
	defer s.drop(c)
	for {
		typ, b, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		if typ != websocket.TextMessage {
			continue
		}
		s.onAck(c, b)
	}
}

func (s *Server) onAck(c *conn, b []byte) {
	now := time.Now()
	var a struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notify()
	if len(b) >= maxAckSize {
		s.problem("ack of %d bytes: Slack drops responses of 20 KiB or more", len(b))
		return
	}
	if err := json.Unmarshal(b, &a); err != nil {
		s.problem("unparseable frame from bot: %q", b)
		return
	}
	e, ok := s.envelopes[a.EnvelopeID]
	if !ok {
		s.problem("ack for unknown envelope %q", a.EnvelopeID)
		return
	}
	if e.Acked {
		s.problem("envelope %s acked twice", a.EnvelopeID)
		return
	}
	e.Acked = true
	if string(a.Payload) == "null" {
		a.Payload = nil
	}
	s.acks = append(s.acks, Ack{EnvelopeID: e.ID, Type: e.Type, Payload: a.Payload, Latency: now.Sub(e.SentAt), Conn: c.id})
	if len(a.Payload) > 0 {
		s.applyAckPayload(e, a.Payload)
	}
}

// applyAckPayload does what Slack does with a response payload: a slash command's becomes its
// reply; a view submission's closes, updates or keeps the modal open with field errors.
func (s *Server) applyAckPayload(e *Envelope, payload json.RawMessage) {
	switch e.Type {
	case "slash_commands":
		var p struct {
			Text         string          `json:"text"`
			Blocks       json.RawMessage `json:"blocks"`
			ResponseType string          `json:"response_type"`
		}
		_ = json.Unmarshal(payload, &p)
		var cmd struct {
			UserID    string `json:"user_id"`
			ChannelID string `json:"channel_id"`
		}
		_ = json.Unmarshal(e.Payload, &cmd)
		m := &Message{Channel: cmd.ChannelID, TS: s.newTS(), Text: p.Text, Blocks: p.Blocks, ResponseType: p.ResponseType}
		if p.ResponseType == "in_channel" {
			s.messages = append(s.messages, m)
		} else {
			m.Ephemeral, m.Recipient = true, cmd.UserID
			s.ephemerals = append(s.ephemerals, m)
		}
	case "interactive":
		var sub struct {
			Type string `json:"type"`
			View struct {
				ID string `json:"id"`
			} `json:"view"`
		}
		_ = json.Unmarshal(e.Payload, &sub)
		if sub.Type != "view_submission" {
			s.problem("response payload on a %s envelope is ignored by Slack", sub.Type)
			return
		}
		var p struct {
			ResponseAction string            `json:"response_action"`
			Errors         map[string]string `json:"errors"`
		}
		_ = json.Unmarshal(payload, &p)
		md := s.modal(sub.View.ID)
		if md == nil {
			return
		}
		switch p.ResponseAction {
		case "errors":
			for k := range p.Errors {
				if !hasInputBlock(md.Blocks, k) {
					s.problem("view_submission errors name %q, which is not an input block of the modal", k)
				}
			}
			md.Errors = p.Errors
		case "clear", "":
			md.Open = false
		default:
			md.Errors = nil // update / push keep a modal on screen
		}
	default:
		s.problem("response payload on an %s envelope is ignored by Slack", e.Type)
	}
}

// deliver sends an envelope to one connection, chosen round-robin and avoiding the connection
// numbered avoid when another is open. With no connection it waits for the next one.
func (s *Server) deliver(e *Envelope, avoid int) {
	s.mu.Lock()
	var c *conn
	if n := len(s.conns); n > 0 {
		for i := range n {
			cand := s.conns[(s.rr+i)%n]
			if cand.id != avoid || n == 1 {
				c = cand
				s.rr = (s.rr + i + 1) % n
				break
			}
		}
	}
	s.envelopes[e.ID] = e
	if c == nil {
		s.pending = append(s.pending, e)
		s.mu.Unlock()
		return
	}
	e.Conn = c.id
	delay := s.writeDelay
	s.mu.Unlock()

	frame := map[string]any{
		"envelope_id":              e.ID,
		"type":                     e.Type,
		"payload":                  e.Payload,
		"accepts_response_payload": e.Type != "events_api",
	}
	if e.Type == "events_api" {
		frame["retry_attempt"] = e.RetryAttempt
		frame["retry_reason"] = ""
		if e.RetryAttempt > 0 {
			frame["retry_reason"] = "timeout"
		}
	}
	if delay > 0 {
		time.Sleep(delay) // a slow socket, on purpose
	}
	s.mu.Lock()
	e.SentAt = time.Now()
	s.mu.Unlock()
	if err := c.write(frame); err != nil {
		s.mu.Lock()
		e.Conn = 0
		s.pending = append(s.pending, e)
		s.mu.Unlock()
	}
}

// drop forgets a closed connection and, unless NoRedeliver, re-sends its unacknowledged
// events as Slack would.
func (s *Server) drop(c *conn) {
	c.close()
	s.mu.Lock()
	for i, x := range s.conns {
		if x == c {
			s.conns = append(s.conns[:i], s.conns[i+1:]...)
			break
		}
	}
	var again []*Envelope
	if !s.opts.NoRedeliver {
		for _, e := range s.envelopes {
			if e.Conn == c.id && !e.Acked && e.Type == "events_api" {
				e.Acked = true // this copy is abandoned; the retry is a new envelope
				again = append(again, &Envelope{ID: s.envelopeID(), Type: e.Type, EventID: e.EventID, RetryAttempt: e.RetryAttempt + 1, Payload: e.Payload})
			}
		}
	}
	s.notify()
	s.mu.Unlock()
	for _, e := range again {
		s.deliver(e, c.id)
	}
}

// Disconnect sends every socket a disconnect message with reason ("warning",
// "refresh_requested" or "link_disabled") and closes them after the grace period.
func (s *Server) Disconnect(reason string) {
	s.mu.Lock()
	conns := append([]*conn(nil), s.conns...)
	s.mu.Unlock()
	msg := map[string]any{"type": "disconnect", "reason": reason, "debug_info": map[string]any{"host": "wss-fake"}}
	for _, c := range conns {
		_ = c.write(msg)
		time.AfterFunc(s.opts.DisconnectGrace, func() { s.drop(c) })
	}
}

// DropConnections closes every socket abruptly, without a close frame, like a network failure.
func (s *Server) DropConnections() {
	s.mu.Lock()
	conns := append([]*conn(nil), s.conns...)
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.ws.NetConn().Close()
	}
}

func (s *Server) closeAll() {
	s.mu.Lock()
	conns := append([]*conn(nil), s.conns...)
	s.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
}

// envelopeID returns a fresh UUID-shaped envelope ID; the caller holds s.mu.
func (s *Server) envelopeID() string {
	n := s.nextID()
	return fmt.Sprintf("%08x-1543-4f94-bfb4-%012x", n, n)
}

func (s *Server) modal(id string) *Modal {
	for _, m := range s.modals {
		if m.ID == id {
			return m
		}
	}
	return nil
}

func hasInputBlock(blocks json.RawMessage, id string) bool {
	var bs []struct {
		Type    string `json:"type"`
		BlockID string `json:"block_id"`
	}
	_ = json.Unmarshal(blocks, &bs)
	for _, b := range bs {
		if b.Type == "input" && b.BlockID == id {
			return true
		}
	}
	return false
}
