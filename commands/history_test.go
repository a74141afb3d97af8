package commands_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestHistory(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.expect("follow up Jane Smith at Acme next Tuesday", false, "#1")
	r.now = r.now.Add(10 * time.Minute)
	r.expect("move Jane to next Friday", false)
	r.now = r.now.Add(10 * time.Minute)
	r.expect("Jane is hot", false)
	r.now = r.now.Add(10 * time.Minute)
	r.expect("note Jane: <!channel> asked for rates", false)

	got := r.expect("history Jane", false, "History of *Jane Smith* at Acme (#1), newest first:")
	lines := strings.Split(got.Text, "\n")[1:]
	want := []string{
		"• Wed Mar 4, 10:00 AM — note added",
		"• Wed Mar 4, 9:50 AM — temperature cold → hot",
		"• Wed Mar 4, 9:40 AM — moved Tue Mar 10, 9:00 AM → Fri Mar 13, 9:00 AM (3 days later)",
		"• Wed Mar 4, 9:30 AM — logged, first follow-up Tue Mar 10, 9:00 AM",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("history lines:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	r.expect("history #1", false, "temperature cold → hot")

	// Another rep cannot read it by number, and has no campaign of that name.
	if got := r.sayAs("U2", "history #1"); !got.Refused || !strings.Contains(got.Text, "isn't one of yours") {
		t.Errorf("another rep's history #1 = %+v", got)
	}
	if got := r.sayAs("U2", "history Jane"); !got.Refused || strings.Contains(got.Text, "moved") {
		t.Errorf("another rep's history Jane = %+v", got)
	}
	r.expect("history", true, "history Jane")

	// Closed campaigns keep their history, and are found by name.
	r.now = r.now.Add(10 * time.Minute)
	r.expect("close Jane won", false, "as won")
	r.expect("history Jane", false, "History of *Jane Smith* at Acme (#1)", "closed: won", "note added")
}

func TestHistoryLimit(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.expect("follow up Jane Smith at Acme next Tuesday", false)
	for i := range 25 {
		r.now = r.now.Add(time.Minute)
		r.expect(fmt.Sprintf("note Jane: call %d", i), false)
	}
	got := r.expect("history #1", false, "…older changes not shown.")
	if n := strings.Count(got.Text, "\n•"); n != 20 {
		t.Errorf("history shows %d lines, want 20:\n%s", n, got.Text)
	}
	if strings.Contains(got.Text, "logged") {
		t.Errorf("history shows the oldest change past the limit:\n%s", got.Text)
	}
}

var pushNames = []string{"Ann", "Bob", "Cleo", "Dev", "Eva", "Finn", "Gus", "Hana", "Ivo", "Jo"}

// TestMassPushFlag drives the coaching flag through the commands a rep types; the manager's team
// view must flag exactly the bursts the definition in team.go names.
func TestMassPushFlag(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		n       int           // campaigns moved
		gap     time.Duration // between moves
		to      string        // the new date
		note    bool          // a note on each campaign just after its move
		flagged bool
	}{
		{"ten later within the hour", 10, 5 * time.Minute, "next Friday", false, true},
		{"nine is not a mass push", 9, time.Minute, "next Friday", false, false},
		{"each move explained by a note", 10, time.Minute, "next Friday", true, false},
		{"moved earlier", 10, time.Minute, "tomorrow", false, false},
		{"spread over more than an hour", 10, 7 * time.Minute, "next Friday", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			r.h.SetManagers([]string{"M1"})
			r.expect("qualify Acme: uses Kelly", false)
			for i := range tt.n {
				r.expect(fmt.Sprintf("follow up %s at Acme next Tuesday", pushNames[i]), false)
			}
			r.now = r.now.Add(2 * time.Hour)
			for i := range tt.n {
				if i > 0 {
					r.now = r.now.Add(tt.gap)
				}
				r.expect(fmt.Sprintf("move #%s to %s", strconv.FormatInt(int64(i+1), 36), tt.to), false) // IDs are base 36
				if tt.note {
					r.expect(fmt.Sprintf("note #%s: they asked to talk after the board meeting", strconv.FormatInt(int64(i+1), 36)), false)
				}
			}
			got := r.sayAs("M1", "team")
			flag := "*Mass date pushes (10+ within an hour, last 7 days): 1*\n<@U1>: 10 follow-ups pushed later from Wed Mar 4, 11:30 AM, no note"
			if has := strings.Contains(got.Text, flag); has != tt.flagged {
				t.Errorf("flagged = %v, want %v:\n%s", has, tt.flagged, got.Text)
			}
			if !tt.flagged && strings.Contains(got.Text, "Mass date pushes") {
				t.Errorf("unexpected flag:\n%s", got.Text)
			}
		})
	}
}
