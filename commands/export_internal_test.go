package commands

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"campaignbot/campaign"
)

// bulkExporter is a workspace of n campaigns, each with one long note.
type bulkExporter struct{ n int }

func (b bulkExporter) All(_ context.Context, team, _ string) ([]campaign.Campaign, error) {
	cs := make([]campaign.Campaign, b.n)
	for i := range cs {
		cs[i] = campaign.Campaign{ID: strconv.Itoa(i + 1), Team: team, Owner: "U1", Person: "Jane", Status: campaign.Active}
	}
	return cs, nil
}

func (b bulkExporter) NotesOf(_ context.Context, _ string, ids []string) ([][]campaign.Note, error) {
	out := make([][]campaign.Note, len(ids))
	for i := range out {
		out[i] = []campaign.Note{{Author: "U1", Text: strings.Repeat("x", 1000)}}
	}
	return out, nil
}

func (bulkExporter) Qualified(context.Context, string) (map[string]campaign.Qualification, error) {
	return nil, nil
}

// TestExportCap: a file that would pass the cap stops with errExportTooBig, which export turns
// into a sentence, rather than growing without bound.
func TestExportCap(t *testing.T) {
	t.Parallel()
	buf := &cappedBuffer{max: 50_000}
	_, err := Export(t.Context(), buf, bulkExporter{n: 100}, "T1", "")
	if !errors.Is(err, errExportTooBig) {
		t.Fatalf("Export of ~100 kB into a 50 kB cap: err = %v, want errExportTooBig", err)
	}
	if buf.Len() > buf.max {
		t.Errorf("buffer holds %d bytes, over its cap of %d", buf.Len(), buf.max)
	}
	small := &cappedBuffer{max: 50_000}
	if n, err := Export(t.Context(), small, bulkExporter{n: 10}, "T1", ""); err != nil || n != 10 {
		t.Errorf("Export of 10 campaigns = %d, %v; want 10, nil", n, err)
	}
}
