package slacktest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Slack's external upload flow, which replaced files.upload (retired for new apps in 2024):
//
//  1. files.getUploadURLExternal (filename, length) → {upload_url, file_id}. Tier 4.
//  2. POST the bytes to upload_url, raw or as multipart/form-data; Slack answers HTTP 200 with a
//     plain-text body. The URL is on files.slack.com; here it is on the fake's own host, which
//     slack-go accepts because it matches the API URL's host (it sends the token there).
//  3. files.completeUploadExternal (files=[{"id","title"}], channel_id, thread_ts,
//     initial_comment) shares the file; with a channel it posts a message there whose text is
//     initial_comment. Tier 4.
//
// Error names are from the method reference where it lists them (missing_argument for a zero
// length); file_not_found for completing an unknown or not yet uploaded file is assumed.

// maxUpload bounds what the fake reads from one upload, so a runaway test can't fill memory.
const maxUpload = 64 << 20

// Upload is one file the bot uploaded, from the upload URL request to its completion.
type Upload struct {
	FileID   string
	Filename string // from files.getUploadURLExternal
	Length   int    // declared in files.getUploadURLExternal
	Content  []byte // the bytes posted to the upload URL; nil until then
	Uploaded bool
	// Set by files.completeUploadExternal.
	Completed      bool
	Title          string
	Channel        string // where it was shared; "" leaves the file private
	ThreadTS       string
	InitialComment string
	TS             string // the file message's ts in Channel
}

// Uploads returns copies of every upload begun, oldest first.
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Upload, 0, len(s.uploads))
	for _, u := range s.uploads {
		c := *u
		c.Content = bytes.Clone(u.Content)
		out = append(out, c)
	}
	return out
}

// WaitUpload waits for a completed upload matching pred and returns it.
func (s *Server) WaitUpload(tb testing.TB, pred func(Upload) bool) Upload {
	tb.Helper()
	var got Upload
	s.Wait(tb, "a completed file upload", func() bool {
		for _, u := range s.Uploads() {
			if u.Completed && pred(u) {
				got = u
				return true
			}
		}
		return false
	})
	return got
}

// uploadURL answers files.getUploadURLExternal; the caller holds s.mu.
func (s *Server) uploadURL(p map[string]string) result {
	if p["filename"] == "" || p["length"] == "" || p["length"] == "0" {
		return fail("missing_argument")
	}
	n, err := strconv.Atoi(p["length"])
	if err != nil || n < 0 {
		return fail("invalid_arguments")
	}
	id := fmt.Sprintf("F%09d", s.nextID())
	s.uploads = append(s.uploads, &Upload{FileID: id, Filename: p["filename"], Length: n})
	return ok(map[string]any{"upload_url": s.srv.URL + "/upload/v1/" + id, "file_id": id})
}

// serveUpload receives a file's bytes at its upload URL.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/v1/")
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	content, err := uploadBody(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notify()
	s.calls = append(s.calls, Call{Method: "upload_url", Params: map[string]string{"file_id": id, "bytes": strconv.Itoa(len(content))}, At: time.Now(), Status: http.StatusOK})
	u := s.upload(id)
	switch {
	case u == nil:
		s.problem("upload to unknown upload URL %q", r.URL.Path)
		http.Error(w, "not found", http.StatusNotFound)
		return
	case err != nil:
		s.problem("upload %s: unreadable body: %v", id, err)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	case u.Completed:
		s.problem("upload %s: bytes posted after files.completeUploadExternal", id)
	}
	if len(content) != u.Length {
		s.problem("upload %s: %d bytes posted, files.getUploadURLExternal declared %d", id, len(content), u.Length)
	}
	u.Content, u.Uploaded = content, true
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = fmt.Fprintf(w, "OK - %d", len(content))
}

// uploadBody reads the file from a raw or multipart/form-data body.
func uploadBody(r *http.Request) ([]byte, error) {
	body := io.LimitReader(r.Body, maxUpload)
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return io.ReadAll(body)
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, errors.New("multipart body has no file part")
		}
		if err != nil {
			return nil, err
		}
		if part.FileName() != "" || part.FormName() == "file" {
			return io.ReadAll(part)
		}
	}
}

// completeUpload answers files.completeUploadExternal; the caller holds s.mu.
func (s *Server) completeUpload(p map[string]string) result {
	var files []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(p["files"]), &files); err != nil || len(files) == 0 {
		return fail("invalid_arguments")
	}
	channel := p["channel_id"]
	if channel == "" && p["channels"] != "" {
		if strings.Contains(p["channels"], ",") && p["thread_ts"] != "" {
			return fail("invalid_arguments") // thread_ts needs exactly one channel
		}
		channel, _, _ = strings.Cut(p["channels"], ",")
	}
	if channel != "" {
		ch, found := s.channelFor(channel)
		if !found {
			return fail("channel_not_found")
		}
		channel = ch
	} else if p["thread_ts"] != "" {
		return fail("invalid_arguments")
	}
	ups := make([]*Upload, len(files))
	for i, f := range files {
		u := s.upload(f.ID)
		if u == nil || !u.Uploaded || u.Completed {
			if u != nil && !u.Uploaded {
				s.problem("files.completeUploadExternal for %s before its bytes were posted", f.ID)
			}
			return fail("file_not_found")
		}
		ups[i] = u
	}
	var ts string
	if channel != "" {
		// Slack shares the files in one message from the bot, captioned by initial_comment.
		m := &Message{Channel: channel, TS: s.newTS(), ThreadTS: p["thread_ts"], Text: p["initial_comment"]}
		s.messages = append(s.messages, m)
		ts = m.TS
	}
	out := make([]map[string]any, len(files))
	for i, u := range ups {
		u.Completed, u.Title, u.Channel, u.ThreadTS, u.InitialComment, u.TS = true, files[i].Title, channel, p["thread_ts"], p["initial_comment"], ts
		if u.Title == "" {
			u.Title = u.Filename
		}
		out[i] = map[string]any{"id": u.FileID, "title": u.Title, "name": u.Filename, "size": len(u.Content)}
	}
	return ok(map[string]any{"files": out})
}

// upload finds an upload by file ID; the caller holds s.mu.
func (s *Server) upload(id string) *Upload {
	for _, u := range s.uploads {
		if u.FileID == id {
			return u
		}
	}
	return nil
}
