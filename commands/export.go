package commands

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"campaignbot/campaign"
)

// MaxExportBytes bounds the file "export" builds in memory and hands to the chat adapter. 20 MB
// is about 40,000 campaigns with short logs: far beyond one rep, and a workspace that outgrows it
// has the command line (`campaignbot export --team T…`), which streams instead.
const MaxExportBytes = 20 << 20

// errExportTooBig stops Export once the file passes MaxExportBytes.
var errExportTooBig = errors.New("export over size limit")

// export answers "export" (the rep's own campaigns, open and closed) and "export team" (every
// rep's, managers only) with the CSV that Export writes, as a file on the reply. The file is
// named after the day in the rep's zone, so two exports a day apart don't collide in Downloads.
func (h *Handler) export(ctx context.Context, r request, rest string) (Reply, error) {
	team := false
	switch strings.ToLower(strings.Trim(rest, " .!?")) {
	case "", "csv", "mine", "my campaigns", "me":
	case "team", "all", "everyone", "team csv":
		team = true
	default:
		return Reply{}, campaign.Errorf(campaign.Invalid, "Type \"export\" for your campaigns as a CSV file, or \"export team\" (managers) for everyone's.")
	}
	owner, name, title := r.User, "campaigns", "Campaigns"
	if team {
		if !h.isManager(r.User) {
			return Reply{}, campaign.Errorf(campaign.Forbidden, "Exporting the whole team is for managers — type \"export\" for your own campaigns.")
		}
		owner, name, title = "", "team-campaigns", "Team campaigns"
	}
	day := r.now.In(r.loc).Format("2006-01-02")
	buf := &cappedBuffer{max: MaxExportBytes}
	n, err := Export(ctx, buf, h.store, r.Team, owner)
	switch {
	case errors.Is(err, errExportTooBig):
		return Reply{}, campaign.Errorf(campaign.Invalid, "That export is over %d MB, too big to send in chat; ask whoever runs campaignbot for `campaignbot export --team %s`.", MaxExportBytes>>20, r.Team)
	case err != nil:
		return Reply{}, err
	}
	if team {
		// Reading everyone's notes is worth an operator's record.
		h.log.InfoContext(ctx, "team exported", "user", r.User, "team", r.Team, "campaigns", n, "bytes", buf.Len())
	}
	if n == 0 {
		if team {
			return Reply{Text: "The team has no campaigns to export yet."}, nil
		}
		return Reply{Text: "You have no campaigns to export yet — log one like \"follow up Jane at Acme next Tuesday\"."}, nil
	}
	var text string
	switch {
	case team:
		text = fmt.Sprintf("Here %s the team's %d %s as CSV.", plural(n, "is", "are"), n, plural(n, "campaign", "campaigns"))
	default:
		text = fmt.Sprintf("Here %s your %d %s as CSV.", plural(n, "is", "are"), n, plural(n, "campaign", "campaigns"))
	}
	return Reply{
		Text:    text,
		File:    &File{Name: name + "-" + day + ".csv", Title: title + " " + day, Content: buf.Bytes()},
		Private: team,
	}, nil
}

// cappedBuffer is a bytes.Buffer that refuses to grow past max, so a huge workspace fails fast
// instead of holding hundreds of megabytes per request.
type cappedBuffer struct {
	bytes.Buffer
	max int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		return 0, errExportTooBig
	}
	return b.Buffer.Write(p)
}

// WriteString keeps io.WriteString from bypassing the cap through bytes.Buffer's own method.
func (b *cappedBuffer) WriteString(s string) (int, error) {
	if b.Len()+len(s) > b.max {
		return 0, errExportTooBig
	}
	return b.Buffer.WriteString(s)
}
