package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"campaignbot/commands"
	"campaignbot/storage"
	"campaignbot/storage/storagetest"
)

// transferNow is the clock the CLI tests pass with --now: Wed 2026-03-04 09:30 in New York.
const transferNow = "2026-03-04T09:30:00-05:00"

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "campaigns.csv")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func importArgs(args ...string) []string {
	return append([]string{"--now", transferNow, "--tz", "America/New_York"}, args...)
}

// exportRows runs the export and returns its rows without the header.
func exportRows(t *testing.T, vars map[string]string, args ...string) [][]string {
	t.Helper()
	var out bytes.Buffer
	if err := runExport(t.Context(), args, env(vars), &out); err != nil {
		t.Fatalf("export %q: %v", args, err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v\n%s", err, out.String())
	}
	return rows[1:]
}

// TestImportExportCLI is the README story: a dry run writes nothing, the import writes the file,
// a second import is all duplicates, and the export of the rep re-imports into another
// workspace, with its owner column, as the same campaigns.
func TestImportExportCLI(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"REDIS_URL": storagetest.Start(t).URL()}
	file := writeFile(t, "\ufeffName,Company,Next follow-up,Temperature,Qualified,Notes\n"+
		"Jane Smith,Acme,3/10/2026,hot,yes,\"met at the fair,\nwants rates\"\n"+
		"Raj Patel,Globex,next friday 3pm,,no,=1+1\n")

	var out bytes.Buffer
	if err := runImport(t.Context(), importArgs("--team", "T1", "--owner", "U1", file, "--dry-run"), env(vars), &out); err != nil {
		t.Fatalf("dry run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "2 new campaigns, 0 duplicates, 0 rejected. Dry run: nothing was written.") {
		t.Errorf("dry-run report:\n%s", out.String())
	}
	if rows := exportRows(t, vars, "--team", "T1"); len(rows) != 0 {
		t.Fatalf("dry run wrote %d campaigns", len(rows))
	}

	out.Reset()
	if err := runImport(t.Context(), importArgs("--team", "T1", "--owner", "U1", file), env(vars), &out); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"Created (2):\n  line 2: #1 Jane Smith at Acme, due Tue 2026-03-10 09:00 EDT, hot\n",
		"  line 4: #2 Raj Patel at Globex, due Fri 2026-03-13 15:00 EDT, cold\n",
		"Qualified companies (1): Acme\n",
		"2 new campaigns, 0 duplicates, 0 rejected. Imported.\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}

	out.Reset()
	if err := runImport(t.Context(), importArgs(file, "--owner", "U1", "--team", "T1"), env(vars), &out); err != nil {
		t.Fatalf("second import: %v", err)
	}
	if !strings.Contains(out.String(), "0 new campaigns, 2 duplicates, 0 rejected. Nothing to write.") {
		t.Errorf("second import report:\n%s", out.String())
	}

	rows := exportRows(t, vars, "--team", "T1", "--owner", "U1")
	want := [][]string{
		{
			"1", "U1", "Jane Smith", "Acme", "hot", "", "active", "2026-03-10T13:00:00Z", "no", "2026-03-04T14:30:00Z",
			"2026-03-04T14:30:00Z", "", "yes", "marked qualified in a CSV import", "2026-03-04T14:30:00Z U1: met at the fair,\n wants rates",
		},
		{
			"2", "U1", "Raj Patel", "Globex", "cold", "", "active", "2026-03-13T19:00:00Z", "yes", "2026-03-04T14:30:00Z",
			"2026-03-04T14:30:00Z", "", "no", "", "2026-03-04T14:30:00Z U1: =1+1",
		}, // starts with a digit: inert,
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("export (-want +got):\n%s", diff)
	}

	var exported bytes.Buffer
	if err := runExport(t.Context(), []string{"--team", "T1"}, env(vars), &exported); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := runImport(t.Context(), importArgs("--team", "T2", writeFile(t, exported.String())), env(vars), &out); err != nil {
		t.Fatalf("import of the export: %v\n%s", err, out.String())
	}
	again := exportRows(t, vars, "--team", "T2")
	for i := range again {
		again[i][0] = rows[i][0] // IDs are the new workspace's
	}
	if diff := cmp.Diff(rows, again); diff != "" {
		t.Errorf("export of the re-import (-first +second):\n%s", diff)
	}
}

func TestImportCLIRejects(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"REDIS_URL": storagetest.Start(t).URL()}
	file := writeFile(t, "person,company,due\nJane Smith,Acme,3/10/2026\nAcme,Acme,3/1/2026\n")
	var out bytes.Buffer
	err := runImport(t.Context(), importArgs("--team", "T1", "--owner", "U1", file), env(vars), &out)
	if err == nil || !strings.Contains(err.Error(), "1 of 2 rows rejected; nothing was written") {
		t.Errorf("import error = %v", err)
	}
	if !strings.Contains(out.String(), "  line 3: Acme at Acme — \"Acme\" is a company, not a person;") {
		t.Errorf("report:\n%s", out.String())
	}
	if rows := exportRows(t, vars, "--team", "T1"); len(rows) != 0 {
		t.Errorf("a rejected file wrote %d campaigns", len(rows))
	}
}

func TestImportExportCLIUsage(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"REDIS_URL": storagetest.Start(t).URL()}
	file := writeFile(t, "person,company,due\n")
	tests := []struct {
		name    string
		run     func(args []string, out *bytes.Buffer) error
		args    []string
		wantErr string
		wantOut string
	}{
		{"export help", exportCmd(t, vars), []string{"-h"}, "", "usage: campaignbot export"},
		{"export without team", exportCmd(t, vars), nil, "give --team", ""},
		{"export extra argument", exportCmd(t, vars), []string{"--team", "T1", "x"}, "give --team and no other arguments", ""},
		{"import help", importCmd(t, vars), []string{"--help"}, "", "usage: campaignbot import"},
		{"import without file", importCmd(t, vars), []string{"--team", "T1"}, "exactly one file", ""},
		{"import two files", importCmd(t, vars), []string{"--team", "T1", file, file}, "exactly one file", ""},
		{"import unknown flag", importCmd(t, vars), []string{"--team", "T1", "--force", file}, "flag provided but not defined: -force", ""},
		{"import bad zone", importCmd(t, vars), []string{"--team", "T1", "--tz", "Mars/Olympus", file}, "time zone", ""},
		{"import missing file", importCmd(t, vars), []string{"--team", "T1", "nope.csv"}, "no such file", ""},
		{"import without owner", importCmd(t, vars), []string{"--team", "T1", file}, "no owner column", ""},
		{"import missing columns", importCmd(t, vars), []string{"--team", "T1", "--owner", "U1", writeFile(t, "name,notes\n")}, "no company or next follow-up column", ""},
		{"bad REDIS_URL", importCmd(t, map[string]string{"REDIS_URL": "bogus://x"}), []string{"--team", "T1", "--owner", "U1", file}, "open storage", ""},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		err := tt.run(tt.args, &out)
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%s: error = %v, want %q", tt.name, err, tt.wantErr)
		}
		if !strings.Contains(out.String(), tt.wantOut) {
			t.Errorf("%s: output = %q, want %q", tt.name, out.String(), tt.wantOut)
		}
	}
}

func exportCmd(t *testing.T, vars map[string]string) func([]string, *bytes.Buffer) error {
	t.Helper()
	return func(args []string, out *bytes.Buffer) error {
		return runExport(t.Context(), args, env(vars), out)
	}
}

func importCmd(t *testing.T, vars map[string]string) func([]string, *bytes.Buffer) error {
	t.Helper()
	return func(args []string, out *bytes.Buffer) error {
		return runImport(t.Context(), importArgs(args...), env(vars), out)
	}
}

// BenchmarkImportCLI10k runs the import subcommand on a 10,000-row file, each iteration into a
// new workspace, and reports rows per second end to end (read, plan, one atomic write, report).
//
//	go test . -run='^$' -bench=ImportCLI10k -benchtime=3x
func BenchmarkImportCLI10k(b *testing.B) {
	vars := map[string]string{"REDIS_URL": storagetest.Start(b).URL()}
	var sb strings.Builder
	sb.WriteString("person,company,due,temperature,notes\n")
	first := strings.Fields("James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth")
	last := strings.Fields("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez")
	due := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	for i := range 10_000 {
		name := first[i%10] + " " + string(rune('A'+i/10%26)) + string(rune('a'+i/260%26)) + " " + last[i/6760%10]
		sb.WriteString(name + ",Acme " + last[i%7] + "," + due.AddDate(0, 0, i%60).Format("1/2/2006") + ",warm,met at the fair\n")
	}
	path := filepath.Join(b.TempDir(), "big.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		var out bytes.Buffer
		if err := runImport(b.Context(), importArgs("--team", "B"+strconv.Itoa(i), "--owner", "U1", path), env(vars), &out); err != nil {
			b.Fatalf("import: %v\n%.2000s", err, out.String())
		}
	}
	b.ReportMetric(float64(10_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// storage.Store is what the subcommands hand to commands' CSV functions.
var (
	_ commands.Exporter = (*storage.Store)(nil)
	_ commands.Importer = (*storage.Store)(nil)
)

// TestRunDispatchesTransfer checks that run hands "export" and "import" to their subcommands.
func TestRunDispatchesTransfer(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"REDIS_URL": storagetest.Start(t).URL()}
	var out, errs bytes.Buffer
	if err := run(t.Context(), []string{"export", "--team", "T1"}, env(vars), strings.NewReader(""), &out, &errs); err != nil {
		t.Fatalf("run export: %v", err)
	}
	if !strings.HasPrefix(out.String(), "\ufeffid,owner,person,") {
		t.Errorf("run export wrote %q", out.String())
	}
	out.Reset()
	if err := run(t.Context(), []string{"import", "--help"}, env(vars), strings.NewReader(""), &out, &errs); err != nil || !strings.HasPrefix(out.String(), "usage: campaignbot import") {
		t.Errorf("run import --help = %v, %q", err, out.String())
	}
}
