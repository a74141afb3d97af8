package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/slack-go/slack"

	"campaignbot/commands"
)

// File replies. A reply that carries a file (the CSV of "export") is uploaded with Slack's
// external upload flow — files.getUploadURLExternal, a POST of the bytes to the returned
// upload_url, then files.completeUploadExternal with the reply's text as initial_comment — which
// replaced files.upload. Where it goes follows where the request came from:
//
//   - a DM: into the DM;
//   - a mention: into the mention's thread, like every mention reply (the channel sees it, as
//     it sees a "list" answered there);
//   - /followup, a button or a modal: into the rep's DM, with a note where they asked. Slack has
//     no ephemeral files, and a slash command's channel may be one the bot isn't in.
//
// slack-go's UploadFileContext (v0.36.0's name for the V2 upload) chains the three steps; they
// are called one by one here so each goes through the sender, and a 429 on the last step
// retries only that step with the same file ID instead of uploading the bytes again. The
// completing call is the one that posts in the channel, so it takes the channel's slot.

// fileFailed is what the rep sees when the upload fails; the details are in the log.
const fileFailed = "Sorry, I couldn't upload the file. It's been logged — please try again in a minute."

// replyFile uploads r's file into channel (in thread when set), captioned with r's text. When
// the upload fails the rep gets a message saying so.
func (s *Slack) replyFile(ctx context.Context, team, channel, thread string, r commands.Reply) {
	err := s.upload(ctx, channel, thread, r)
	if err == nil {
		return
	}
	s.log.ErrorContext(ctx, "file upload failed", "err", err, "team", team, "channel", channel)
	if err := s.post(ctx, channel, thread, commands.Reply{Text: fileFailed}); err != nil {
		s.log.ErrorContext(ctx, "reply failed", "err", err, "team", team, "channel", channel)
	}
}

// fileToDM uploads r's file into the rep's DM and returns the reply to show where they asked:
// r's text and where the file went, or an apology when the upload failed.
func (s *Slack) fileToDM(ctx context.Context, team, user string, r commands.Reply) commands.Reply {
	ch, err := s.dmChannel(ctx, team, user)
	if err == nil {
		err = s.upload(ctx, ch, "", r)
	}
	if err != nil {
		s.log.ErrorContext(ctx, "file upload failed", "err", err, "team", team, "user", user)
		return commands.Reply{Text: fileFailed}
	}
	return commands.Reply{Text: r.Text + " The file is in your DM with me, since a file can't be shown to you alone here."}
}

// upload shares r.File in channel, in thread when set, with r's text as the message above it.
func (s *Slack) upload(ctx context.Context, channel, thread string, r commands.Reply) error {
	f := r.File
	if f == nil || len(f.Content) == 0 {
		return errors.New("upload: no file content") // Slack refuses a zero length
	}
	var u *slack.GetUploadURLExternalResponse
	err := s.send.do(ctx, "files.getUploadURLExternal", "", func(ctx context.Context) (err error) {
		u, err = s.api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{FileName: f.Name, FileSize: len(f.Content)})
		return err
	})
	if err != nil {
		return fmt.Errorf("get upload url for %s: %w", f.Name, err)
	}
	err = s.send.do(ctx, "upload_url", "", func(ctx context.Context) error {
		// A fresh reader per attempt: a retry must send the bytes from the start.
		return s.api.UploadToURL(ctx, slack.UploadToURLParameters{UploadURL: u.UploadURL, Reader: bytes.NewReader(f.Content), Filename: f.Name})
	})
	if err != nil {
		// The upload URL is a bearer capability until it is used: keep it out of the log.
		return fmt.Errorf("upload %s (%d bytes): %w", u.FileID, len(f.Content), redactURL(err))
	}
	title := f.Title
	if title == "" {
		title = f.Name
	}
	err = s.send.do(ctx, "files.completeUploadExternal", channel, func(ctx context.Context) error {
		_, err := s.api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{
			Files:           []slack.FileSummary{{ID: u.FileID, Title: title}},
			Channel:         channel,
			ThreadTimestamp: thread,
			InitialComment:  fallbackText(commands.Reply{Text: r.Text}),
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("complete upload %s: %w", u.FileID, err)
	}
	s.log.InfoContext(ctx, "file uploaded", "file_id", u.FileID, "channel", channel, "bytes", len(f.Content))
	return nil
}

// redactURL drops the URL from a transport error (*url.Error quotes it).
func redactURL(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err
	}
	return err
}

// saveFile writes f into dir for the console and returns its path. The name comes from
// commands, but it is still cut to a plain base name of safe characters and opened through an
// os.Root, so no name can reach outside dir; an existing file is never overwritten (a second
// export the same day gets "-2"). Files are private to the user: they hold customer notes.
func saveFile(dir string, f *commands.File) (string, error) {
	if dir == "" {
		return "", errors.New("no export folder is configured")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", err
	}
	defer func() { _ = root.Close() }()
	base := safeFileName(f.Name)
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	for i := 1; i <= 100; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s-%d%s", stem, i, ext)
		}
		fh, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, werr := fh.Write(f.Content)
		if err := errors.Join(werr, fh.Close()); err != nil {
			_ = root.Remove(name)
			return "", err
		}
		return filepath.Join(dir, name), nil
	}
	return "", fmt.Errorf("%s and 99 numbered copies already exist", base)
}

// safeFileName keeps letters, digits, '.', '-' and '_' of a name's last element, with no
// leading dot, at most 100 bytes; anything else becomes '_'.
func safeFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	b := []byte(name)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_':
		default:
			b[i] = '_'
		}
	}
	name = strings.TrimLeft(string(b), ".")
	if len(name) > 100 {
		name = name[len(name)-100:]
	}
	if name == "" || name == "_" {
		return "export"
	}
	return name
}
