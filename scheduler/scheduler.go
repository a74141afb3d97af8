package scheduler

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"campaignbot/campaign"
	"campaignbot/commands"
)

// Poster delivers the scheduler's messages. bot.Slack and bot.Console implement it. An error that
// has a RetryAfter() time.Duration method (a Slack 429) pauses all sending for that long and the
// message is retried.
type Poster interface {
	DM(ctx context.Context, team, user string, r commands.Reply) error
	Post(ctx context.Context, team, channel string, r commands.Reply) error
}

// Store is what the scheduler needs from persistence; storage.Store implements it. Work waits in
// per-workspace queues of members: campaign IDs (reminders) and job names such as "d:<user>".
// ClaimDue leases members under a token; each claimed member ends with exactly one of AckSend,
// AckHeld, DeferClaim, HoldClaim or ReleaseClaims, or its lease expires and any replica's next
// ClaimDue re-queues it.
type Store interface {
	// Teams lists the workspaces that have data.
	Teams(ctx context.Context) ([]string, error)
	// Wake delivers team IDs whose earliest due time moved earlier; "" means "re-read all".
	Wake(ctx context.Context) (<-chan string, func() error)

	// ClaimDue also reports how many expired leases it put back before claiming.
	ClaimDue(ctx context.Context, team, token string, now time.Time, lease time.Duration, dueLimit, jobLimit int) (claimed map[string]time.Time, head time.Time, recovered int, err error)
	BeginSend(ctx context.Context, team, member, token, occ string, now time.Time, lease time.Duration) (bool, error)
	AckSend(ctx context.Context, team, member, token, occ string, keep time.Duration, next time.Time) error
	DeferClaim(ctx context.Context, team, member, token string, at time.Time) error
	HoldClaim(ctx context.Context, team, id, token, user, catchUp string, due, at time.Time) error
	Held(ctx context.Context, team, user string) (map[string]time.Time, error)
	AckHeld(ctx context.Context, team, job, token, occ string, keep time.Duration, user string, ids []string) error
	ReleaseClaims(ctx context.Context, team, token string, members []string) error
	ArmJob(ctx context.Context, team, job string, at time.Time) error
	UnarmedReps(ctx context.Context, team, prefix string) ([]string, error)

	Get(ctx context.Context, team, id string) (campaign.Campaign, error)
	Notes(ctx context.Context, team, id string, limit int) ([]campaign.Note, error)
	Open(ctx context.Context, team, owner string) ([]campaign.Campaign, error)
	OpenAll(ctx context.Context, team string) (map[string][]campaign.Campaign, error)
	Qualified(ctx context.Context, team string) (map[string]campaign.Qualification, error)
	Rep(ctx context.Context, team, user string) (campaign.Rep, error)
	Reps(ctx context.Context, team string) ([]campaign.Rep, error)

	OnTime(ctx context.Context, team, week string) (done, onTime map[string]int, err error)
	Weekly(ctx context.Context, team, week string) (map[string]int, error)
	SaveWeekly(ctx context.Context, team, week string, totals map[string]int) error
}

// Config tunes a Scheduler. Zero values mean the defaults given.
type Config struct {
	// TeamChannel is the channel ID the weekly leaderboard goes to; empty disables it.
	TeamChannel string
	// DefaultLocation is the zone of reps who have none and the team's zone for the leaderboard
	// (default UTC).
	DefaultLocation *time.Location
	// Now is the clock (default time.Now). Waiting uses real timers; tests that need a fake
	// clock run in a testing/synctest bubble or shift Now by a constant.
	Now func() time.Time
	// Lease is how long a claim is held before another replica may take it over (default 30s).
	// It must exceed the time a claimed message waits in the queue plus one send.
	Lease time.Duration
	// CatchUpWindow: a reminder found later than this after its time is not sent on its own but
	// listed in one "while I was away" message (default 15m).
	CatchUpWindow time.Duration
	// Recheck is how often every workspace's head is re-read in case a wake-up was lost
	// (default 10s).
	Recheck time.Duration
	// ArmEvery is how often reps without a morning-list job get one (default 5m).
	ArmEvery time.Duration
	// Senders is how many messages may be in flight at once (default 4).
	Senders int
	// SendRate is the workspace-wide budget in messages per second (default 10); SendBurst
	// messages may go at once after a quiet spell (default 5). A negative rate means no limit.
	SendRate  float64
	SendBurst int
	// ChannelGap is the least time between two messages to one channel or DM (default 1s, as
	// Slack asks); negative means none.
	ChannelGap time.Duration
	// QueueSize bounds claimed reminders waiting to be sent by this replica (default 200); the
	// morning lists and leaderboard wait in a quarter of that.
	QueueSize int
	// Grace is the working days a follow-up may stay undone before it lapses (default
	// campaign.DefaultGrace).
	Grace int
	// Observer is told of messages sent and leases recovered; nil means nobody.
	Observer Observer
}

func (c Config) withDefaults() Config {
	if c.DefaultLocation == nil {
		c.DefaultLocation = time.UTC
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	c.Lease = cmp.Or(c.Lease, 30*time.Second)
	c.CatchUpWindow = cmp.Or(c.CatchUpWindow, 15*time.Minute)
	c.Recheck = cmp.Or(c.Recheck, 10*time.Second)
	c.ArmEvery = cmp.Or(c.ArmEvery, 5*time.Minute)
	c.Senders = cmp.Or(c.Senders, 4)
	c.SendRate = cmp.Or(c.SendRate, 10)
	c.SendBurst = cmp.Or(c.SendBurst, 5)
	c.ChannelGap = cmp.Or(c.ChannelGap, time.Second)
	c.QueueSize = cmp.Or(c.QueueSize, 200)
	if c.Grace == 0 {
		c.Grace = campaign.DefaultGrace
	}
	if c.Observer == nil {
		c.Observer = nopObserver{}
	}
	return c
}

// Scheduler sends due reminders, catch-ups, morning lists and leaderboards. Create it with New
// and start it with Run; it is meant to run in every replica at once.
type Scheduler struct {
	store  Store
	poster Poster
	cfg    Config
	log    *slog.Logger

	replica string        // random per process, the prefix of every claim token
	seq     atomic.Uint64 // numbers tokens within the process

	zonesMu sync.Mutex
	zones   map[string]*time.Location
}

// New returns a scheduler that claims work from store and delivers through poster.
func New(store Store, poster Poster, cfg Config, log *slog.Logger) *Scheduler {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return &Scheduler{
		store: store, poster: poster, cfg: cfg.withDefaults(), log: log,
		replica: hex.EncodeToString(b[:]), zones: make(map[string]*time.Location),
	}
}

func (s *Scheduler) now() time.Time { return s.cfg.Now() }

func (s *Scheduler) token() string {
	return s.replica + "." + strconv.FormatUint(s.seq.Add(1), 36)
}

// claimBatch caps one claim call so a script stays short while other clients wait on Redis.
const claimBatch = 100

// Run claims and sends due work until ctx ends, then stops claiming, finishes the sends in
// flight, releases the claims still queued and returns nil. Errors talking to Redis or Slack are
// logged and retried; they never end Run.
func (s *Scheduler) Run(ctx context.Context) error {
	wake, stopWake := s.store.Wake(ctx)
	snd := newSender(s.cfg)
	var wg sync.WaitGroup
	for range s.cfg.Senders {
		wg.Go(func() { s.work(ctx, snd) })
	}
	s.loop(ctx, wake, snd)

	// Stop intake happened above; the workers finish what they started.
	wg.Wait()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	s.releaseQueued(rctx, snd)
	if err := stopWake(); err != nil {
		s.log.WarnContext(rctx, "close wake subscription", "err", err)
	}
	return nil
}

// loop is the claiming side: one goroutine that keeps every workspace's next due instant and
// sleeps until the earliest.
func (s *Scheduler) loop(ctx context.Context, wake <-chan string, snd *sender) {
	l := &claimer{s: s, snd: snd, heads: make(map[string]time.Time), stalled: make(map[string]bool)}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	recheck := time.NewTicker(s.cfg.Recheck)
	defer recheck.Stop()

	l.refresh(ctx)
	l.arm(ctx)
	lastArm := s.now()
	for {
		l.pollDue(ctx)
		if wait, ok := l.wait(); ok {
			timer.Reset(wait)
		} else {
			timer.Stop()
		}
		select {
		case <-ctx.Done():
			return
		case team, ok := <-wake:
			switch {
			case !ok:
				wake = nil // subscription gone for good; Recheck still finds the work
			case team == "":
				l.refresh(ctx)
			default:
				l.poll(ctx, team)
			}
		case <-timer.C:
		case <-snd.room:
			clear(l.stalled)
		case <-recheck.C:
			l.refresh(ctx)
			if now := s.now(); now.Sub(lastArm) >= s.cfg.ArmEvery {
				l.arm(ctx)
				lastArm = now
			}
		}
	}
}

// claimer is the state of loop.
type claimer struct {
	s     *Scheduler
	snd   *sender
	heads map[string]time.Time // team → next instant its queues need attention
	// stalled marks teams with due work but no queue room; they wait for a room signal.
	stalled map[string]bool
}

// refresh re-reads the workspace list and every head (claiming what is due).
func (l *claimer) refresh(ctx context.Context) {
	teams, err := l.s.store.Teams(ctx)
	if err != nil {
		if ctx.Err() == nil {
			l.s.log.ErrorContext(ctx, "list teams", "err", err)
		}
		return
	}
	for _, team := range teams {
		l.poll(ctx, team)
	}
}

// poll claims what is due in team while there is queue room, and records the team's next head.
func (l *claimer) poll(ctx context.Context, team string) {
	for ctx.Err() == nil {
		dueRoom, jobRoom := l.snd.free()
		dueRoom, jobRoom = min(dueRoom, claimBatch), min(jobRoom, claimBatch)
		now := l.s.now()
		token := l.s.token()
		claimed, head, recovered, err := l.s.store.ClaimDue(ctx, team, token, now, l.s.cfg.Lease, dueRoom, jobRoom)
		if recovered > 0 {
			l.s.log.InfoContext(ctx, "leases recovered", "team", team, "count", recovered)
			l.s.cfg.Observer.LeasesRecovered(recovered)
		}
		if err != nil {
			if ctx.Err() == nil {
				l.s.log.ErrorContext(ctx, "claim due work", "team", team, "err", err)
				l.heads[team] = now.Add(time.Second) // retry soon, without spinning
			}
			return
		}
		if head.IsZero() {
			delete(l.heads, team)
		} else {
			l.heads[team] = head
		}
		l.stalled[team] = !head.After(now) && len(claimed) == 0
		l.snd.enqueue(ctx, l.s, team, token, claimed)
		if len(claimed) == 0 || len(claimed) < dueRoom+jobRoom {
			return
		}
	}
}

// pollDue polls every team whose head has come, unless it is waiting for queue room.
func (l *claimer) pollDue(ctx context.Context) {
	now := l.s.now()
	for team, at := range l.heads {
		if !at.After(now) && !l.stalled[team] {
			l.poll(ctx, team)
		}
	}
}

// wait returns how long to sleep until the earliest head that is not stalled.
func (l *claimer) wait() (time.Duration, bool) {
	var next time.Time
	for team, at := range l.heads {
		if !l.stalled[team] && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	if next.IsZero() {
		return 0, false
	}
	return max(next.Sub(l.s.now()), 0), true
}

// arm gives every rep a morning-list job and each workspace its leaderboard job, if missing.
// Failures after ctx ended are the shutdown itself, not worth an error line.
func (l *claimer) arm(ctx context.Context) {
	teams, err := l.s.store.Teams(ctx)
	if err != nil {
		return // refresh logs the same failure
	}
	now := l.s.now()
	for _, team := range teams {
		users, err := l.s.store.UnarmedReps(ctx, team, digestPrefix)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			l.s.log.ErrorContext(ctx, "list reps without a morning list", "team", team, "err", err)
			continue
		}
		for _, u := range users {
			rep, err := l.s.rep(ctx, team, u)
			if err == nil {
				err = l.s.store.ArmJob(ctx, team, digestPrefix+u, l.s.nextDigest(rep, now))
			}
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				l.s.log.ErrorContext(ctx, "arm morning list", "team", team, "user", u, "err", err)
			}
		}
		if l.s.cfg.TeamChannel != "" {
			if err := l.s.store.ArmJob(ctx, team, leaderboardJob, l.s.nextLeaderboard(now)); err != nil && ctx.Err() == nil {
				l.s.log.ErrorContext(ctx, "arm leaderboard", "team", team, "err", err)
			}
		}
	}
}

// releaseQueued gives back every claim still waiting in the queues, grouped per claim call.
func (s *Scheduler) releaseQueued(ctx context.Context, snd *sender) {
	type batch struct{ team, token string }
	groups := make(map[batch][]string)
	for _, t := range snd.drain() {
		b := batch{t.team, t.token}
		groups[b] = append(groups[b], t.member)
	}
	for b, members := range groups {
		if err := s.store.ReleaseClaims(ctx, b.team, b.token, members); err != nil {
			s.log.WarnContext(ctx, "release claims", "team", b.team, "count", len(members), "err", err)
		}
	}
}

// rep returns user's settings with defaults applied.
func (s *Scheduler) rep(ctx context.Context, team, user string) (campaign.Rep, error) {
	r, err := s.store.Rep(ctx, team, user)
	if err != nil {
		return campaign.Rep{}, err
	}
	return r.WithDefaults(s.cfg.DefaultLocation.String()), nil
}

// zone loads an IANA zone once per process; an unknown name falls back to the default zone.
func (s *Scheduler) zone(name string) *time.Location {
	s.zonesMu.Lock()
	defer s.zonesMu.Unlock()
	if loc, ok := s.zones[name]; ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" {
		loc = s.cfg.DefaultLocation
	}
	s.zones[name] = loc
	return loc
}
