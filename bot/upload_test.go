package bot_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"campaignbot/bot"
	"campaignbot/bot/slacktest"
	"campaignbot/commands"
)

// csvBody stands in for an export: a byte order mark, a header and a row with a comma and a
// newline inside quotes, so any re-encoding on the way would show.
var csvBody = []byte("\ufeffid,person,notes\n1,Jane Smith,\"called, left a\nmessage\"\n")

const exportText = "Here are your 1 campaigns as CSV &amp; more."

// fileHandler answers "export" with a file, like commands.Handler, and anything else with text.
type fileHandler struct{}

func (fileHandler) Handle(_ context.Context, m commands.Message) commands.Reply {
	if m.Text != "export" {
		return commands.Reply{Text: "you said " + m.Text}
	}
	return commands.Reply{Text: exportText, File: &commands.File{
		Name: "campaigns-2026-03-04.csv", Title: "Campaigns 2026-03-04", Content: bytes.Clone(csvBody),
	}}
}

// checkUpload checks what the fake received: the file's name, title, bytes and caption.
func checkUpload(t *testing.T, u slacktest.Upload) {
	t.Helper()
	if u.Filename != "campaigns-2026-03-04.csv" || u.Title != "Campaigns 2026-03-04" {
		t.Errorf("upload name %q title %q", u.Filename, u.Title)
	}
	if !bytes.Equal(u.Content, csvBody) || u.Length != len(csvBody) {
		t.Errorf("uploaded %d bytes (declared %d) %q, want %q", len(u.Content), u.Length, u.Content, csvBody)
	}
	if u.InitialComment != exportText {
		t.Errorf("initial_comment = %q, want the reply text %q unchanged", u.InitialComment, exportText)
	}
}

func TestUploadInDM(t *testing.T) {
	fs := slacktest.New(t)
	startSlack(t, fs, fileHandler{})
	fs.WaitConnections(t, 1)

	d := fs.SendDM(rep1, "export")
	u := fs.WaitUpload(t, func(u slacktest.Upload) bool { return u.Channel == d.Channel })
	checkUpload(t, u)
	if u.ThreadTS != "" {
		t.Errorf("DM upload thread_ts = %q, want none", u.ThreadTS)
	}
	// The file message is the whole reply: no separate chat.postMessage.
	if n := len(fs.Calls("chat.postMessage")); n != 0 {
		t.Errorf("%d chat.postMessage calls besides the upload", n)
	}
	var steps []string
	for _, c := range fs.Calls("") {
		if strings.HasPrefix(c.Method, "files.") || c.Method == "upload_url" {
			steps = append(steps, c.Method)
		}
	}
	if got := strings.Join(steps, " → "); got != "files.getUploadURLExternal → upload_url → files.completeUploadExternal" {
		t.Errorf("upload steps = %s", got)
	}
	if m := fs.Messages(d.Channel); len(m) != 1 || m[0].Text != exportText {
		t.Errorf("DM messages = %+v, want the file message captioned with the reply", m)
	}
}

func TestUploadInMentionThread(t *testing.T) {
	fs := slacktest.New(t)
	startSlack(t, fs, fileHandler{})
	fs.WaitConnections(t, 1)

	d := fs.SendMention(rep1, "C0SALES001", "<@"+slacktest.BotUser+"> export")
	u := fs.WaitUpload(t, func(slacktest.Upload) bool { return true })
	checkUpload(t, u)
	if u.Channel != "C0SALES001" || u.ThreadTS != d.TS {
		t.Errorf("upload in %s thread %q, want C0SALES001 thread %q", u.Channel, u.ThreadTS, d.TS)
	}
}

// TestUploadForSlashCommandGoesToDM: Slack has no ephemeral files, so /followup export puts the
// file in the rep's DM and says so to the rep alone where they typed it.
func TestUploadForSlashCommandGoesToDM(t *testing.T) {
	fs := slacktest.New(t)
	startSlack(t, fs, fileHandler{})
	fs.WaitConnections(t, 1)

	fs.SendSlashCommand(rep1, "C0SALES001", "export")
	u := fs.WaitUpload(t, func(slacktest.Upload) bool { return true })
	checkUpload(t, u)
	if !strings.HasPrefix(u.Channel, "D") {
		t.Errorf("slash command upload went to %s, want the rep's DM", u.Channel)
	}
	note := fs.WaitEphemeral(t, rep1, func(slacktest.Message) bool { return true })
	if note.Channel != "C0SALES001" || !contains(note, "Here are your 1 campaigns") || !contains(note, "in your DM") {
		t.Errorf("ephemeral note in %s: %q / %q", note.Channel, note.Text, note.BlocksText())
	}
	if n := len(fs.Messages("C0SALES001")); n != 0 {
		t.Errorf("%d messages visible in the channel", n)
	}
}

// TestUploadRetriesRateLimitedComplete: a 429 on the completing step waits Retry-After and
// retries that step alone, with the same file: one upload URL, one copy of the bytes.
func TestUploadRetriesRateLimitedComplete(t *testing.T) {
	fs := slacktest.New(t)
	fs.RateLimit("files.completeUploadExternal", time.Second)
	r := startSlack(t, fs, fileHandler{})
	fs.WaitConnections(t, 1)

	d := fs.SendDM(rep1, "export")
	u := fs.WaitUpload(t, func(u slacktest.Upload) bool { return u.Channel == d.Channel })
	checkUpload(t, u)
	calls := fs.Calls("files.completeUploadExternal")
	if len(calls) != 2 || calls[0].Status != 429 || calls[1].Status != 200 {
		t.Fatalf("completeUploadExternal calls = %+v, want a 429 then a success", calls)
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < 900*time.Millisecond {
		t.Errorf("retried after %v, before Retry-After (1s)", gap)
	}
	if n, m := len(fs.Calls("files.getUploadURLExternal")), len(fs.Calls("upload_url")); n != 1 || m != 1 {
		t.Errorf("getUploadURLExternal ×%d, upload ×%d; want one each", n, m)
	}
	if len(fs.Uploads()) != 1 {
		t.Errorf("uploads = %d, want 1", len(fs.Uploads()))
	}
	if !r.log.Contains("slack rate limited") {
		t.Errorf("the 429 is not logged")
	}
}

// TestUploadFailureTellsRep: when Slack keeps refusing, the rep hears that the file didn't come
// rather than nothing, and the log has the cause.
func TestUploadFailureTellsRep(t *testing.T) {
	fs := slacktest.New(t)
	for range 2 {
		fs.RateLimit("files.getUploadURLExternal", 0)
	}
	r := startSlack(t, fs, fileHandler{}, func(c *bot.SlackConfig) { c.MaxRetries = 1 })
	fs.WaitConnections(t, 1)

	d := fs.SendDM(rep1, "export")
	m := fs.WaitMessage(t, inChannel(d.Channel, "couldn't upload the file"))
	if m.ThreadTS != "" {
		t.Errorf("apology thread_ts = %q", m.ThreadTS)
	}
	if len(fs.Uploads()) != 0 {
		t.Errorf("uploads = %+v, want none", fs.Uploads())
	}
	if !r.log.Contains("file upload failed") {
		t.Errorf("the failure is not logged")
	}
}

func TestConsoleSavesFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "exports") // created on first use
	var out bytes.Buffer
	c := &bot.Console{In: strings.NewReader("export\nexport\n"), Out: &out, Team: "T", User: "U", ExportDir: dir}
	if err := c.Run(t.Context(), fileHandler{}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	first, second := filepath.Join(dir, "campaigns-2026-03-04.csv"), filepath.Join(dir, "campaigns-2026-03-04-2.csv")
	want := "Here are your 1 campaigns as CSV & more.\n(file saved: " + first + ")\n" +
		"Here are your 1 campaigns as CSV & more.\n(file saved: " + second + ")\n"
	if out.String() != want {
		t.Errorf("output =\n%s\nwant\n%s", out.String(), want)
	}
	for _, p := range []string{first, second} {
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, csvBody) {
			t.Errorf("%s = %q, want %q", p, got, csvBody)
		}
		if st, err := os.Stat(p); err == nil && st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode = %v, want 0600", p, st.Mode().Perm())
		}
	}
}

// TestConsoleFileNamesStayInDir: whatever name a reply's file has, it lands inside ExportDir.
func TestConsoleFileNamesStayInDir(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct{ name, want string }{
		{"../../etc/passwd", "passwd"},
		{`..\..\boot.ini`, "boot.ini"},
		{".hidden", "hidden"},
		{"..", "export"},
		{"", "export"},
		{"a b/c:d*.csv", "c_d_.csv"},
	} {
		c := &bot.Console{Out: &bytes.Buffer{}, ExportDir: dir}
		out := &bytes.Buffer{}
		c.Out = out
		_ = c.DM(t.Context(), "T", "U", commands.Reply{Text: "x", File: &commands.File{Name: tt.name, Content: []byte("y")}})
		if want := "(file saved: " + filepath.Join(dir, tt.want) + ")"; !strings.Contains(out.String(), want) {
			t.Errorf("file %q: output %q, want %q", tt.name, out.String(), want)
		}
		_ = os.Remove(filepath.Join(dir, tt.want))
	}
}

func TestConsoleWithoutExportDir(t *testing.T) {
	var out bytes.Buffer
	c := &bot.Console{In: strings.NewReader("export\n"), Out: &out}
	if err := c.Run(t.Context(), fileHandler{}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !strings.Contains(out.String(), "(file not saved: no export folder is configured)") {
		t.Errorf("output = %q", out.String())
	}
}

// privateFileHandler answers like a manager's "export team": a file with everyone's notes.
type privateFileHandler struct{}

func (privateFileHandler) Handle(_ context.Context, m commands.Message) commands.Reply {
	r := fileHandler{}.Handle(context.Background(), m)
	r.Private = true
	return r
}

// TestPrivateFileNeverInChannel: a team export asked for by a mention in a channel goes to the
// manager's DM; the channel sees nothing, and only the manager is told where the file went.
func TestPrivateFileNeverInChannel(t *testing.T) {
	fs := slacktest.New(t)
	startSlack(t, fs, privateFileHandler{})
	fs.WaitConnections(t, 1)

	fs.SendMention(rep1, "C0SALES001", "<@"+slacktest.BotUser+"> export")
	u := fs.WaitUpload(t, func(slacktest.Upload) bool { return true })
	checkUpload(t, u)
	if !strings.HasPrefix(u.Channel, "D") || u.ThreadTS != "" {
		t.Errorf("private file uploaded to %s thread %q, want the asker's DM", u.Channel, u.ThreadTS)
	}
	note := fs.WaitEphemeral(t, rep1, func(slacktest.Message) bool { return true })
	if note.Channel != "C0SALES001" || !contains(note, "in your DM") {
		t.Errorf("ephemeral note in %s: %q", note.Channel, note.Text)
	}
	if n := len(fs.Messages("C0SALES001")); n != 0 {
		t.Errorf("%d messages visible in the channel", n)
	}
}

// privateTextHandler answers like a manager's "team": text with every rep's numbers.
type privateTextHandler struct{}

func (privateTextHandler) Handle(context.Context, commands.Message) commands.Reply {
	return commands.Reply{Text: "*Team: 4 active campaigns across 2 reps*", Private: true}
}

// TestPrivateTextNeverInChannel: a manager's team view asked for by a mention in a channel is
// shown to the manager alone.
func TestPrivateTextNeverInChannel(t *testing.T) {
	fs := slacktest.New(t)
	startSlack(t, fs, privateTextHandler{})
	fs.WaitConnections(t, 1)

	fs.SendMention(rep1, "C0SALES001", "<@"+slacktest.BotUser+"> team")
	note := fs.WaitEphemeral(t, rep1, func(slacktest.Message) bool { return true })
	if note.Channel != "C0SALES001" || !contains(note, "Team: 4 active campaigns") {
		t.Errorf("ephemeral in %s: %q", note.Channel, note.Text)
	}
	if n := len(fs.Messages("C0SALES001")); n != 0 {
		t.Errorf("%d messages visible in the channel", n)
	}
}

// TestPostFileToChannel: the scheduler's leaderboard chart is a Post with a file, shared in the
// team channel through the upload flow.
func TestPostFileToChannel(t *testing.T) {
	fs := slacktest.New(t)
	r := startSlack(t, fs, fileHandler{})
	fs.WaitConnections(t, 1)

	reply := fileHandler{}.Handle(t.Context(), commands.Message{Text: "export"})
	if err := r.Post(t.Context(), slacktest.Team, "C0SALES001", reply); err != nil {
		t.Fatalf("Post: %v", err)
	}
	u := fs.WaitUpload(t, func(slacktest.Upload) bool { return true })
	checkUpload(t, u)
	if u.Channel != "C0SALES001" || u.ThreadTS != "" {
		t.Errorf("uploaded to %s thread %q, want the channel itself", u.Channel, u.ThreadTS)
	}
}
