package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"golang.org/x/sync/singleflight"

	"campaignbot/commands"
)

// Post sends a message to a channel; the scheduler uses it for the leaderboard. team names the
// workspace for logs: one bot token serves one workspace.
func (s *Slack) Post(ctx context.Context, team, channel string, r commands.Reply) error {
	if r.File != nil { // the leaderboard's chart: shared in the channel with the text above it
		if err := s.upload(ctx, channel, "", r); err != nil {
			return fmt.Errorf("post file to %s in %s: %w", channel, team, err)
		}
		return nil
	}
	if err := s.post(ctx, channel, "", r); err != nil {
		return fmt.Errorf("post to %s in %s: %w", channel, team, err)
	}
	return nil
}

// DM sends a message to a rep's direct-message channel with the bot, opening it the first time.
func (s *Slack) DM(ctx context.Context, team, user string, r commands.Reply) error {
	ch, err := s.dmChannel(ctx, team, user)
	if err != nil {
		return fmt.Errorf("dm %s in %s: %w", user, team, err)
	}
	if err := s.post(ctx, ch, "", r); err != nil {
		return fmt.Errorf("dm %s in %s: %w", user, team, err)
	}
	return nil
}

func (s *Slack) post(ctx context.Context, channel, thread string, r commands.Reply) error {
	text, blocks := renderMessage(r)
	opts := []slack.MsgOption{slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...)}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	return s.send.do(ctx, "chat.postMessage", channel, func(ctx context.Context) error {
		_, _, err := s.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
}

// dmChannel returns the D… channel of the bot's DM with user. conversations.open is Tier 3
// (about 50 a minute), far too few to call per reminder, and the channel never changes, so it
// is cached for the life of the process.
func (s *Slack) dmChannel(ctx context.Context, team, user string) (string, error) {
	key := team + "/" + user
	if ch, ok := s.dms.get(key); ok {
		return ch, nil
	}
	var ch *slack.Channel
	err := s.send.do(ctx, "conversations.open", "", func(ctx context.Context) (err error) {
		ch, _, _, err = s.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("open conversation: %w", err)
	}
	s.dms.put(key, ch.ID)
	return ch.ID, nil
}

// lookupZone asks users.info for a rep's IANA zone name.
func (s *Slack) lookupZone(ctx context.Context, user string) (string, error) {
	var u *slack.User
	err := s.send.do(ctx, "users.info", "", func(ctx context.Context) (err error) {
		u, err = s.api.GetUserInfoContext(ctx, user)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("users.info %s: %w", user, err)
	}
	return u.TZ, nil
}

// sender is the one way out to the Web API. It spaces messages to a channel by interval and,
// when Slack answers 429, pauses every caller of that method until Retry-After has passed, so a
// burst of reminders backs off together instead of retrying into a storm of 429s.
type sender struct {
	interval   time.Duration
	maxRetries int
	log        *slog.Logger
	obs        Observer // told of each 429; set by NewSlack, nil in tests that build a sender

	mu    sync.Mutex
	next  map[string]time.Time // channel → earliest time of its next message
	pause map[string]time.Time // method → end of its rate-limit pause
}

func newSender(interval time.Duration, maxRetries int, log *slog.Logger) *sender {
	return &sender{interval: interval, maxRetries: maxRetries, log: log, next: map[string]time.Time{}, pause: map[string]time.Time{}}
}

// do calls fn, the Web API method named method, retrying it after rate limits. A non-empty
// channel makes the call wait for the channel's next free slot.
func (s *sender) do(ctx context.Context, method, channel string, fn func(ctx context.Context) error) error {
	for attempt := 0; ; attempt++ {
		if err := sleep(ctx, s.wait(method, channel)); err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		err := fn(ctx)
		rl, ok := errors.AsType[*slack.RateLimitedError](err)
		if ok && s.obs != nil {
			s.obs.RateLimited(method)
		}
		if !ok {
			return err
		}
		if attempt >= s.maxRetries {
			return &rateLimited{rl}
		}
		s.pauseMethod(method, time.Now().Add(rl.RetryAfter))
		s.log.WarnContext(ctx, "slack rate limited", "method", method, "retry_after", rl.RetryAfter, "attempt", attempt+1)
	}
}

// pauseMethod holds every call of method until until, unless a longer pause is already set.
func (s *sender) pauseMethod(method string, until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if until.After(s.pause[method]) {
		s.pause[method] = until
	}
}

// rateLimited is a 429 that outlasted the sender's retries. Its RetryAfter method is how the
// scheduler learns to hold all sending for that long (see scheduler.Poster); slack-go's own error
// has the duration only as a field.
type rateLimited struct{ err *slack.RateLimitedError }

func (e *rateLimited) Error() string             { return e.err.Error() }
func (e *rateLimited) Unwrap() error             { return e.err }
func (e *rateLimited) RetryAfter() time.Duration { return e.err.RetryAfter }

// wait reserves the caller's turn and returns how long to sleep until it.
func (s *sender) wait(method, channel string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	at := now
	if p := s.pause[method]; p.After(at) {
		at = p
	}
	if channel != "" {
		if n := s.next[channel]; n.After(at) {
			at = n
		}
		s.next[channel] = at.Add(s.interval)
		if len(s.next) > 4096 {
			// Entries in the past constrain nothing; drop them so the map tracks only
			// channels posted to in the last interval.
			for ch, n := range s.next {
				if n.Before(now) {
					delete(s.next, ch)
				}
			}
		}
	}
	return at.Sub(now)
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// dmCache maps team/user to the DM channel ID.
type dmCache struct {
	mu sync.Mutex
	m  map[string]string
}

func (c *dmCache) get(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch, ok := c.m[key]
	return ch, ok
}

func (c *dmCache) put(key, ch string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = ch
}

// zoneCache remembers reps' time zones. users.info is Tier 4 (about 100 a minute): plenty for
// one lookup per rep per few hours, not for one per message.
type zoneCache struct {
	ttl    time.Duration
	def    *time.Location
	lookup func(ctx context.Context, user string) (string, error)
	log    *slog.Logger

	sf singleflight.Group // one users.info call per rep, however many messages arrive at once
	mu sync.Mutex
	m  map[string]zoneEntry
}

type zoneEntry struct {
	loc     *time.Location
	expires time.Time
}

// zoneRetry is how long a failed lookup falls back to the default zone before trying again;
// zoneLookupTimeout bounds one users.info call.
const (
	zoneRetry         = 5 * time.Minute
	zoneLookupTimeout = 10 * time.Second
)

func newZoneCache(ttl time.Duration, def *time.Location, lookup func(context.Context, string) (string, error)) *zoneCache {
	return &zoneCache{ttl: ttl, def: def, lookup: lookup, m: map[string]zoneEntry{}}
}

func (c *zoneCache) cached(key string) (zoneEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	return e, ok
}

// get returns the rep's zone, or the default when Slack has none or can't be asked.
func (c *zoneCache) get(ctx context.Context, team, user string) *time.Location {
	key := team + "/" + user
	if e, ok := c.cached(key); ok && time.Now().Before(e.expires) {
		return e.loc
	}
	v, _, _ := c.sf.Do(key, func() (any, error) {
		loc, ttl := c.def, c.ttl
		// Callers share this lookup, so it must not die with the first caller's deadline.
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), zoneLookupTimeout)
		defer cancel()
		name, err := c.lookup(lctx, user)
		switch {
		case err != nil:
			ttl = zoneRetry
			if c.log != nil {
				c.log.WarnContext(ctx, "user zone lookup failed", "err", err, "user", user)
			}
		case name != "":
			if l, err := time.LoadLocation(name); err == nil {
				loc = l
			}
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		c.m[key] = zoneEntry{loc: loc, expires: time.Now().Add(ttl)}
		return loc, nil
	})
	return v.(*time.Location)
}

// memoryDeduper remembers event IDs in this process. It is the fallback when no shared Deduper
// is configured; with several replicas only a shared one (Redis) catches cross-replica copies.
type memoryDeduper struct {
	ttl  time.Duration
	mu   sync.Mutex
	seen map[string]time.Time
}

func newMemoryDeduper(ttl time.Duration) *memoryDeduper {
	return &memoryDeduper{ttl: ttl, seen: map[string]time.Time{}}
}

// FirstDelivery implements Deduper.
func (d *memoryDeduper) FirstDelivery(_ context.Context, team, eventID string) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	key := team + "/" + eventID
	if exp, ok := d.seen[key]; ok && now.Before(exp) {
		return false, nil
	}
	if len(d.seen) > 10000 {
		for k, exp := range d.seen {
			if !now.Before(exp) {
				delete(d.seen, k)
			}
		}
	}
	d.seen[key] = now.Add(d.ttl)
	return true, nil
}

// disconnectSniffer reads slack-go's socket-mode debug log for one thing: the disconnect
// messages Slack sends. slack-go v0.36.0 handles them internally and keeps the reason to itself,
// but link_disabled means no reconnect can work until someone re-enables Socket Mode, and an
// operator needs to see that. Every other debug line (they include message text) is dropped.
type disconnectSniffer struct {
	log   *slog.Logger
	fatal chan<- error
}

// Output implements slack-go's logger interface.
func (d *disconnectSniffer) Output(_ int, line string) error {
	const received = "Received WebSocket message: "
	if rest, ok := strings.CutPrefix(line, "Reconnecting due to "); ok {
		d.log.Info("slack reconnecting", "cause", strings.TrimSpace(rest))
		return nil
	}
	_, body, found := strings.Cut(line, received)
	if !found || !strings.Contains(body, `"disconnect"`) {
		return nil
	}
	var msg struct{ Type, Reason string }
	_ = json.Unmarshal([]byte(strings.TrimSpace(body)), &msg) // unreadable leaves msg empty
	if msg.Type != "disconnect" {
		return nil
	}
	if msg.Reason == "link_disabled" {
		select {
		case d.fatal <- ErrLinkDisabled:
		default:
		}
		return nil
	}
	d.log.Info("slack disconnect requested", "reason", msg.Reason)
	return nil
}
