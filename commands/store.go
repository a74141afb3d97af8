package commands

import (
	"context"
	"time"

	"campaignbot/campaign"
)

// Store is what the handler needs from persistence. storage.Store implements it; errors a rep can
// act on are *campaign.Error (NotFound) and *campaign.DuplicateError, everything else is internal.
type Store interface {
	// Create stores a new open campaign, assigning its ID, and appends first to its notes when
	// non-nil. It fails with *campaign.DuplicateError when the owner already has an open campaign
	// with the same PersonKey and CompanyKey; nothing is written then.
	Create(ctx context.Context, c campaign.Campaign, first *campaign.Note) (campaign.Campaign, error)
	// Get returns one campaign, or a campaign.NotFound error.
	Get(ctx context.Context, team, id string) (campaign.Campaign, error)
	// Save overwrites a campaign's fields and keeps every index consistent in one atomic step:
	// a changed DueAt re-arms the reminder, a closed status removes it from the open indexes, a
	// changed person or company moves its duplicate-guard entry (or fails with DuplicateError).
	Save(ctx context.Context, c campaign.Campaign) error
	// Delete removes a campaign and its notes entirely (the rep's "undo" of a mistaken log).
	Delete(ctx context.Context, team, id string) error
	// Open returns the owner's open campaigns ordered by DueAt, earliest first.
	Open(ctx context.Context, team, owner string) ([]campaign.Campaign, error)
	// AddNote appends to a campaign's log.
	AddNote(ctx context.Context, team, id string, n campaign.Note) error
	// Notes returns up to limit of a campaign's most recent notes, oldest first.
	Notes(ctx context.Context, team, id string, limit int) ([]campaign.Note, error)
	// Qualify marks a company qualified for the whole workspace.
	Qualify(ctx context.Context, team string, q campaign.Qualification) error
	// Qualified returns the workspace's qualified companies keyed by campaign.CompanyKey.
	Qualified(ctx context.Context, team string) (map[string]campaign.Qualification, error)
	// Rep returns a rep's settings; a rep with none stored gets a Rep with only Team and User set.
	Rep(ctx context.Context, team, user string) (campaign.Rep, error)
	// SaveRep stores a rep's settings.
	SaveRep(ctx context.Context, r campaign.Rep) error
	// Reps returns everyone in the workspace who has campaigns or settings, defaults not applied.
	Reps(ctx context.Context, team string) ([]campaign.Rep, error)
	// OpenAll returns every rep's open campaigns, keyed by owner.
	OpenAll(ctx context.Context, team string) (map[string][]campaign.Campaign, error)
	// Weekly returns each rep's counting total at the snapshot of an ISO week ("2026-W10").
	Weekly(ctx context.Context, team, week string) (map[string]int, error)
	// OnTime returns, per rep, follow-ups done in an ISO week and how many of them were on time,
	// from the audit trail's done events (so a done Save is all it takes to count one).
	OnTime(ctx context.Context, team, week string) (done, onTime map[string]int, err error)
	// History returns up to limit of a campaign's audit events, newest first, or a
	// campaign.NotFound error.
	History(ctx context.Context, team, id string, limit int) ([]campaign.Event, error)
	// Events returns the workspace's audit events in [since, until), oldest first.
	Events(ctx context.Context, team string, since, until time.Time) ([]campaign.Event, error)
	// All and NotesOf, with Qualified, make a Store an Exporter for "export".
	All(ctx context.Context, team, owner string) ([]campaign.Campaign, error)
	NotesOf(ctx context.Context, team string, ids []string) ([][]campaign.Note, error)
}
