package commands_test

import (
	"strings"
	"testing"
	"time"
)

// teamRig is a workspace with two reps and a manager, built through the commands reps type.
//
//	U1: Jane Smith @ Acme (hot, counting), Raj @ Acme (counting), Ann @ Globex (unqualified)
//	U2: Bob @ Initech (counting once Initech is qualified), Zed @ Acme (counting)
func teamRig(t *testing.T) *rig {
	t.Helper()
	r := newRig(t)
	r.h.SetManagers([]string{"M1"})
	for _, step := range []struct{ user, text string }{
		{"U1", "qualify Acme: uses Kelly"},
		{"U1", "follow up Jane Smith at Acme next Tuesday hot"},
		{"U1", "follow up Raj at Acme next Tuesday"},
		{"U1", "follow up Ann at Globex next Tuesday"},
		{"U2", "call Bob at Initech tomorrow"},
		{"U2", "qualify Initech: uses Adecco"},
		{"U2", "follow up Zed at Acme tomorrow"},
		{"M1", "help"}, // a manager who only reads is not ranked as a rep
	} {
		if got := r.sayAs(step.user, step.text); got.Refused {
			t.Fatalf("%s %q: %s", step.user, step.text, got.Text)
		}
	}
	return r
}

func TestTeamViewNumbers(t *testing.T) {
	t.Parallel()
	r := teamRig(t)
	r.sayAs("U1", "done Jane, next Friday") // on time: due Tue Mar 10, done Wed Mar 4
	got := r.sayAs("M1", "team")
	if got.Refused || !got.Private {
		t.Fatalf("team for a manager: private = %v, %s", got.Private, got.Text)
	}
	for _, want := range []string{
		"*Team: 4 active campaigns across 2 reps*",
		"1. <@U1> *2*/300",
		"lapsed 0 · unqualified 33% · hot 1 warm 0 cold 1 · on-time 100%",
		"2. <@U2> *2*/300",
		"lapsed 0 · unqualified 0% · hot 0 warm 0 cold 2 · on-time —",
		"*Companies with only one contact: 2* — Globex, Initech",
	} {
		if !strings.Contains(got.Text, want) {
			t.Errorf("team view lacks %q:\n%s", want, got.Text)
		}
	}
	if strings.Contains(got.Text, "M1") {
		t.Errorf("the manager is listed as a rep:\n%s", got.Text)
	}
}

func TestTeamViewIsForManagersOnly(t *testing.T) {
	t.Parallel()
	r := teamRig(t)
	got := r.sayAs("U1", "team")
	if !got.Refused || !strings.Contains(got.Text, "for managers") || strings.Contains(got.Text, "U2") {
		t.Errorf("a rep's team view = %+v", got)
	}
	if got := r.sayAs("U1", "start date <@U2> 2026-02-15"); !got.Refused || !strings.Contains(got.Text, "Only a manager") {
		t.Errorf("a rep setting a start date = %+v", got)
	}
	// Managers read; they cannot change a rep's campaigns.
	if got := r.sayAs("M1", "hot #2"); !got.Refused || !strings.Contains(got.Text, "isn't one of yours") {
		t.Errorf("a manager changing a rep's campaign = %+v", got)
	}
	// Everyone sees the leaderboard.
	if got := r.sayAs("U2", "leaderboard"); got.Refused || !strings.Contains(got.Text, "<@U1>") {
		t.Errorf("leaderboard for a rep = %+v", got)
	}
}

func TestStartDateAndCoachingFlags(t *testing.T) {
	t.Parallel()
	r := teamRig(t)
	r.expectAs("M1", "start date <@U2|bob> 2026-02-15", "<@U2> started on 2026-02-15; today's ramp plan is 85")
	r.expectAs("M1", "team", "ramp plan 85 (83 behind)")
	r.expectAs("M1", "start date <@U2> someday", "like \"start date @jane 2026-02-01\"")
	// Two weeks and a day later Jane (hot) has had no touch: a coaching flag.
	r.now = r.now.Add(15 * 24 * time.Hour)
	got := r.expectAs("M1", "team", "*Hot with no touch in 14+ days: 1*", "#1 *Jane Smith* at Acme (<@U1>, last touch Mar 4)")
	if strings.Contains(got.Text, "Cold untouched") {
		t.Errorf("no cold campaign is 90 days idle yet:\n%s", got.Text)
	}
	home := r.h.Home(t.Context(), messageFrom("M1"))
	if !strings.Contains(home.Text, "*Team:") {
		t.Errorf("manager's home lacks the team section:\n%s", home.Text)
	}
	if home := r.h.Home(t.Context(), messageFrom("U1")); strings.Contains(home.Text, "*Team:") {
		t.Errorf("a rep's home shows the team section:\n%s", home.Text)
	}
}
