package scheduler_test

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"campaignbot/campaign"
)

// All and NotesOf complete commands.Store for "export" (commands.Exporter). They live apart from
// memstore_test.go so the export feature's additions to the interface stay in one place.

func (m *memStore) All(_ context.Context, team, owner string) ([]campaign.Campaign, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []campaign.Campaign
	for _, c := range m.campaigns {
		if c.Team == team && (owner == "" || c.Owner == owner) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b campaign.Campaign) int {
		return cmp.Or(strings.Compare(a.Owner, b.Owner), a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

func (m *memStore) NotesOf(_ context.Context, team string, ids []string) ([][]campaign.Note, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([][]campaign.Note, len(ids))
	for i, id := range ids {
		out[i] = slices.Clone(m.notes[team+"/"+id])
	}
	return out, nil
}
