package bot_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"campaignbot/bot"
	"campaignbot/bot/slacktest"
)

// benchSlack runs an adapter against fs for the benchmark's lifetime.
func benchSlack(b *testing.B, fs *slacktest.Server) {
	b.Helper()
	s := bot.NewSlack(bot.SlackConfig{
		BotToken: slacktest.BotToken, AppToken: slacktest.AppToken, APIURL: fs.APIURL(),
		DefaultLocation: time.UTC, PingInterval: 5 * time.Second,
	}, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.WithoutCancel(b.Context()))
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, newRepHandler()) }()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("Run: %v", err)
		}
	})
	fs.WaitConnections(b, 1)
}

// reportPercentiles adds p50 and p99 of lat, in microseconds, to the benchmark's output.
func reportPercentiles(b *testing.B, lat []time.Duration, name string) {
	b.Helper()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds())
	}
	b.ReportMetric(at(0.50), name+"-p50-µs")
	b.ReportMetric(at(0.99), name+"-p99-µs")
}

// BenchmarkSlackEnvelopeToAck measures how long the adapter takes to acknowledge an envelope:
// from the fake writing it to the socket to the fake reading the ack. Slack allows 3 s.
func BenchmarkSlackEnvelopeToAck(b *testing.B) {
	fs := slacktest.New(b, slacktest.Options{WaitTimeout: time.Minute})
	benchSlack(b, fs)
	var lat []time.Duration
	i := 0
	for b.Loop() {
		i++
		d := fs.SendDM(fmt.Sprintf("U%09d", i), "follow up Jane at Acme tomorrow")
		lat = append(lat, fs.WaitAck(b, d.EnvelopeID).Latency)
	}
	reportPercentiles(b, lat, "ack")
}

// BenchmarkSlackEventToReply measures a DM's round trip: from the fake writing the event to
// the fake receiving chat.postMessage with the reply. Each iteration is a different rep, so the
// per-channel rate limit never delays it; the rep's first users.info lookup is included.
func BenchmarkSlackEventToReply(b *testing.B) {
	fs := slacktest.New(b, slacktest.Options{WaitTimeout: time.Minute})
	benchSlack(b, fs)
	var lat []time.Duration
	i := 0
	for b.Loop() {
		i++
		d := fs.SendDM(fmt.Sprintf("U%09d", i), "follow up Jane at Acme tomorrow")
		var reply time.Time
		fs.Wait(b, "reply", func() bool {
			for _, c := range fs.Calls("chat.postMessage") {
				if c.Params["channel"] == d.Channel {
					reply = c.At
					return true
				}
			}
			return false
		})
		e, _ := fs.Envelope(d.EnvelopeID)
		lat = append(lat, reply.Sub(e.SentAt))
	}
	reportPercentiles(b, lat, "reply")
}
