package scheduler

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"
)

// task is one claimed member waiting to be handled.
type task struct {
	team, member, token string
	due                 time.Time // the score it was claimed at
}

// sender holds claimed work for the workers: reminders and catch-ups in high, which workers
// always take first, and morning lists and leaderboards in low, so 5,000 morning DMs never delay
// a due reminder by more than one send.
type sender struct {
	high, low chan task
	room      chan struct{} // signalled when a worker takes a task, so a stalled claimer resumes
	lim       *limiter
}

func newSender(cfg Config) *sender {
	return &sender{
		high: make(chan task, cfg.QueueSize),
		low:  make(chan task, max(cfg.QueueSize/4, 1)),
		room: make(chan struct{}, 1),
		lim:  newLimiter(cfg.SendRate, cfg.SendBurst, cfg.ChannelGap),
	}
}

// free returns how many reminders and jobs the queues can take now.
func (q *sender) free() (due, jobs int) {
	return cap(q.high) - len(q.high), cap(q.low) - len(q.low)
}

// enqueue queues claimed members, oldest first. Only the claiming goroutine sends on the queues
// and it claimed no more than free() allowed, but catch-up jobs go to high while counted against
// low; one that does not fit is released rather than blocking the claimer.
func (q *sender) enqueue(ctx context.Context, s *Scheduler, team, token string, claimed map[string]time.Time) {
	tasks := make([]task, 0, len(claimed))
	for m, due := range claimed {
		tasks = append(tasks, task{team: team, member: m, token: token, due: due})
	}
	slices.SortFunc(tasks, func(a, b task) int { return cmp.Compare(a.due.UnixMilli(), b.due.UnixMilli()) })
	var overflow []string
	for _, t := range tasks {
		ch := q.low
		if t.highPriority() {
			ch = q.high
		}
		select {
		case ch <- t:
		default:
			overflow = append(overflow, t.member)
		}
	}
	if len(overflow) > 0 {
		if err := s.store.ReleaseClaims(ctx, team, token, overflow); err != nil {
			s.log.WarnContext(ctx, "release claims", "team", team, "count", len(overflow), "err", err)
		}
	}
}

// highPriority is true for reminders and catch-ups: a person is waiting on those.
func (t task) highPriority() bool {
	return !strings.Contains(t.member, ":") || strings.HasPrefix(t.member, catchUpPrefix)
}

// next returns the next task, reminders first, or false once ctx has ended.
func (q *sender) next(ctx context.Context) (task, bool) {
	if ctx.Err() != nil {
		return task{}, false
	}
	select {
	case t := <-q.high:
		return t, true
	default:
	}
	select {
	case t := <-q.high:
		return t, true
	case t := <-q.low:
		return t, true
	case <-ctx.Done():
		return task{}, false
	}
}

// taken tells the claimer there is room again.
func (q *sender) taken() {
	select {
	case q.room <- struct{}{}:
	default:
	}
}

// drain empties both queues; it is called after the workers stopped.
func (q *sender) drain() []task {
	var out []task
	for {
		select {
		case t := <-q.high:
			out = append(out, t)
		case t := <-q.low:
			out = append(out, t)
		default:
			return out
		}
	}
}

// work is one sender goroutine. A task it has started is finished even after ctx ends, on a
// context that outlives ctx by at most half a lease, so a message is not cut off mid-send.
func (s *Scheduler) work(ctx context.Context, q *sender) {
	for {
		t, ok := q.next(ctx)
		if !ok {
			return
		}
		q.taken()
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.Lease/2)
		if err := s.handle(ctx, hctx, q, t); err != nil {
			s.log.ErrorContext(hctx, "scheduled message failed", "team", t.team, "member", t.member, "err", err)
		}
		cancel()
	}
}

// handle dispatches a task to its role.
func (s *Scheduler) handle(ctx, hctx context.Context, q *sender, t task) error {
	kind, user, _ := strings.Cut(t.member, ":")
	switch {
	case !strings.Contains(t.member, ":"):
		return s.remind(ctx, hctx, q, t)
	case kind+":" == digestPrefix:
		return s.digest(ctx, hctx, q, t, user)
	case kind+":" == catchUpPrefix:
		return s.catchUp(ctx, hctx, q, t, user)
	case t.member == leaderboardJob:
		return s.leaderboard(ctx, hctx, q, t)
	}
	// An unknown job (from a newer version, say) is dropped rather than retried forever.
	return s.store.AckSend(hctx, t.team, t.member, t.token, "", 0, time.Time{})
}

// retryDelay is how long a message Slack refused (for a reason other than rate limiting) waits
// before the next attempt.
const retryDelay = 5 * time.Minute

// errStopped reports that the replica stopped before the message could go out.
var errStopped = errors.New("scheduler stopped before sending")

// delivery is one message about to go out.
type delivery struct {
	kind    string // for Observer.MessageSent
	channel string // rate-limit key: one DM or channel
	occ     string // the occurrence, for the sent marker
	send    func(ctx context.Context) error
	// ack records the delivery and ends the lease; finish ends it without a delivery (the
	// occurrence had been delivered already, or the lease was lost).
	ack, finish func(ctx context.Context) error
}

// deliver sends d once: it waits for the rate limiter, confirms the claim with BeginSend, sends,
// and acks. A rate-limited send is retried after Retry-After; any other failure re-queues the
// work for retryDelay later.
func (s *Scheduler) deliver(ctx, hctx context.Context, q *sender, t task, d delivery) error {
	for attempt := 0; ; attempt++ {
		if err := q.lim.wait(ctx, d.channel); err != nil {
			// Stopping: hand the work back at once rather than leaving it to the lease.
			if rerr := s.store.ReleaseClaims(hctx, t.team, t.token, []string{t.member}); rerr != nil {
				return errors.Join(errStopped, rerr)
			}
			return nil
		}
		ok, err := s.store.BeginSend(hctx, t.team, t.member, t.token, d.occ, s.now(), s.cfg.Lease)
		if err != nil {
			return err
		}
		if !ok {
			return d.finish(hctx)
		}
		err = d.send(hctx)
		if err == nil {
			s.cfg.Observer.MessageSent(d.kind)
			return d.ack(hctx)
		}
		var ra interface{ RetryAfter() time.Duration }
		if errors.As(err, &ra) && attempt < 3 && hctx.Err() == nil {
			q.lim.pause(ra.RetryAfter())
			s.log.WarnContext(hctx, "rate limited", "retry_after", ra.RetryAfter())
			continue
		}
		if derr := s.store.DeferClaim(hctx, t.team, t.member, t.token, s.now().Add(retryDelay)); derr != nil {
			return errors.Join(err, derr)
		}
		return err
	}
}

// limiter spaces sends: a workspace-wide rate with a small burst, a minimum gap per channel,
// and a pause after Slack answers 429 with Retry-After. It uses real time, which a synctest
// bubble fakes.
type limiter struct {
	mu       sync.Mutex
	interval time.Duration // between sends at the steady rate; 0 means unlimited
	burst    time.Duration // how far next may lag behind now: (burst-1) intervals
	gap      time.Duration
	next     time.Time // the next free slot at the steady rate
	paused   time.Time
	last     map[string]time.Time // channel → its last slot
}

func newLimiter(rate float64, burst int, gap time.Duration) *limiter {
	l := &limiter{gap: max(gap, 0), last: make(map[string]time.Time)}
	if rate > 0 {
		l.interval = time.Duration(float64(time.Second) / rate)
		l.burst = time.Duration(max(burst, 1)-1) * l.interval
	}
	return l
}

// reserve takes the caller's slot for channel and returns when it begins: after any pause, the
// workspace budget's next slot and the channel's gap.
func (l *limiter) reserve(now time.Time, channel string) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	at := now
	if l.paused.After(at) {
		at = l.paused
	}
	if l.interval > 0 {
		slot := l.next
		if floor := now.Add(-l.burst); slot.Before(floor) {
			slot = floor
		}
		l.next = slot.Add(l.interval)
		if slot.After(at) {
			at = slot
		}
	}
	if l.gap > 0 {
		if prev, ok := l.last[channel]; ok && prev.Add(l.gap).After(at) {
			at = prev.Add(l.gap)
		}
		l.last[channel] = at
		if len(l.last) > 10000 {
			for k, v := range l.last {
				if v.Add(l.gap).Before(now) {
					delete(l.last, k)
				}
			}
		}
	}
	return at
}

// wait blocks until channel may be sent to, reserving the slot, or returns ctx's error.
func (l *limiter) wait(ctx context.Context, channel string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	now := time.Now()
	at := l.reserve(now, channel)
	if d := at.Sub(now); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// pause holds every send for d, as Slack's Retry-After asks.
func (l *limiter) pause(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until := time.Now().Add(d); until.After(l.paused) {
		l.paused = until
	}
}
