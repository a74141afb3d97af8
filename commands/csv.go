package commands

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"campaignbot/campaign"
)

// CSV export and import. The export is one row per campaign, open and closed, with every field;
// the import reads that format back, and also a rep's own spreadsheet with just person, company,
// next follow-up date, temperature, qualified and notes. An import is planned in full before
// anything is written, so a file with one bad row writes nothing, and a file imported twice is
// all duplicates the second time.

// ownerPattern is what a user ID may look like: Slack's (U0123ABCD) or the console's ("me").
var ownerPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)

// Limits on an imported file.
const (
	// MaxFieldLen is the longest cell, in characters, that an import reads; a longer one rejects
	// its row. It is the chat's message limit: a cell is something a rep could have typed.
	MaxFieldLen = MaxTextLen
	// MaxNotesLogLen bounds the notes cell of an exported file, which carries a campaign's whole
	// log: the store keeps 32 KiB of notes, and the timestamps and authors add to that.
	MaxNotesLogLen = 64 << 10
	// MaxImportRows bounds the rows of one file, because one file is written in one atomic step
	// that holds up Redis while it runs (about 0.1 s per 1,000 rows).
	MaxImportRows = 50_000
	// MaxImportBytes bounds the size of one file, so a runaway quoted field cannot fill memory.
	MaxImportBytes = 64 << 20
)

// column is a field of the CSV format.
type column int

// The columns, in the order Export writes them.
const (
	colID column = iota
	colOwner
	colPerson
	colCompany
	colTemperature
	colChannel
	colStatus
	colDue
	colTimeGiven
	colCreated
	colUpdated
	colLastDone
	colQualified
	colEvidence
	colNotes
	numColumns
)

// columnNames are the export's header cells, indexed by column.
var columnNames = [numColumns]string{
	"id", "owner", "person", "company", "temperature", "channel", "status",
	"due", "time_given", "created", "updated", "last_done", "qualified", "qualification_evidence", "notes",
}

// columnAliases maps a squashed header cell (see squash) to its column, so "Next follow-up",
// "next_followup" and "NEXT FOLLOW UP" all name the due date.
var columnAliases = func() map[string]column {
	m := map[string]column{
		"campaignid": colID, "rep": colOwner, "ownerid": colOwner, "user": colOwner,
		"name": colPerson, "contact": colPerson, "contactname": colPerson, "prospect": colPerson, "fullname": colPerson,
		"account": colCompany, "companyname": colCompany, "organization": colCompany, "organisation": colCompany,
		"employer": colCompany, "temp": colTemperature,
		"duedate": colDue, "dueat": colDue, "nextfollowup": colDue, "nextfollowupdate": colDue, "followup": colDue,
		"followupdate": colDue, "nexttouch": colDue, "nextdate": colDue, "date": colDue,
		"createdat": colCreated, "updatedat": colUpdated, "lastdoneat": colLastDone, "lasttouch": colLastDone,
		"isqualified": colQualified, "evidence": colEvidence, "note": colNotes, "comments": colNotes, "comment": colNotes,
	}
	for c, name := range columnNames {
		m[squash(name)] = column(c)
	}
	return m
}()

// squash lower-cases a header cell and keeps only its letters and digits.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

// EscapeCell makes a cell inert in a spreadsheet. Excel, LibreOffice and Google Sheets run a cell
// that starts with = + - @ (or a tab or CR before one) as a formula, so a note such as
// "=HYPERLINK(…)" typed in chat could act when a manager opens the export. Such a cell gets a
// leading apostrophe, which spreadsheets show as text. A cell that already starts with
// apostrophes before one of those characters gets one more, so UnescapeCell can always undo it.
func EscapeCell(s string) string {
	if formulaLike(s) {
		return "'" + s
	}
	return s
}

// UnescapeCell reverses EscapeCell.
func UnescapeCell(s string) string {
	if strings.HasPrefix(s, "'") && formulaLike(s) {
		return s[1:]
	}
	return s
}

// formulaLike reports whether s, after any leading apostrophes, starts with a character a
// spreadsheet reads as the start of a formula.
func formulaLike(s string) bool {
	s = strings.TrimLeft(s, "'")
	return s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0
}

// Exporter is what Export reads. storage.Store implements it.
type Exporter interface {
	// All returns every campaign of team, open and closed, or only owner's when owner is not "".
	All(ctx context.Context, team, owner string) ([]campaign.Campaign, error)
	// NotesOf returns all notes of each campaign, oldest first.
	NotesOf(ctx context.Context, team string, ids []string) ([][]campaign.Note, error)
	// Qualified returns the workspace's qualified companies keyed by campaign.CompanyKey.
	Qualified(ctx context.Context, team string) (map[string]campaign.Qualification, error)
}

// exportChunk is how many campaigns' notes are read per round trip, so a large export streams
// rather than holding every log at once.
const exportChunk = 1000

// Export writes every campaign of team (or of owner, when not "") as CSV: a header, then one row
// per campaign, open and closed. It returns the number of campaigns written.
//
// Quoting is RFC 4180 (encoding/csv); lines end in LF, which every spreadsheet reads, because
// CRLF mode would drop a lone CR inside a note. The file starts with a UTF-8 byte order mark so
// Excel does not read names as Latin-1; Import skips it. Times are RFC 3339 in UTC, to the
// millisecond the store keeps. The notes cell holds the whole log, oldest first, one note per
// line as "<time> <author>: <text>", with each further line of a note's text indented by one
// space, so Import can split it back into the same notes.
func Export(ctx context.Context, w io.Writer, src Exporter, team, owner string) (int, error) {
	cs, err := src.All(ctx, team, owner)
	if err != nil {
		return 0, fmt.Errorf("export campaigns: %w", err)
	}
	qualified, err := src.Qualified(ctx, team)
	if err != nil {
		return 0, fmt.Errorf("export campaigns: %w", err)
	}
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return 0, fmt.Errorf("export campaigns: %w", err)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(columnNames[:]); err != nil {
		return 0, fmt.Errorf("export campaigns: %w", err)
	}
	row := make([]string, numColumns)
	ids := make([]string, 0, exportChunk)
	for start := 0; start < len(cs); start += exportChunk {
		chunk := cs[start:min(start+exportChunk, len(cs))]
		ids = ids[:0]
		for _, c := range chunk {
			ids = append(ids, c.ID)
		}
		notes, err := src.NotesOf(ctx, team, ids)
		if err != nil {
			return start, fmt.Errorf("export campaigns: %w", err)
		}
		for i, c := range chunk {
			q, ok := qualified[campaign.CompanyKey(c.Company)]
			ok = ok && c.Company != ""
			row[colID] = c.ID
			row[colOwner] = c.Owner
			row[colPerson] = c.Person
			row[colCompany] = c.Company
			row[colTemperature] = string(c.Temperature)
			row[colChannel] = string(c.Channel)
			row[colStatus] = string(c.Status)
			row[colDue] = formatTime(c.DueAt)
			row[colTimeGiven] = yesNo(c.TimeGiven)
			row[colCreated] = formatTime(c.CreatedAt)
			row[colUpdated] = formatTime(c.UpdatedAt)
			row[colLastDone] = formatTime(c.LastDoneAt)
			row[colQualified] = yesNo(ok)
			row[colEvidence] = q.Evidence
			row[colNotes] = ""
			if i < len(notes) {
				row[colNotes] = FormatNotes(notes[i])
			}
			for j := range row {
				row[j] = EscapeCell(row[j])
			}
			if err := cw.Write(row); err != nil {
				return start + i, fmt.Errorf("export campaigns: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return len(cs), fmt.Errorf("export campaigns: %w", err)
	}
	return len(cs), nil
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// FormatNotes renders a campaign's log for the notes cell: one note per line, "<RFC 3339 time>
// <author>: <text>", with the text's own line breaks followed by one space. ParseNotes reads it
// back.
func FormatNotes(notes []campaign.Note) string {
	var b strings.Builder
	for i, n := range notes {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(formatTime(n.At))
		b.WriteByte(' ')
		b.WriteString(n.Author)
		b.WriteString(": ")
		b.WriteString(strings.ReplaceAll(n.Text, "\n", "\n "))
	}
	return b.String()
}

// noteHead matches the first line of a note in FormatNotes' format. Authors are Slack IDs, which
// contain neither spaces nor colons.
var noteHead = regexp.MustCompile(`^(\d{4}-\d\d-\d\dT[0-9:.]+(?:Z|[+-]\d\d:\d\d)) ([^\s:]*): `)

// ParseNotes reads what FormatNotes wrote. ok is false when s is not in that format, such as a
// notes cell someone retyped in a spreadsheet; it is then one plain note.
func ParseNotes(s string) (notes []campaign.Note, ok bool) {
	if s == "" {
		return nil, true
	}
	for line := range strings.SplitSeq(s, "\n") {
		if rest, cont := strings.CutPrefix(line, " "); cont && len(notes) > 0 {
			notes[len(notes)-1].Text += "\n" + rest
			continue
		}
		m := noteHead.FindStringSubmatch(line)
		if m == nil {
			return nil, false
		}
		at, err := time.Parse(time.RFC3339Nano, m[1])
		if err != nil {
			return nil, false
		}
		notes = append(notes, campaign.Note{At: at.UTC(), Author: m[2], Text: line[len(m[0]):]})
	}
	return notes, true
}

// ImportOptions says whose campaigns an import creates and how it reads dates.
type ImportOptions struct {
	Team string
	// Owner is the rep every row is imported for. Empty means each row's owner column, which
	// an export of a whole workspace carries.
	Owner string
	// Now is the instant dates are judged against: a new follow-up must be after it.
	Now time.Time
	// Location reads dates without a zone ("3/17/2026", "next Tuesday"). nil means UTC.
	Location *time.Location
}

// Importer is what an import reads, to find duplicates and known companies, and writes.
// storage.Store implements it.
type Importer interface {
	// All returns every campaign of team, open and closed, or only owner's when owner is not "".
	All(ctx context.Context, team, owner string) ([]campaign.Campaign, error)
	// Qualified returns the workspace's qualified companies keyed by campaign.CompanyKey.
	Qualified(ctx context.Context, team string) (map[string]campaign.Qualification, error)
	// Import writes a batch in one atomic step and returns the new IDs in batch order. notes
	// is parallel to batch; quals are written only for companies not yet qualified. It fails
	// with *campaign.DuplicateError, having written nothing, if an open campaign of the batch
	// duplicates a stored one.
	Import(ctx context.Context, team string, batch []campaign.Campaign, notes [][]campaign.Note, quals []campaign.Qualification) ([]string, error)
}

// Outcome is what an import does with one row.
type Outcome string

// Row outcomes.
const (
	Create    Outcome = "create"    // a new campaign
	Duplicate Outcome = "duplicate" // the owner already has it, or an earlier row does: nothing to write
	Reject    Outcome = "reject"    // the row cannot be imported; the file is not written
)

// ImportRow is the report line for one row of the file.
type ImportRow struct {
	Line        int // where the row starts in the file; the header is line 1
	Outcome     Outcome
	Person      string
	Company     string
	Status      campaign.Status
	Due         time.Time
	Temperature campaign.Temperature
	// ID is the created campaign's ID once written, or the existing campaign a duplicate matches.
	ID string
	// SameAs is the earlier line a duplicate repeats, when it duplicates a row of the file.
	SameAs int
	// Reason says, in one sentence, why a row was rejected.
	Reason string
}

// ImportReport is what an import would do, or did, with each row of a file.
type ImportReport struct {
	Rows []ImportRow
	// Qualified lists the companies the import marks qualified, in file order.
	Qualified []string
	// Written is true once the campaigns are stored.
	Written bool
}

// Count returns how many rows have outcome o.
func (r *ImportReport) Count(o Outcome) int {
	n := 0
	for _, row := range r.Rows {
		if row.Outcome == o {
			n++
		}
	}
	return n
}

// Write renders the report as plain text for a terminal or a file: rejected rows first, since
// they block the import, then duplicates, then the campaigns created, then a one-line summary.
// Dates are shown in loc (nil means UTC).
func (r *ImportReport) Write(w io.Writer, loc *time.Location) error {
	if loc == nil {
		loc = time.UTC
	}
	// A Builder's writes cannot fail, so only the final write to w needs checking.
	var bw strings.Builder
	section := func(o Outcome, title string, line func(ImportRow) string) {
		n := r.Count(o)
		if n == 0 {
			return
		}
		fmt.Fprintf(&bw, "%s (%d):\n", title, n)
		for _, row := range r.Rows {
			if row.Outcome == o {
				fmt.Fprintf(&bw, "  line %d: %s\n", row.Line, line(row))
			}
		}
	}
	section(Reject, "Rejected", func(row ImportRow) string {
		if row.Person == "" || row.Reason == "" {
			return row.Reason
		}
		return rowWho(row) + " — " + row.Reason
	})
	section(Duplicate, "Duplicates, left as they are", func(row ImportRow) string {
		if row.SameAs > 0 {
			return fmt.Sprintf("%s — the same as line %d", rowWho(row), row.SameAs)
		}
		return fmt.Sprintf("%s — already there as %s", rowWho(row), Ref(row.ID))
	})
	title := "To create"
	if r.Written {
		title = "Created"
	}
	section(Create, title, func(row ImportRow) string {
		var b strings.Builder
		if row.ID != "" {
			b.WriteString(Ref(row.ID) + " ")
		}
		b.WriteString(rowWho(row))
		if !row.Due.IsZero() {
			b.WriteString(", due " + row.Due.In(loc).Format("Mon 2006-01-02 15:04 MST"))
		}
		b.WriteString(", " + string(row.Temperature))
		if row.Status != campaign.Active {
			b.WriteString(", " + string(row.Status))
		}
		return b.String()
	})
	if len(r.Qualified) > 0 {
		fmt.Fprintf(&bw, "Qualified companies (%d): %s\n", len(r.Qualified), strings.Join(r.Qualified, ", "))
	}
	create, dup, rej := r.Count(Create), r.Count(Duplicate), r.Count(Reject)
	var outcome string
	switch {
	case rej > 0:
		outcome = "Nothing was written: fix the rejected rows and import the file again."
	case r.Written:
		outcome = "Imported."
	case create == 0 && len(r.Qualified) == 0:
		outcome = "Nothing to write."
	default:
		outcome = "Dry run: nothing was written."
	}
	fmt.Fprintf(&bw, "%d %s, %d %s, %d rejected. %s\n", create, plural(create, "new campaign", "new campaigns"),
		dup, plural(dup, "duplicate", "duplicates"), rej, outcome)
	_, err := io.WriteString(w, bw.String())
	return err
}

func rowWho(row ImportRow) string {
	if row.Company == "" {
		return row.Person
	}
	return row.Person + " at " + row.Company
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ImportPlan is a planned import: the report, and the batch to write if no row was rejected.
type ImportPlan struct {
	Report ImportReport

	team  string
	batch []campaign.Campaign
	notes [][]campaign.Note
	quals []campaign.Qualification
	rows  []int // index in Report.Rows of each batch entry
}

// Rejected reports whether any row was rejected, in which case Apply writes nothing.
func (p *ImportPlan) Rejected() bool { return p.Report.Count(Reject) > 0 }

// Apply writes the planned campaigns, their notes and qualifications in one atomic step and
// fills in the report's IDs. It writes nothing, and returns a campaign.Invalid error, when a row
// was rejected, or when a campaign in the file was added by someone else since the plan was made.
func (p *ImportPlan) Apply(ctx context.Context, dst Importer) error {
	if p.Rejected() {
		return campaign.Errorf(campaign.Invalid, "%d rows were rejected, so nothing was written.", p.Report.Count(Reject))
	}
	if len(p.batch) == 0 && len(p.quals) == 0 {
		return nil
	}
	ids, err := dst.Import(ctx, p.team, p.batch, p.notes, p.quals)
	if dup, ok := errors.AsType[*campaign.DuplicateError](err); ok {
		return campaign.Errorf(campaign.Invalid, "Campaign %s was logged while the file was being imported and duplicates a row, so nothing was written; import the file again.", Ref(dup.ID))
	}
	if err != nil {
		return fmt.Errorf("import campaigns: %w", err)
	}
	for i, id := range ids {
		p.Report.Rows[p.rows[i]].ID = id
	}
	p.Report.Written = true
	return nil
}

// PlanImport reads a CSV file and decides, for each row, whether it creates a campaign, repeats
// one the owner already has open (or an earlier row), or is rejected, and why. It writes
// nothing. Problems with the file as a whole (not CSV, no header, missing columns, too large)
// are a campaign.Invalid error; problems with a row are in the report.
//
// Columns are found by their header, in any order and case, with aliases ("next follow-up",
// "due", "next_followup"); person, company and the follow-up date are required, others are
// optional and unknown ones ignored. Cells Export escaped against formulas are unescaped. A file
// that has Export's status and created columns is read as a restore: campaigns keep their
// status, times and notes, and an open one may be overdue. Otherwise a row is a new campaign,
// its notes cell its first note, and its follow-up must be in the future.
func PlanImport(ctx context.Context, src Importer, r io.Reader, opts ImportOptions) (*ImportPlan, error) {
	f, err := readCSV(r)
	if err != nil {
		return nil, err
	}
	if opts.Owner == "" && f.cols[colOwner] < 0 {
		return nil, campaign.Errorf(campaign.Invalid, "The file has no owner column, so say whose campaigns these are.")
	}
	existing, err := src.All(ctx, opts.Team, opts.Owner)
	if err != nil {
		return nil, fmt.Errorf("plan import: %w", err)
	}
	qualified, err := src.Qualified(ctx, opts.Team)
	if err != nil {
		return nil, fmt.Errorf("plan import: %w", err)
	}
	pl := newPlanner(opts, f, existing, qualified)
	p := &ImportPlan{team: opts.Team}
	p.Report.Rows = make([]ImportRow, 0, len(f.rows))
	for _, rec := range f.rows {
		row, c, notes, qualify := pl.row(rec)
		p.Report.Rows = append(p.Report.Rows, row)
		if row.Outcome == Create {
			p.batch = append(p.batch, c)
			p.notes = append(p.notes, notes)
			p.rows = append(p.rows, len(p.Report.Rows)-1)
		}
		if row.Outcome != Reject && qualify && c.Company != "" {
			key := campaign.CompanyKey(c.Company)
			if _, ok := qualified[key]; !ok {
				qualified[key] = campaign.Qualification{}
				p.quals = append(p.quals, campaign.Qualification{Company: c.Company, Evidence: pl.evidence(rec), By: c.Owner, At: opts.Now})
				p.Report.Qualified = append(p.Report.Qualified, c.Company)
			}
		}
	}
	return p, nil
}

// csvFile is a read file: where each column is, and the rows after the header.
type csvFile struct {
	cols    [numColumns]int // index of each column in a record, or -1
	restore bool            // Export's format: status and created columns
	rows    []record
}

type record struct {
	line   int
	fields []string
}

// readCSV reads the header and every row. Blank rows are skipped, as spreadsheets leave them.
func readCSV(r io.Reader) (*csvFile, error) {
	br := bufio.NewReader(io.LimitReader(r, MaxImportBytes+1))
	if b, _ := br.Peek(2); bytes.Equal(b, []byte{0xFF, 0xFE}) || bytes.Equal(b, []byte{0xFE, 0xFF}) {
		return nil, campaign.Errorf(campaign.Invalid, "The file is UTF-16 text; save it as \"CSV UTF-8\" and import it again.")
	}
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\ufeff")) {
		_, _ = br.Discard(3)
	}
	counted := &countingReader{r: br}
	cr := csv.NewReader(counted)
	cr.FieldsPerRecord = -1 // ragged rows: missing cells are empty, extra ones ignored
	f := &csvFile{}
	for i := range f.cols {
		f.cols[i] = -1
	}
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, campaign.Errorf(campaign.Invalid, "The file is empty; it needs a header row naming person, company and next follow-up.")
	}
	if err != nil {
		return nil, csvError(err, counted)
	}
	for i, h := range header {
		if !utf8.ValidString(h) {
			return nil, campaign.Errorf(campaign.Invalid, "The header (line 1) isn't valid UTF-8 text; save the file as \"CSV UTF-8\" and import it again.")
		}
		c, ok := columnAliases[squash(UnescapeCell(h))]
		if !ok {
			continue
		}
		if f.cols[c] >= 0 {
			return nil, campaign.Errorf(campaign.Invalid, "Columns %d and %d both read as %s; remove or rename one of them.", f.cols[c]+1, i+1, columnNames[c])
		}
		f.cols[c] = i
	}
	var missing []string
	for _, c := range []column{colPerson, colCompany, colDue} {
		if f.cols[c] < 0 {
			missing = append(missing, map[column]string{colPerson: "person", colCompany: "company", colDue: "next follow-up"}[c])
		}
	}
	if len(missing) > 0 {
		return nil, campaign.Errorf(campaign.Invalid, "The header has no %s column; it needs person, company and next follow-up (also read: \"name\", \"account\", \"due\", \"next_followup\").", joinAnd(missing))
	}
	f.restore = f.cols[colStatus] >= 0 && f.cols[colCreated] >= 0
	for {
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err, counted)
		}
		if blankRow(fields) {
			continue
		}
		if len(f.rows) == MaxImportRows {
			return nil, campaign.Errorf(campaign.Invalid, "The file has more than %d rows; split it into smaller files.", MaxImportRows)
		}
		line, _ := cr.FieldPos(0)
		f.rows = append(f.rows, record{line: line, fields: fields})
	}
	if counted.n > MaxImportBytes {
		return nil, campaign.Errorf(campaign.Invalid, "The file is over %d MiB; split it into smaller files.", MaxImportBytes>>20)
	}
	return f, nil
}

// countingReader counts the bytes read, to tell a file cut at MaxImportBytes from a whole one.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// csvError turns a CSV syntax error into one sentence naming the line.
func csvError(err error, counted *countingReader) error {
	if counted.n > MaxImportBytes {
		return campaign.Errorf(campaign.Invalid, "The file is over %d MiB; split it into smaller files.", MaxImportBytes>>20)
	}
	if pe, ok := errors.AsType[*csv.ParseError](err); ok {
		what := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrQuote) {
			what = "a quoted cell is never closed, or has a stray \" inside"
		} else if errors.Is(pe.Err, csv.ErrBareQuote) {
			what = "a cell has a \" that is not at its start; quote the whole cell and double the \" inside"
		}
		return campaign.Errorf(campaign.Invalid, "Line %d isn't valid CSV: %s.", pe.StartLine, what)
	}
	return fmt.Errorf("read CSV: %w", err)
}

func blankRow(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func joinAnd(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// planner judges rows against the workspace and the rows before them.
type planner struct {
	opts      ImportOptions
	loc       *time.Location
	f         *csvFile
	companies map[string]bool   // CompanyKey of every company the workspace or the file names
	open      map[string]string // owner|person|company keys of stored open campaigns → ID
	closed    map[string]string // closedKey of stored closed campaigns → ID
	seen      map[string]int    // the same keys for rows to be created → line
}

func newPlanner(opts ImportOptions, f *csvFile, existing []campaign.Campaign, qualified map[string]campaign.Qualification) *planner {
	pl := &planner{
		opts: opts, loc: opts.Location, f: f, companies: make(map[string]bool),
		open: make(map[string]string), closed: make(map[string]string), seen: make(map[string]int, len(f.rows)),
	}
	if pl.loc == nil {
		pl.loc = time.UTC
	}
	addCompany := func(name string) {
		if k := campaign.CompanyKey(name); k != "" {
			pl.companies[k] = true
		}
	}
	for _, c := range existing {
		addCompany(c.Company)
		if c.Status.Open() {
			pl.open[openKey(c)] = c.ID
		} else {
			pl.closed[closedKey(c)] = c.ID
		}
	}
	for _, q := range qualified {
		addCompany(q.Company)
	}
	for _, rec := range f.rows {
		addCompany(pl.cell(rec, colCompany))
	}
	return pl
}

// openKey is the duplicate-guard identity of an open campaign, as the store compares it.
func openKey(c campaign.Campaign) string {
	return c.Owner + "\x00" + campaign.PersonKey(c.Person) + "\x00" + campaign.CompanyKey(c.Company)
}

// closedKey identifies a closed campaign for idempotent re-imports. A rep may have won the same
// person twice over the years, so the status and due time are part of it.
func closedKey(c campaign.Campaign) string {
	return openKey(c) + "\x00" + string(c.Status) + "\x00" + strconv.FormatInt(c.DueAt.UnixMilli(), 10)
}

// raw returns a cell as the file has it, unescaped, or "" when the column is absent or the row
// is short.
func (pl *planner) raw(rec record, c column) string {
	i := pl.f.cols[c]
	if i < 0 || i >= len(rec.fields) {
		return ""
	}
	return UnescapeCell(rec.fields[i])
}

// cell is raw without surrounding spaces.
func (pl *planner) cell(rec record, c column) string { return strings.TrimSpace(pl.raw(rec, c)) }

func (pl *planner) evidence(rec record) string {
	if e := pl.cell(rec, colEvidence); e != "" {
		return e
	}
	return "marked qualified in a CSV import"
}

// row judges one record. It returns the report line and, unless rejected, the campaign, its
// notes and whether the file marks its company qualified.
func (pl *planner) row(rec record) (row ImportRow, c campaign.Campaign, notes []campaign.Note, qualify bool) {
	row = ImportRow{Line: rec.line, Outcome: Reject}
	reject := func(format string, args ...any) (ImportRow, campaign.Campaign, []campaign.Note, bool) {
		row.Outcome, row.Reason = Reject, fmt.Sprintf(format, args...)
		return row, campaign.Campaign{}, nil, false
	}
	for _, f := range rec.fields {
		if !utf8.ValidString(f) {
			return reject("The row isn't valid UTF-8 text; save the file as \"CSV UTF-8\" and import it again.")
		}
	}
	for c := range numColumns {
		limit := MaxFieldLen
		if c == colNotes && pl.f.restore {
			limit = MaxNotesLogLen
		}
		if v := pl.raw(rec, c); len(v) > limit && utf8.RuneCountInString(v) > limit {
			return reject("The %s cell is %d characters long; the limit is %d.", columnNames[c], utf8.RuneCountInString(v), limit)
		}
	}

	c = campaign.Campaign{Team: pl.opts.Team, Owner: pl.opts.Owner, Person: pl.cell(rec, colPerson), Company: pl.cell(rec, colCompany)}
	row.Person, row.Company = c.Person, c.Company
	if c.Owner == "" {
		c.Owner = pl.cell(rec, colOwner)
		if c.Owner == "" {
			return reject("The row has no owner.")
		}
	}
	// Owners are rendered as <@owner> mentions: anything but an ID's characters could smuggle
	// "<!channel>" or a link into a message.
	if !ownerPattern.MatchString(c.Owner) {
		return reject("The owner %q isn't a Slack user ID.", short(c.Owner))
	}
	c.Status = campaign.Active
	if s := pl.cell(rec, colStatus); s != "" {
		c.Status = campaign.Status(strings.ToLower(s))
		if !slices.Contains([]campaign.Status{campaign.Active, campaign.Won, campaign.Lost, campaign.Left}, c.Status) {
			return reject("The status %q isn't active, won, lost or left.", short(s))
		}
	}
	row.Status = c.Status
	if reason := pl.personReason(c.Person, c.Company); reason != "" {
		return reject("%s", reason)
	}
	if n := utf8.RuneCountInString(c.Company); n > MaxPersonLen {
		return reject("The company name is %d characters long; the limit is %d.", n, MaxPersonLen)
	}
	qualify, qok := parseBool(pl.cell(rec, colQualified))

	// An open campaign the owner already has is a duplicate whatever its other cells say, so
	// a file imported again after its dates have passed is still all duplicates.
	if c.Status.Open() {
		key := openKey(c)
		if id, ok := pl.open[key]; ok {
			row.Outcome, row.ID = Duplicate, id
			return row, c, nil, qualify && qok
		}
		if line, ok := pl.seen[key]; ok {
			row.Outcome, row.SameAs = Duplicate, line
			return row, c, nil, qualify && qok
		}
	}

	if !qok {
		return reject("Qualified is %q; write yes or no.", short(pl.cell(rec, colQualified)))
	}
	if qualify && c.Company == "" {
		return reject("The row is marked qualified but names no company.")
	}
	c.Temperature = campaign.Cold
	if s := pl.cell(rec, colTemperature); s != "" {
		t, ok := campaign.ParseTemperature(s)
		if !ok {
			return reject("The temperature %q isn't hot, warm or cold.", short(s))
		}
		c.Temperature = t
	}
	row.Temperature = c.Temperature
	if s := pl.cell(rec, colChannel); s != "" {
		c.Channel = campaign.Channel(strings.ToLower(s))
		if !slices.Contains([]campaign.Channel{campaign.Call, campaign.Email, campaign.Text, campaign.Visit, campaign.LinkedIn}, c.Channel) {
			return reject("The channel %q isn't call, email, text, visit or linkedin.", short(s))
		}
	}
	var reason string
	if c.DueAt, c.TimeGiven, reason = pl.due(pl.cell(rec, colDue), c.Status); reason != "" {
		return reject("%s", reason)
	}
	row.Due = c.DueAt
	if s := pl.cell(rec, colTimeGiven); s != "" {
		tg, ok := parseBool(s)
		if !ok {
			return reject("Time given is %q; write yes or no.", short(s))
		}
		c.TimeGiven = tg
	}
	c.CreatedAt, c.UpdatedAt = pl.opts.Now, pl.opts.Now
	for _, t := range []struct {
		col column
		dst *time.Time
	}{{colCreated, &c.CreatedAt}, {colUpdated, &c.UpdatedAt}, {colLastDone, &c.LastDoneAt}} {
		s := pl.cell(rec, t.col)
		if s == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return reject("The %s time %q isn't an RFC 3339 time like 2026-03-09T15:04:05Z.", columnNames[t.col], short(s))
		}
		*t.dst = v.UTC()
	}
	if !c.Status.Open() {
		key := closedKey(c)
		if id, ok := pl.closed[key]; ok {
			row.Outcome, row.ID = Duplicate, id
			return row, c, nil, qualify
		}
		if line, ok := pl.seen[key]; ok {
			row.Outcome, row.SameAs = Duplicate, line
			return row, c, nil, qualify
		}
		pl.seen[key] = rec.line
	} else {
		pl.seen[openKey(c)] = rec.line
	}
	notes = pl.notes(rec, c.Owner)
	row.Outcome = Create
	return row, c, notes, qualify
}

// notes reads the notes cell: Export's log format in a restore, otherwise one note by the owner.
func (pl *planner) notes(rec record, owner string) []campaign.Note {
	if pl.f.restore {
		if notes, ok := ParseNotes(pl.raw(rec, colNotes)); ok {
			return notes
		}
	}
	if s := pl.cell(rec, colNotes); s != "" {
		return []campaign.Note{{At: pl.opts.Now, Author: owner, Text: s}}
	}
	return nil
}

// personReason checks the person with the parser's rules and explains a refusal in terms of the
// file rather than of a chat message. Known companies are checked here from a set, because the
// parser's list scan would be quadratic over a large file.
func (pl *planner) personReason(person, company string) string {
	err := checkPerson(person, company, nil)
	if err == nil && pl.companies[campaign.CompanyKey(person)] {
		err = companyError(person)
	}
	switch campaign.ErrorCode(err) {
	case "":
		return ""
	case CodeMentionAsPerson:
		return "The person or company is a Slack mention, not a name."
	case CodeNoPerson:
		if !hasAlnum(person) {
			return "The row has no person; every campaign courts one named individual."
		}
		return fmt.Sprintf("%q isn't a named person; every campaign courts one individual, like \"Jane Smith\".", short(person))
	case CodeCompanyAsPerson:
		return fmt.Sprintf("%q is a company, not a person; put the person's name in the person column.", short(person))
	case CodeBadPerson:
		if n := utf8.RuneCountInString(person); n > MaxPersonLen {
			return fmt.Sprintf("The person's name is %d characters long; the limit is %d.", n, MaxPersonLen)
		}
		return fmt.Sprintf("%q doesn't look like a person's name.", short(person))
	}
	return err.Error()
}

// due reads the follow-up cell. An RFC 3339 time (Export's) or a plain date (2026-03-17,
// 3/17/2026, read as 09:00 in the import's zone, as the parser reads a date) is taken directly;
// anything else goes through ParseMoment, so "next Tuesday 3pm" means what it means in chat. A
// new open campaign must be due after now and within two years; a restored or closed one keeps
// the date it had.
func (pl *planner) due(s string, status campaign.Status) (due time.Time, timeGiven bool, reason string) {
	open, strict := status.Open(), status.Open() && !pl.f.restore
	if s == "" {
		if open {
			return time.Time{}, false, "The row has no follow-up date."
		}
		return time.Time{}, false, ""
	}
	now := pl.opts.Now
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		due, timeGiven = t.UTC(), true
	} else if d, ok := plainDate(s); ok {
		due = time.Date(d.Year(), d.Month(), d.Day(), 9, 0, 0, 0, pl.loc)
	} else {
		// A phrase is read as in chat, relative to now, even for a closed row: "next Tuesday"
		// means nothing else.
		m, err := ParseMoment(s, now, ParseOptions{Location: pl.loc})
		if err != nil {
			return time.Time{}, false, dateReason(s, err)
		}
		return m.Due, m.TimeGiven, ""
	}
	if strict && !due.After(now) {
		if m, err := ParseMoment(s, now, ParseOptions{Location: pl.loc}); err == nil {
			return m.Due, m.TimeGiven, "" // "today" after 9:00: the parser picks the next hour
		}
		return time.Time{}, false, fmt.Sprintf("The follow-up date %q is in the past.", short(s))
	}
	if strict && due.After(now.AddDate(2, 0, 0)) {
		return time.Time{}, false, fmt.Sprintf("The follow-up date %q is more than two years out.", short(s))
	}
	return due, timeGiven, ""
}

// plainDate reads 2026-03-17 and 3/17/2026 (US order, as the parser reads slashes).
func plainDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.DateOnly, "1/2/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// dateReason explains a date the parser refused, in one sentence about the cell.
func dateReason(s string, err error) string {
	switch campaign.ErrorCode(err) {
	case CodePastDate:
		return fmt.Sprintf("The follow-up date %q is in the past.", short(s))
	case CodeTooFar:
		return fmt.Sprintf("The follow-up date %q is more than two years out.", short(s))
	case CodeImpossibleDate, CodeWeekdayMismatch:
		return fmt.Sprintf("The follow-up date %q isn't on the calendar.", short(s))
	case CodeTwoDates:
		return fmt.Sprintf("The follow-up cell %q names two dates; keep one.", short(s))
	case "":
		return fmt.Sprintf("The follow-up date %q couldn't be read.", short(s))
	}
	return fmt.Sprintf("The follow-up date %q isn't a date; write 2026-03-17, 3/17/2026 or \"next Tuesday\".", short(s))
}

// parseBool reads a yes/no cell; empty is no.
func parseBool(s string) (v, ok bool) {
	switch strings.ToLower(s) {
	case "", "no", "n", "false", "f", "0":
		return false, true
	case "yes", "y", "true", "t", "1", "x", "✓":
		return true, true
	}
	return false, false
}

// short shortens user text for a one-line reason. Reasons are plain text for the terminal; a
// chat surface escapes them like any other text.
func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:39]) + "…"
	}
	return s
}
