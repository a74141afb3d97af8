package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"campaignbot/campaign"
)

// maxNotesBytes bounds a campaign's notes (about 300 typical ones); older notes are dropped so a
// campaign worked for years cannot grow without bound.
const maxNotesBytes = 32 << 10

// eventTTL is how long a Slack event ID is remembered. Slack retries within minutes.
const eventTTL = time.Hour

// Store keeps campaigns, notes, qualifications and rep settings in Redis.
type Store struct {
	// Now is the clock for CreatedAt, UpdatedAt and closing times. It defaults to time.Now;
	// tests pin it.
	Now func() time.Time
	// AuditRetention is how long the audit trail keeps events; zero means DefaultAuditRetention.
	// Tests shorten it.
	AuditRetention time.Duration

	rdb  redis.UniversalClient
	mode string
	stop func() error // stops the child redis-server or miniredis Open started, after rdb closes

	// teams remembers which teams this process has added to teamsKey, so Create pays for that
	// extra round trip once per team rather than on every call.
	teams sync.Map
}

// New returns a Store on rdb. The Store owns rdb from then on: Close closes it.
func New(rdb redis.UniversalClient) *Store {
	return &Store{Now: time.Now, rdb: rdb, mode: "redis", stop: func() error { return nil }}
}

// Mode says which backend Open chose: "redis", "redis-server child" or "in-memory".
func (s *Store) Mode() string { return s.mode }

// Close closes the Redis client and then stops the redis-server or in-memory server Open
// started, so it must come last in shutdown.
func (s *Store) Close() error {
	err := s.rdb.Close()
	if err != nil {
		err = fmt.Errorf("close redis client: %w", err)
	}
	return errors.Join(err, s.stop())
}

func (s *Store) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// notFound is the rep-facing error for a campaign ID that names nothing.
func notFound(id string) error {
	return campaign.Errorf(campaign.NotFound, "I don't have a campaign #%s.", campaign.Escape(id))
}

// normID accepts "#4F2" or "4f2" and returns "4f2". ok is false for anything that cannot be an ID
// we issued, which also keeps user text from being spliced into a key name.
func normID(id string) (string, bool) {
	id = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(id), "#"))
	if id == "" || len(id) > 13 {
		return id, false
	}
	for _, r := range id {
		if (r < '0' || r > '9') && (r < 'a' || r > 'z') {
			return id, false
		}
	}
	return id, true
}

// checkTag rejects workspace and user IDs that would break a key: braces would move the hash tag,
// and an empty ID would merge keys of different owners.
func checkTag(what, v string) error {
	if v == "" || strings.ContainsAny(v, "{}") {
		return fmt.Errorf("invalid %s %q", what, v)
	}
	return nil
}

// validate checks c before any script runs, so scripts never fail halfway.
func validate(c campaign.Campaign) error {
	if err := checkTag("team", c.Team); err != nil {
		return err
	}
	if err := checkTag("owner", c.Owner); err != nil {
		return err
	}
	if campaign.PersonKey(c.Person) == "" {
		return campaign.Errorf(campaign.Invalid, "A campaign needs a person's name, like \"follow up Jane Smith at Acme tomorrow\".")
	}
	if utf8.RuneCountInString(c.Person) > maxNameRunes {
		return campaign.Errorf(campaign.Invalid, "That name is longer than %d characters; try a shorter one.", maxNameRunes)
	}
	if utf8.RuneCountInString(c.Company) > maxNameRunes {
		return campaign.Errorf(campaign.Invalid, "That company name is longer than %d characters; try a shorter one.", maxNameRunes)
	}
	if c.Status == "" {
		return errors.New("campaign has no status")
	}
	if c.Status.Open() && c.DueAt.IsZero() {
		return errors.New("open campaign has no due time")
	}
	return nil
}

// Create stores c as a new open campaign with a fresh ID and appends first to its notes when
// non-nil. Empty Status and Temperature default to Active and Cold; CreatedAt defaults to now and
// UpdatedAt is now. The returned campaign is what Get will return: times are kept to the
// millisecond and come back in UTC.
//
// If the owner already has an open campaign for the same person at the same company (by
// campaign.PersonKey and CompanyKey), Create writes nothing and returns *campaign.DuplicateError
// naming it.
func (s *Store) Create(ctx context.Context, c campaign.Campaign, first *campaign.Note) (campaign.Campaign, error) {
	c, keys, args, err := s.createArgs(c, first)
	if err != nil {
		return campaign.Campaign{}, fmt.Errorf("create campaign: %w", err)
	}
	if err := s.addTeam(ctx, c.Team); err != nil {
		return campaign.Campaign{}, fmt.Errorf("create campaign: %w", err)
	}
	res, err := createScript.Run(ctx, s.rdb, keys, args...).StringSlice()
	if err != nil {
		return campaign.Campaign{}, fmt.Errorf("create campaign: %w", err)
	}
	if len(res) != 2 {
		return campaign.Campaign{}, fmt.Errorf("create campaign: unexpected reply %q", res)
	}
	if res[0] == "dup" {
		return campaign.Campaign{}, s.duplicate(ctx, "create campaign", c, res[1])
	}
	c.ID = res[1]
	return c, nil
}

// createArgs applies Create's defaults to c, validates it and returns createScript's arguments.
func (s *Store) createArgs(c campaign.Campaign, first *campaign.Note) (campaign.Campaign, []string, []any, error) {
	now := s.now()
	if c.Status == "" {
		c.Status = campaign.Active
	}
	if c.Temperature == "" {
		c.Temperature = campaign.Cold
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	c.UpdatedAt = now
	c = truncateTimes(c)
	if err := validate(c); err != nil {
		return c, nil, nil, err
	}
	if !c.Status.Open() {
		return c, nil, nil, fmt.Errorf("status %q is not open", c.Status)
	}
	note := ""
	if first != nil {
		note = encodeNote(*first)
	}
	keys := []string{
		seqKey(c.Team), campaignKey(c.Team, ""), notesKey(c.Team, ""),
		repIndexKey(c.Team, c.Owner), nameIndexKey(c.Team, c.Owner), dueKey(c.Team), repsKey(c.Team),
		auditKey(c.Team), trailKey(c.Team),
	}
	args := []any{
		c.Owner, nameField(c.Person, c.Company), msOf(c.DueAt), c.Team, string(campaign.Active), wakeChannel, note,
		stamp(now), s.auditFloor(now),
	}
	for _, v := range encodeCampaign(c) {
		args = append(args, v)
	}
	return c, keys, args, nil
}

// duplicate builds the error for a name-index hit on id. The index holds a hash of the names, so
// the hit is confirmed against the stored campaign: a mere hash collision must not merge two
// different people, and is reported as an internal error instead.
func (s *Store) duplicate(ctx context.Context, op string, c campaign.Campaign, id string) error {
	other, err := s.Get(ctx, c.Team, id)
	if err != nil {
		return fmt.Errorf("%s: check duplicate #%s: %w", op, id, err)
	}
	if campaign.PersonKey(other.Person) != campaign.PersonKey(c.Person) ||
		campaign.CompanyKey(other.Company) != campaign.CompanyKey(c.Company) {
		return fmt.Errorf("%s: name index collision with #%s", op, id)
	}
	return &campaign.DuplicateError{ID: id}
}

// addTeam records team in teamsKey once per process. It runs outside the scripts because
// teamsKey belongs to no workspace's cluster slot.
func (s *Store) addTeam(ctx context.Context, team string) error {
	if _, ok := s.teams.Load(team); ok {
		return nil
	}
	if err := s.rdb.SAdd(ctx, teamsKey(), team).Err(); err != nil {
		return fmt.Errorf("add team: %w", err)
	}
	s.teams.Store(team, true)
	return nil
}

func truncateTimes(c campaign.Campaign) campaign.Campaign {
	c.DueAt = truncate(c.DueAt)
	c.CreatedAt = truncate(c.CreatedAt)
	c.UpdatedAt = truncate(c.UpdatedAt)
	c.LastDoneAt = truncate(c.LastDoneAt)
	return c
}

// Get returns one campaign, or a campaign.NotFound error. id may be typed as "#4F2".
func (s *Store) Get(ctx context.Context, team, id string) (campaign.Campaign, error) {
	id, ok := normID(id)
	if !ok {
		return campaign.Campaign{}, notFound(id)
	}
	h, err := s.rdb.HGetAll(ctx, campaignKey(team, id)).Result()
	if err != nil {
		return campaign.Campaign{}, fmt.Errorf("get campaign %s: %w", id, err)
	}
	if len(h) == 0 {
		return campaign.Campaign{}, notFound(id)
	}
	return decodeCampaign(team, id, h), nil
}

// Save overwrites the campaign's fields and keeps every index consistent in one atomic step. A
// changed DueAt re-arms the reminder; an unchanged one does not, since the scheduler may already
// have sent it. A closed status removes the campaign from the open indexes and files it in the
// closed index. A new person, company or owner moves its duplicate-guard entry, or fails with
// *campaign.DuplicateError having written nothing. UpdatedAt is set to now.
func (s *Store) Save(ctx context.Context, c campaign.Campaign) error {
	id, ok := normID(c.ID)
	if !ok {
		return notFound(id)
	}
	c.ID = id
	now := s.now()
	c.UpdatedAt = now
	c = truncateTimes(c)
	if err := validate(c); err != nil {
		return fmt.Errorf("save campaign %s: %w", id, err)
	}
	open := "0"
	due := ""
	if c.Status.Open() {
		open = "1"
		due = msOf(c.DueAt)
	}
	fields := encodeCampaign(c)
	set := make(map[string]bool, len(fields)/2)
	for i := 0; i < len(fields); i += 2 {
		set[fields[i]] = true
	}
	var del []any
	for _, f := range ownedFields {
		if !set[f] {
			del = append(del, f)
		}
	}
	keys := []string{
		campaignKey(c.Team, id), campaignKey(c.Team, ""), dueKey(c.Team), repsKey(c.Team),
		repIndexKey(c.Team, ""), nameIndexKey(c.Team, ""), closedIndexKey(c.Team, ""),
		leaseKey(c.Team), claimKey(c.Team), heldKey(c.Team, ""), auditKey(c.Team), trailKey(c.Team),
	}
	args := []any{
		id, c.Owner, open, due, nameField(c.Person, c.Company), stamp(now), c.Team, wakeChannel,
		string(campaign.Active), s.auditFloor(now), len(del),
	}
	args = append(args, del...)
	for _, v := range fields {
		args = append(args, v)
	}
	res, err := saveScript.Run(ctx, s.rdb, keys, args...).StringSlice()
	if err != nil {
		return fmt.Errorf("save campaign %s: %w", id, err)
	}
	switch {
	case len(res) == 1 && res[0] == "ok":
		return nil
	case len(res) == 1 && res[0] == "nf":
		return notFound(id)
	case len(res) == 2 && res[0] == "dup":
		return s.duplicate(ctx, "save campaign "+id, c, res[1])
	}
	return fmt.Errorf("save campaign %s: unexpected reply %q", id, res)
}

// Delete removes a campaign, its notes and its index entries: the rep's "undo" of a mistaken log.
// The audit trail records the deletion; the campaign's History is gone with it.
func (s *Store) Delete(ctx context.Context, team, id string) error {
	id, ok := normID(id)
	if !ok {
		return notFound(id)
	}
	keys := []string{
		campaignKey(team, id), notesKey(team, id), dueKey(team),
		repIndexKey(team, ""), nameIndexKey(team, ""), closedIndexKey(team, ""),
		leaseKey(team), claimKey(team), heldKey(team, ""), auditKey(team), trailKey(team),
	}
	now := s.now()
	n, err := deleteScript.Run(ctx, s.rdb, keys, id, stamp(now), s.auditFloor(now)).Int()
	if err != nil {
		return fmt.Errorf("delete campaign %s: %w", id, err)
	}
	if n == 0 {
		return notFound(id)
	}
	return nil
}

// Open returns the owner's open campaigns ordered by DueAt, earliest first (ties by ID).
func (s *Store) Open(ctx context.Context, team, owner string) ([]campaign.Campaign, error) {
	idx, err := s.rdb.HGetAll(ctx, repIndexKey(team, owner)).Result()
	if err != nil {
		return nil, fmt.Errorf("list open campaigns of %s: %w", owner, err)
	}
	cs, err := s.load(ctx, team, idx)
	if err != nil {
		return nil, fmt.Errorf("list open campaigns of %s: %w", owner, err)
	}
	return cs, nil
}

// OpenAll returns every rep's open campaigns, keyed by owner, each list ordered as Open orders
// it. Reps without open campaigns are left out. It reads with two pipelined round trips, for
// leaderboards and manager views.
func (s *Store) OpenAll(ctx context.Context, team string) (map[string][]campaign.Campaign, error) {
	reps, err := s.rdb.SMembers(ctx, repsKey(team)).Result()
	if err != nil {
		return nil, fmt.Errorf("list open campaigns: %w", err)
	}
	pipe := s.rdb.Pipeline()
	idx := make([]*redis.MapStringStringCmd, len(reps))
	for i, r := range reps {
		idx[i] = pipe.HGetAll(ctx, repIndexKey(team, r))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("list open campaigns: %w", err)
	}
	all := make(map[string]string)
	for _, cmd := range idx {
		maps.Copy(all, cmd.Val())
	}
	cs, err := s.load(ctx, team, all)
	if err != nil {
		return nil, fmt.Errorf("list open campaigns: %w", err)
	}
	out := make(map[string][]campaign.Campaign)
	for _, c := range cs {
		out[c.Owner] = append(out[c.Owner], c)
	}
	return out, nil
}

// load reads the campaigns of a rep index (ID → due ms) in one pipeline and orders them by due
// time. An ID whose hash is gone is skipped: the scripts never leave one, but a reader must not
// fail on it.
func (s *Store) load(ctx context.Context, team string, idx map[string]string) ([]campaign.Campaign, error) {
	type entry struct {
		id  string
		due int64
	}
	entries := make([]entry, 0, len(idx))
	for id, due := range idx {
		ms, _ := strconv.ParseInt(due, 10, 64)
		entries = append(entries, entry{id, ms})
	}
	slices.SortFunc(entries, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.due, b.due), cmp.Compare(len(a.id), len(b.id)), strings.Compare(a.id, b.id))
	})
	if len(entries) == 0 {
		return nil, nil
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(entries))
	for i, e := range entries {
		cmds[i] = pipe.HGetAll(ctx, campaignKey(team, e.id))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, err
	}
	cs := make([]campaign.Campaign, 0, len(entries))
	for i, cmd := range cmds {
		if h := cmd.Val(); len(h) > 0 {
			cs = append(cs, decodeCampaign(team, entries[i].id, h))
		}
	}
	return cs, nil
}

// AddNote appends n to a campaign's log; it fails with campaign.NotFound if there is no such
// campaign. Once the log passes maxNotesBytes the oldest notes are dropped.
func (s *Store) AddNote(ctx context.Context, team, id string, n campaign.Note) error {
	id, ok := normID(id)
	if !ok {
		return notFound(id)
	}
	keys := []string{campaignKey(team, id), notesKey(team, id), auditKey(team), trailKey(team)}
	now := s.now()
	added, err := addNoteScript.Run(ctx, s.rdb, keys, encodeNote(n), maxNotesBytes, id, n.Author,
		stamp(now), s.auditFloor(now)).Int()
	if err != nil {
		return fmt.Errorf("add note to campaign %s: %w", id, err)
	}
	if added == 0 {
		return notFound(id)
	}
	return nil
}

// Notes returns up to limit of a campaign's most recent notes, oldest first; limit ≤ 0 means all
// of them. A campaign with no notes returns none; a missing campaign is campaign.NotFound.
func (s *Store) Notes(ctx context.Context, team, id string, limit int) ([]campaign.Note, error) {
	id, ok := normID(id)
	if !ok {
		return nil, notFound(id)
	}
	pipe := s.rdb.Pipeline()
	exists := pipe.Exists(ctx, campaignKey(team, id))
	get := pipe.Get(ctx, notesKey(team, id))
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("read notes of campaign %s: %w", id, err)
	}
	if exists.Val() == 0 {
		return nil, notFound(id)
	}
	notes, err := decodeNotes(get.Val())
	if err != nil {
		return nil, fmt.Errorf("read notes of campaign %s: %w", id, err)
	}
	if limit > 0 && len(notes) > limit {
		notes = notes[len(notes)-limit:]
	}
	if notes == nil {
		notes = []campaign.Note{}
	}
	return notes, nil
}

// Qualify marks q.Company qualified for the whole workspace, replacing any earlier evidence, and
// audits it with q.By as the actor.
func (s *Store) Qualify(ctx context.Context, team string, q campaign.Qualification) error {
	key := campaign.CompanyKey(q.Company)
	if key == "" {
		return campaign.Errorf(campaign.Invalid, "Which company? Try \"qualify Acme: uses Robert Half\".")
	}
	v, err := encodeQualification(q)
	if err != nil {
		return fmt.Errorf("qualify %s: %w", key, err)
	}
	now := s.now()
	keys := []string{qualifiedKey(team), auditKey(team)}
	if err := qualifyScript.Run(ctx, s.rdb, keys, key, v, q.By, q.Company, stamp(now), s.auditFloor(now)).Err(); err != nil {
		return fmt.Errorf("qualify %s: %w", key, err)
	}
	return nil
}

// Qualified returns the workspace's qualified companies keyed by campaign.CompanyKey.
func (s *Store) Qualified(ctx context.Context, team string) (map[string]campaign.Qualification, error) {
	h, err := s.rdb.HGetAll(ctx, qualifiedKey(team)).Result()
	if err != nil {
		return nil, fmt.Errorf("list qualified companies: %w", err)
	}
	out := make(map[string]campaign.Qualification, len(h))
	for k, v := range h {
		q, err := decodeQualification(v)
		if err != nil {
			return nil, fmt.Errorf("list qualified companies: decode %s: %w", k, err)
		}
		out[k] = q
	}
	return out, nil
}

// Rep returns a rep's settings; a rep with none stored gets a Rep with only Team and User set.
// Defaults are not applied (see campaign.Rep.WithDefaults).
func (s *Store) Rep(ctx context.Context, team, user string) (campaign.Rep, error) {
	h, err := s.rdb.HGetAll(ctx, profileKey(team, user)).Result()
	if err != nil {
		return campaign.Rep{}, fmt.Errorf("get rep %s: %w", user, err)
	}
	return decodeRep(team, user, h), nil
}

// SaveRep stores a rep's settings, replacing the previous ones, and lists the rep in Reps.
func (s *Store) SaveRep(ctx context.Context, r campaign.Rep) error {
	if err := errors.Join(checkTag("team", r.Team), checkTag("user", r.User)); err != nil {
		return fmt.Errorf("save rep: %w", err)
	}
	if err := s.addTeam(ctx, r.Team); err != nil {
		return fmt.Errorf("save rep %s: %w", r.User, err)
	}
	key := profileKey(r.Team, r.User)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, key)
		if pairs := encodeRep(r); len(pairs) > 0 {
			p.HSet(ctx, key, pairs)
		}
		p.SAdd(ctx, repsKey(r.Team), r.User)
		return nil
	})
	if err != nil {
		return fmt.Errorf("save rep %s: %w", r.User, err)
	}
	return nil
}

// Reps returns everyone with a campaign or a profile in the workspace, ordered by user ID, with
// their stored settings (defaults not applied).
func (s *Store) Reps(ctx context.Context, team string) ([]campaign.Rep, error) {
	users, err := s.rdb.SMembers(ctx, repsKey(team)).Result()
	if err != nil {
		return nil, fmt.Errorf("list reps: %w", err)
	}
	slices.Sort(users)
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(users))
	for i, u := range users {
		cmds[i] = pipe.HGetAll(ctx, profileKey(team, u))
	}
	if len(users) > 0 {
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, fmt.Errorf("list reps: %w", err)
		}
	}
	reps := make([]campaign.Rep, len(users))
	for i, u := range users {
		reps[i] = decodeRep(team, u, cmds[i].Val())
	}
	return reps, nil
}

// Teams returns every workspace with data, sorted.
func (s *Store) Teams(ctx context.Context) ([]string, error) {
	teams, err := s.rdb.SMembers(ctx, teamsKey()).Result()
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	slices.Sort(teams)
	return teams, nil
}

// FirstDelivery reports whether this is the first time the Slack event eventID of team is seen in
// the last hour, so a redelivered event is handled once. Every replica shares the answer.
func (s *Store) FirstDelivery(ctx context.Context, team, eventID string) (bool, error) {
	ok, err := s.rdb.SetNX(ctx, eventKey(team, eventID), 1, eventTTL).Result()
	if err != nil {
		return false, fmt.Errorf("record event %s: %w", eventID, err)
	}
	return ok, nil
}
