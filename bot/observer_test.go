package bot_test

import (
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"campaignbot/bot"
	"campaignbot/bot/slacktest"
)

// recordingObserver is a bot.Observer that counts what it is told.
type recordingObserver struct {
	mu        sync.Mutex
	received  map[string]int
	acked     map[string]int
	errors    int
	limited   map[string]int
	negatives int // acks with a negative latency
}

func newRecordingObserver() *recordingObserver {
	return &recordingObserver{received: map[string]int{}, acked: map[string]int{}, limited: map[string]int{}}
}

func (o *recordingObserver) EventReceived(kind string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.received[kind]++
}

func (o *recordingObserver) Acked(kind string, d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.acked[kind]++
	if d < 0 {
		o.negatives++
	}
}

func (o *recordingObserver) HandlerError() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.errors++
}

func (o *recordingObserver) RateLimited(method string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.limited[method]++
}

type observed struct {
	Received, Acked, Limited map[string]int
	Errors, Negatives        int
}

func (o *recordingObserver) snapshot() observed {
	o.mu.Lock()
	defer o.mu.Unlock()
	return observed{Received: maps.Clone(o.received), Acked: maps.Clone(o.acked), Limited: maps.Clone(o.limited), Errors: o.errors, Negatives: o.negatives}
}

// TestSlackObserver: each envelope is counted when received and when acked, before its handler
// runs; a panicking handler and a 429 are counted before the reply that follows them, so the
// replies are the synchronisation points. Connected follows the socket.
func TestSlackObserver(t *testing.T) {
	t.Parallel()
	const rep = "U0REP00001"
	fs := slacktest.New(t)
	obs := newRecordingObserver()
	r := startSlack(t, fs, newRepHandler(), func(c *bot.SlackConfig) { c.Observer = obs })
	fs.WaitConnections(t, 1)

	fs.RateLimit("chat.postMessage", 10*time.Millisecond)
	d := fs.SendDM(rep, "follow up Jane at Acme tomorrow")
	fs.WaitMessage(t, inChannel(d.Channel, "Jane"))
	if !r.Connected() {
		t.Error("Connected() = false after a message went both ways")
	}
	fs.SendDM(rep, "panic")
	fs.WaitMessage(t, inChannel(d.Channel, "Sorry"))
	fs.SendDM(rep, "fail")
	fs.WaitMessage(t, func(slacktest.Message) bool { // both apologies are in the DM
		n := 0
		for _, m := range fs.Messages(d.Channel) {
			if strings.Contains(m.Text, "Sorry") {
				n++
			}
		}
		return n == 2
	})
	fs.SendSlashCommand(rep, "C0SALES001", "list")
	fs.WaitEphemeral(t, rep, func(slacktest.Message) bool { return true })

	want := observed{
		Received: map[string]int{"events_api": 3, "slash_commands": 1},
		Acked:    map[string]int{"events_api": 3, "slash_commands": 1},
		Limited:  map[string]int{"chat.postMessage": 1},
		Errors:   2, // the panic and the handled failure
	}
	if diff := cmp.Diff(want, obs.snapshot()); diff != "" {
		t.Errorf("observed (-want +got):\n%s", diff)
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	if r.Connected() {
		t.Error("Connected() = true after Run returned")
	}
}
