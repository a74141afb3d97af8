package scheduler_test

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"campaignbot/campaign"
	"campaignbot/commands"
	"campaignbot/scheduler"
)

// memStore is an in-memory stand-in for storage.Store with the same queue semantics as its Lua
// scripts (claim into a lease, recover expired leases, per-occurrence sent markers). It also
// implements commands.Store, so tests press the same buttons a rep would. It never blocks on I/O,
// which is what lets the scheduler run inside a testing/synctest bubble.
type memStore struct {
	mu        sync.Mutex
	seq       int
	campaigns map[string]campaign.Campaign // "team/id"
	notes     map[string][]campaign.Note   // "team/id"
	reps      map[string]campaign.Rep      // "team/user"
	qualified map[string]map[string]campaign.Qualification
	queues    map[string]*memQueues // team
	touches   []touch
	weekly    map[string]map[string]int // "team/week"
	wakes     []chan string
}

type touch struct {
	team, user  string
	due, doneAt time.Time
}

type memQueues struct {
	due, jobs, lease map[string]time.Time
	claims           map[string]memClaim
	held             map[string]map[string]time.Time // user → id → due
	sent             map[string]bool
}

type memClaim struct {
	token string
	score time.Time
}

var (
	_ scheduler.Store = (*memStore)(nil)
	_ commands.Store  = (*memStore)(nil)
)

func newMemStore() *memStore {
	return &memStore{
		campaigns: make(map[string]campaign.Campaign), notes: make(map[string][]campaign.Note),
		reps: make(map[string]campaign.Rep), qualified: make(map[string]map[string]campaign.Qualification),
		queues: make(map[string]*memQueues), weekly: make(map[string]map[string]int),
	}
}

func (m *memStore) q(team string) *memQueues {
	q, ok := m.queues[team]
	if !ok {
		q = &memQueues{
			due: map[string]time.Time{}, jobs: map[string]time.Time{}, lease: map[string]time.Time{},
			claims: map[string]memClaim{}, held: map[string]map[string]time.Time{}, sent: map[string]bool{},
		}
		m.queues[team] = q
	}
	return q
}

func isJob(member string) bool { return strings.Contains(member, ":") }

func (q *memQueues) home(member string) map[string]time.Time {
	if isJob(member) {
		return q.jobs
	}
	return q.due
}

func earliest(m map[string]time.Time) (string, time.Time) {
	var best string
	var at time.Time
	for k, v := range m {
		if at.IsZero() || v.Before(at) || v.Equal(at) && k < best {
			best, at = k, v
		}
	}
	return best, at
}

// wakeIfHead mimics the scripts' PUBLISH when member became the head of zset. Callers hold mu.
func (m *memStore) wakeIfHead(team string, zset map[string]time.Time, member string) {
	if head, _ := earliest(zset); head == member {
		for _, ch := range m.wakes {
			select {
			case ch <- team:
			default:
			}
		}
	}
}

// --- scheduler.Store ---

func (m *memStore) Teams(context.Context) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for t := range m.queues {
		out = append(out, t)
	}
	slices.Sort(out)
	return out, nil
}

func (m *memStore) Wake(ctx context.Context) (<-chan string, func() error) {
	ch := make(chan string, 64)
	ch <- "" // subscribed: re-read everything
	m.mu.Lock()
	m.wakes = append(m.wakes, ch)
	m.mu.Unlock()
	var once sync.Once
	return ch, func() error {
		once.Do(func() {
			m.mu.Lock()
			defer m.mu.Unlock()
			m.wakes = slices.DeleteFunc(m.wakes, func(c chan string) bool { return c == ch })
			close(ch)
		})
		return nil
	}
}

func (m *memStore) ClaimDue(_ context.Context, team, token string, now time.Time, lease time.Duration, dueLimit, jobLimit int) (map[string]time.Time, time.Time, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.q(team)
	recovered := 0
	for member, exp := range q.lease {
		if !exp.After(now) {
			recovered++
			c := q.claims[member]
			delete(q.lease, member)
			delete(q.claims, member)
			if _, ok := q.home(member)[member]; !ok {
				q.home(member)[member] = c.score
			}
		}
	}
	claimed := make(map[string]time.Time)
	claim := func(z map[string]time.Time, limit int) {
		for range limit {
			member, at := earliest(z)
			if member == "" || at.After(now) {
				return
			}
			delete(z, member)
			q.lease[member] = now.Add(lease)
			q.claims[member] = memClaim{token, at}
			claimed[member] = at
		}
	}
	claim(q.due, dueLimit)
	claim(q.jobs, jobLimit)
	var head time.Time
	for _, z := range []map[string]time.Time{q.due, q.jobs, q.lease} {
		if _, at := earliest(z); !at.IsZero() && (head.IsZero() || at.Before(head)) {
			head = at
		}
	}
	return claimed, head, recovered, nil
}

func (q *memQueues) owns(member, token string) bool {
	c, ok := q.claims[member]
	return ok && c.token == token
}

func (q *memQueues) endLease(member string) {
	delete(q.lease, member)
	delete(q.claims, member)
}

func (m *memStore) BeginSend(_ context.Context, team, member, token, occ string, now time.Time, lease time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.q(team)
	if !q.owns(member, token) || !q.lease[member].After(now) || q.sent[occ] {
		return false, nil
	}
	q.lease[member] = now.Add(lease)
	return true, nil
}

func (m *memStore) AckSend(_ context.Context, team, member, token, occ string, _ time.Duration, next time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.q(team)
	if occ != "" {
		q.sent[occ] = true
	}
	if !q.owns(member, token) {
		return nil
	}
	q.endLease(member)
	if !next.IsZero() {
		q.jobs[member] = next
		m.wakeIfHead(team, q.jobs, member)
	}
	return nil
}

func (m *memStore) DeferClaim(_ context.Context, team, member, token string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.q(team)
	if !q.owns(member, token) {
		return nil
	}
	q.endLease(member)
	dest := q.home(member)
	if old, ok := dest[member]; !ok || at.Before(old) {
		dest[member] = at
	}
	m.wakeIfHead(team, dest, member)
	return nil
}

func (m *memStore) HoldClaim(_ context.Context, team, id, token, user, catchUp string, due, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.q(team)
	if !q.owns(id, token) {
		return nil
	}
	q.endLease(id)
	if q.held[user] == nil {
		q.held[user] = make(map[string]time.Time)
	}
	q.held[user][id] = due
	if old, ok := q.jobs[catchUp]; !ok || at.Before(old) {
		q.jobs[catchUp] = at
	}
	m.wakeIfHead(team, q.jobs, catchUp)
	return nil
}

func (m *memStore) Held(_ context.Context, team, user string) (map[string]time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]time.Time)
	maps.Copy(out, m.q(team).held[user])
	return out, nil
}

func (m *memStore) AckHeld(_ context.Context, team, job, token, occ string, _ time.Duration, user string, ids []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.q(team)
	q.sent[occ] = true
	for _, id := range ids {
		delete(q.held[user], id)
	}
	if q.owns(job, token) {
		q.endLease(job)
	}
	return nil
}

func (m *memStore) ReleaseClaims(_ context.Context, team, token string, members []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.q(team)
	for _, member := range members {
		if c, ok := q.claims[member]; ok && c.token == token {
			q.endLease(member)
			if _, ok := q.home(member)[member]; !ok {
				q.home(member)[member] = c.score
			}
		}
	}
	return nil
}

func (m *memStore) ArmJob(_ context.Context, team, job string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.q(team)
	if _, ok := q.jobs[job]; !ok {
		q.jobs[job] = at
		m.wakeIfHead(team, q.jobs, job)
	}
	return nil
}

func (m *memStore) UnarmedReps(_ context.Context, team, prefix string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	q := m.q(team)
	var out []string
	for _, r := range m.repsOf(team) {
		job := prefix + r.User
		_, waiting := q.jobs[job]
		_, leased := q.claims[job]
		if !waiting && !leased {
			out = append(out, r.User)
		}
	}
	return out, nil
}

func (m *memStore) OpenAll(_ context.Context, team string) (map[string][]campaign.Campaign, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string][]campaign.Campaign)
	for _, c := range m.openOf(team, "") {
		out[c.Owner] = append(out[c.Owner], c)
	}
	return out, nil
}

func (m *memStore) Reps(_ context.Context, team string) ([]campaign.Rep, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.repsOf(team), nil
}

// repsOf lists everyone with a profile or a campaign in team. Callers hold mu.
func (m *memStore) repsOf(team string) []campaign.Rep {
	users := map[string]bool{}
	for k := range m.reps {
		if t, u, _ := strings.Cut(k, "/"); t == team {
			users[u] = true
		}
	}
	for _, c := range m.campaigns {
		if c.Team == team {
			users[c.Owner] = true
		}
	}
	var out []campaign.Rep
	for u := range users {
		r, ok := m.reps[team+"/"+u]
		if !ok {
			r = campaign.Rep{Team: team, User: u}
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b campaign.Rep) int { return strings.Compare(a.User, b.User) })
	return out
}

func (m *memStore) OnTime(_ context.Context, team, week string) (done, onTime map[string]int, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	done, onTime = map[string]int{}, map[string]int{}
	for _, t := range m.touches {
		y, w := t.doneAt.ISOWeek()
		if t.team != team || week != strconv.Itoa(y)+"-W"+twoDigits(w) {
			continue
		}
		done[t.user]++
		dy, dm, dd := t.due.In(t.doneAt.Location()).Date()
		if t.doneAt.Before(time.Date(dy, dm, dd+1, 0, 0, 0, 0, t.doneAt.Location())) {
			onTime[t.user]++
		}
	}
	return done, onTime, nil
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func (m *memStore) Weekly(_ context.Context, team, week string) (map[string]int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.weekly[team+"/"+week], nil
}

func (m *memStore) SaveWeekly(_ context.Context, team, week string, totals map[string]int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.weekly[team+"/"+week] = totals
	return nil
}

// --- commands.Store (and the campaign reads the scheduler shares) ---

func notFound(id string) error {
	return campaign.Errorf(campaign.NotFound, "I don't have a campaign #%s.", id)
}

func (m *memStore) Create(_ context.Context, c campaign.Campaign, first *campaign.Note) (campaign.Campaign, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	c.ID = strconv.FormatInt(int64(m.seq), 36)
	if c.Status == "" {
		c.Status = campaign.Active
	}
	if c.Temperature == "" {
		c.Temperature = campaign.Cold
	}
	m.campaigns[c.Team+"/"+c.ID] = c
	if first != nil {
		m.notes[c.Team+"/"+c.ID] = []campaign.Note{*first}
	}
	q := m.q(c.Team)
	q.due[c.ID] = c.DueAt
	m.wakeIfHead(c.Team, q.due, c.ID)
	return c, nil
}

func (m *memStore) Get(_ context.Context, team, id string) (campaign.Campaign, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.campaigns[team+"/"+strings.TrimPrefix(id, "#")]
	if !ok {
		return campaign.Campaign{}, notFound(id)
	}
	return c, nil
}

// Save follows storage.Save: a new DueAt re-arms the reminder, closing withdraws it.
func (m *memStore) Save(_ context.Context, c campaign.Campaign) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.campaigns[c.Team+"/"+c.ID]
	if !ok {
		return notFound(c.ID)
	}
	m.campaigns[c.Team+"/"+c.ID] = c
	q := m.q(c.Team)
	switch {
	case !c.Status.Open():
		delete(q.due, c.ID)
		q.endLease(c.ID)
		for _, h := range q.held {
			delete(h, c.ID)
		}
	case !old.Status.Open() || !old.DueAt.Equal(c.DueAt):
		q.due[c.ID] = c.DueAt
		m.wakeIfHead(c.Team, q.due, c.ID)
	}
	return nil
}

func (m *memStore) Delete(ctx context.Context, team, id string) error {
	c, err := m.Get(ctx, team, id)
	if err != nil {
		return err
	}
	c.Status = campaign.Lost
	if err := m.Save(ctx, c); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.campaigns, team+"/"+c.ID)
	return nil
}

// openOf lists open campaigns of owner ("" for all) by due time. Callers hold mu.
func (m *memStore) openOf(team, owner string) []campaign.Campaign {
	var out []campaign.Campaign
	for _, c := range m.campaigns {
		if c.Team == team && (owner == "" || c.Owner == owner) && c.Status.Open() {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b campaign.Campaign) int {
		if d := a.DueAt.Compare(b.DueAt); d != 0 {
			return d
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

func (m *memStore) Open(_ context.Context, team, owner string) ([]campaign.Campaign, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.openOf(team, owner), nil
}

func (m *memStore) AddNote(_ context.Context, team, id string, n campaign.Note) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := team + "/" + strings.TrimPrefix(id, "#")
	if _, ok := m.campaigns[k]; !ok {
		return notFound(id)
	}
	m.notes[k] = append(m.notes[k], n)
	return nil
}

func (m *memStore) Notes(_ context.Context, team, id string, limit int) ([]campaign.Note, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ns := m.notes[team+"/"+strings.TrimPrefix(id, "#")]
	if limit > 0 && len(ns) > limit {
		ns = ns[len(ns)-limit:]
	}
	return slices.Clone(ns), nil
}

func (m *memStore) Qualify(_ context.Context, team string, q campaign.Qualification) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.qualified[team] == nil {
		m.qualified[team] = make(map[string]campaign.Qualification)
	}
	m.qualified[team][campaign.CompanyKey(q.Company)] = q
	return nil
}

func (m *memStore) Qualified(_ context.Context, team string) (map[string]campaign.Qualification, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]campaign.Qualification)
	maps.Copy(out, m.qualified[team])
	return out, nil
}

func (m *memStore) Rep(_ context.Context, team, user string) (campaign.Rep, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.reps[team+"/"+user]
	if !ok {
		r = campaign.Rep{Team: team, User: user}
	}
	return r, nil
}

func (m *memStore) SaveRep(_ context.Context, r campaign.Rep) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reps[r.Team+"/"+r.User] = r
	m.q(r.Team)
	return nil
}

func (m *memStore) RecordTouch(_ context.Context, team, user string, due, doneAt time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.touches = append(m.touches, touch{team, user, due, doneAt})
	return nil
}

// History and Events complete commands.Store; the scheduler's tests keep no audit trail.
func (m *memStore) History(context.Context, string, string, int) ([]campaign.Event, error) {
	return nil, nil
}

func (m *memStore) Events(context.Context, string, time.Time, time.Time) ([]campaign.Event, error) {
	return nil, nil
}
