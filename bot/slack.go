package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"campaignbot/commands"
)

// SlackConfig configures the Slack adapter. The zero value of every optional field is a
// production default.
type SlackConfig struct {
	BotToken string // xoxb-…, for every Web API call
	AppToken string // xapp-…, only for apps.connections.open
	// APIURL is the Web API base URL ending in "/" (SLACK_API_URL); "" means Slack's own.
	APIURL string
	// Dedupe remembers Events API event IDs so a redelivered event is handled once, across
	// replicas. nil keeps them in this process only, which is enough for a single replica.
	Dedupe Deduper
	// DefaultLocation is the zone for reps whose Slack profile has none, or when users.info
	// fails. nil means UTC.
	DefaultLocation *time.Location
	// Workers bounds how many messages are handled at once; default 8.
	Workers int
	// HandlerTimeout bounds one message's handling, including its replies; default 15s.
	HandlerTimeout time.Duration
	// PingInterval is how long the socket may go without a ping from Slack before it is
	// considered dead and reopened; default 30s.
	PingInterval time.Duration
	// ChannelInterval is the minimum gap between two messages to one channel; default 1s,
	// Slack's documented chat.postMessage limit.
	ChannelInterval time.Duration
	// ZoneTTL is how long a rep's time zone from users.info is trusted; default 6h.
	ZoneTTL time.Duration
	// MaxRetries is how many times a rate-limited Web API call is retried; default 3.
	MaxRetries int
	// Observer is told of envelopes, acks, handler errors and rate limits; nil means nobody.
	Observer Observer
}

// Deduper reports whether an event is seen for the first time. storage.Store implements it with
// SET NX and an expiry, so two replicas that each receive a copy handle it once.
type Deduper interface {
	FirstDelivery(ctx context.Context, team, eventID string) (bool, error)
}

// HomeHandler is implemented by handlers that can render a rep's App Home tab. Its Reply's Text
// holds sections separated by blank lines.
type HomeHandler interface {
	Home(ctx context.Context, m commands.Message) commands.Reply
}

// ErrLinkDisabled is returned by Run when Slack reports that Socket Mode was turned off for the
// app: no reconnect can succeed until someone turns it back on.
var ErrLinkDisabled = errors.New("slack socket mode is disabled for this app (link_disabled): enable Socket Mode in the app settings")

// Slack is the Slack adapter: it receives messages over Socket Mode and answers through the Web
// API. DM and Post may be called from other goroutines (the scheduler) while Run runs.
type Slack struct {
	cfg    SlackConfig
	log    *slog.Logger
	api    *slack.Client
	dedupe Deduper
	send   *sender
	zones  *zoneCache
	dms    *dmCache
	obs    Observer

	connected atomic.Bool // the socket is up; see Connected

	sem chan struct{} // one token per running handler
	wg  sync.WaitGroup

	mu      sync.Mutex // guards botUser and botID, set by Run after auth.test
	botUser string
	botID   string
}

// NewSlack returns a Slack adapter. It does not connect until Run.
func NewSlack(cfg SlackConfig, log *slog.Logger) *Slack {
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.HandlerTimeout <= 0 {
		cfg.HandlerTimeout = 15 * time.Second
	}
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = 30 * time.Second
	}
	if cfg.ChannelInterval <= 0 {
		cfg.ChannelInterval = time.Second
	}
	if cfg.ZoneTTL <= 0 {
		cfg.ZoneTTL = 6 * time.Hour
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 3
	}
	if cfg.DefaultLocation == nil {
		cfg.DefaultLocation = time.UTC
	}
	opts := []slack.Option{slack.OptionAppLevelToken(cfg.AppToken)}
	if cfg.APIURL != "" {
		opts = append(opts, slack.OptionAPIURL(cfg.APIURL))
	}
	// No slack.OptionRetry: its retries sleep per goroutine, while the sender pauses every
	// caller of a rate-limited method together (see sender.do).
	api := slack.New(cfg.BotToken, opts...)
	dd := cfg.Dedupe
	if dd == nil {
		dd = newMemoryDeduper(time.Hour)
	}
	obs := cfg.Observer
	if obs == nil {
		obs = nopObserver{}
	}
	s := &Slack{
		cfg:    cfg,
		log:    log,
		api:    api,
		dedupe: dd,
		send:   newSender(cfg.ChannelInterval, cfg.MaxRetries, log),
		dms:    &dmCache{m: map[string]string{}},
		obs:    obs,
		sem:    make(chan struct{}, cfg.Workers),
	}
	s.send.obs = obs
	s.zones = newZoneCache(cfg.ZoneTTL, cfg.DefaultLocation, s.lookupZone)
	s.zones.log = log
	return s
}

// Run connects to Slack and handles messages with h until ctx ends. Shutdown is ordered: stop
// reading new envelopes (Slack redelivers unacknowledged events to another connection), let
// in-flight handlers finish and send their replies, then close the socket. It returns nil when
// ctx ends, and an error when the tokens are rejected or Socket Mode is disabled.
func (s *Slack) Run(ctx context.Context, h Handler) error {
	var auth *slack.AuthTestResponse
	err := s.send.do(ctx, "auth.test", "", func(ctx context.Context) (err error) {
		auth, err = s.api.AuthTestContext(ctx)
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("slack auth.test: %w", err)
	}
	s.setBot(auth.UserID, auth.BotID)
	s.log.InfoContext(ctx, "slack authenticated", "team_id", auth.TeamID, "bot_user", auth.UserID)

	fatal := make(chan error, 1)
	sm := socketmode.New(s.api,
		socketmode.OptionPingInterval(s.cfg.PingInterval),
		// Debug output is the only place slack-go v0.36.0 reveals why Slack disconnected;
		// the sniffer reads it and drops the rest, which holds message content.
		socketmode.OptionDebug(true),
		socketmode.OptionLog(&disconnectSniffer{log: s.log, fatal: fatal}),
	)
	smCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	smDone := make(chan error, 1)
	go func() { smDone <- sm.RunContext(smCtx) }()

	var runErr error
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err := <-fatal:
			s.log.ErrorContext(ctx, "slack socket mode disabled", "err", err)
			runErr = err
			break loop
		case err := <-smDone:
			smDone = nil
			runErr = fmt.Errorf("slack socket mode: %w", err)
			s.log.ErrorContext(ctx, "slack connection gave up", "err", err)
			break loop
		case evt := <-sm.Events:
			s.dispatch(ctx, sm, h, evt)
		}
	}
	s.connected.Store(false)
	s.log.InfoContext(ctx, "slack draining handlers")
	s.wg.Wait()
	cancel()
	if smDone != nil {
		if err := <-smDone; err != nil && !errors.Is(err, context.Canceled) {
			s.log.WarnContext(ctx, "slack socket closed with error", "err", err)
		}
	}
	s.log.InfoContext(ctx, "slack stopped")
	return runErr
}

// dispatch acknowledges an envelope and hands its work to the pool. It runs on the event loop,
// so it never waits for Slack or Redis; the only wait is for a free worker.
func (s *Slack) dispatch(ctx context.Context, sm *socketmode.Client, h Handler, evt socketmode.Event) {
	start := time.Now()
	if evt.Request != nil && evt.Request.EnvelopeID != "" {
		s.obs.EventReceived(evt.Request.Type)
	}
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		s.connected.Store(false)
		s.log.DebugContext(ctx, "slack connecting")
	case socketmode.EventTypeConnected:
		s.connected.Store(true)
		s.log.InfoContext(ctx, "slack connected")
	case socketmode.EventTypeHello:
		if evt.Request != nil {
			s.log.DebugContext(ctx, "slack hello", "num_connections", evt.Request.NumConnections)
		}
	case socketmode.EventTypeConnectionError:
		s.connected.Store(false)
		if e, ok := evt.Data.(*slack.ConnectionErrorEvent); ok {
			s.log.WarnContext(ctx, "slack connection failed", "attempt", e.Attempt, "backoff", e.Backoff, "err", e.ErrorObj)
		}
	case socketmode.EventTypeInvalidAuth:
		s.log.ErrorContext(ctx, "slack rejected the app token")
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage, socketmode.EventTypeErrorWriteFailed:
		s.log.WarnContext(ctx, "slack socket error", "type", string(evt.Type), "err", socketErr(evt.Data))
	case socketmode.EventTypeEventsAPI:
		s.ack(ctx, sm, evt.Request, start, nil)
		if ea, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
			s.spawn(ctx, func(ctx context.Context) { s.onEvent(ctx, h, ea) })
		}
	case socketmode.EventTypeSlashCommand:
		s.ack(ctx, sm, evt.Request, start, nil)
		if cmd, ok := evt.Data.(slack.SlashCommand); ok {
			s.spawn(ctx, func(ctx context.Context) { s.onSlash(ctx, h, cmd) })
		}
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if ok && cb.Type == slack.InteractionTypeViewSubmission && evt.Request != nil {
			// The one envelope acked after the work: field errors can only go back in the ack.
			// onSubmit acks within submitBudget whatever happens.
			env := evt.Request.EnvelopeID
			s.spawn(ctx, func(ctx context.Context) { s.onSubmit(ctx, sm, env, start, h, cb) })
			return
		}
		s.ack(ctx, sm, evt.Request, start, nil)
		if ok && cb.Type == slack.InteractionTypeBlockActions {
			s.spawn(ctx, func(ctx context.Context) { s.onAction(ctx, h, cb) })
		}
	default:
		// Unknown envelope types are acknowledged so Slack doesn't retry what we can't use.
		s.ack(ctx, sm, evt.Request, start, nil)
	}
}

// ack acknowledges an envelope received at start, with an optional response payload.
func (s *Slack) ack(ctx context.Context, sm *socketmode.Client, req *socketmode.Request, start time.Time, payload any) {
	if req == nil || req.EnvelopeID == "" {
		return
	}
	s.ackID(ctx, sm, req.Type, req.EnvelopeID, start, payload)
}

func (s *Slack) ackID(ctx context.Context, sm *socketmode.Client, kind, envelopeID string, start time.Time, payload any) {
	if err := sm.AckCtx(ctx, envelopeID, payload); err != nil {
		s.log.WarnContext(ctx, "slack ack failed", "envelope_id", envelopeID, "err", err)
		return
	}
	s.obs.Acked(kind, time.Since(start))
}

// spawn runs fn on the worker pool with its own deadline, detached from ctx so a handler that
// started before shutdown finishes its work and its reply. It blocks while all workers are busy,
// which bounds memory: handlers end within HandlerTimeout, so the wait is bounded too.
func (s *Slack) spawn(ctx context.Context, fn func(ctx context.Context)) {
	s.sem <- struct{}{}
	s.wg.Go(func() {
		defer func() { <-s.sem }()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.HandlerTimeout)
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				s.obs.HandlerError()
				s.log.ErrorContext(ctx, "slack handler panicked", "err", fmt.Errorf("panic: %v", p), "stack", string(debug.Stack()))
			}
		}()
		fn(ctx)
	})
}

// handle runs one command. A panic in the handler becomes an internal error: logged once, and
// the rep gets the standard apology rather than silence.
func (s *Slack) handle(ctx context.Context, h Handler, m commands.Message) commands.Reply {
	r, panicked := safeHandle(ctx, s.log, h, m)
	if panicked || r.Failed {
		s.obs.HandlerError()
	}
	return r
}

// safeHandle runs h.Handle, turning a panic into one logged internal error and the apology, so
// one bad message cannot take the bot down. Both adapters call it.
func safeHandle(ctx context.Context, log *slog.Logger, h Handler, m commands.Message) (r commands.Reply, panicked bool) {
	defer func() {
		if p := recover(); p != nil {
			log.ErrorContext(ctx, "command failed", "err", fmt.Errorf("panic: %v", p), "user", m.User, "channel", m.Channel, "stack", string(debug.Stack()))
			r, panicked = commands.Reply{Text: apology, Refused: true, Failed: true}, true
		}
	}()
	return h.Handle(ctx, m), false
}

// home renders the App Home with the same panic guard as handle.
func (s *Slack) home(ctx context.Context, hh HomeHandler, m commands.Message) (r commands.Reply, ok bool) {
	defer func() {
		if p := recover(); p != nil {
			s.obs.HandlerError()
			s.log.ErrorContext(ctx, "home failed", "err", fmt.Errorf("panic: %v", p), "user", m.User, "stack", string(debug.Stack()))
			r, ok = commands.Reply{Text: apology, Failed: true}, true
		}
	}()
	return hh.Home(ctx, m), true
}

func (s *Slack) setBot(user, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.botUser, s.botID = user, id
}

func (s *Slack) bot() (user, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.botUser, s.botID
}

func socketErr(data any) error {
	switch e := data.(type) {
	case *slack.IncomingEventError:
		return e.ErrorObj
	case *socketmode.ErrorBadMessage:
		return e.Cause
	case *socketmode.ErrorWriteFailed:
		return e.Cause
	case error:
		return e
	}
	return fmt.Errorf("%v", data)
}
