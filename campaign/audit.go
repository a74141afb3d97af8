package campaign

import (
	"fmt"
	"strings"
	"time"
)

// EventKind names one kind of change in the audit trail.
type EventKind string

// The changes the audit trail records. Storage derives them from the data it writes, in the same
// atomic step, so the trail cannot disagree with the campaigns.
const (
	EventCreated     EventKind = "created"     // NewDue is the first follow-up
	EventMoved       EventKind = "moved"       // OldDue → NewDue without a touch
	EventDone        EventKind = "done"        // a follow-up done: OldDue was due, NewDue is next
	EventTemperature EventKind = "temperature" // OldTemp → NewTemp
	EventCompany     EventKind = "company"     // OldCompany → Company
	EventOwner       EventKind = "owner"       // Actor (the previous owner) → Owner
	EventClosed      EventKind = "closed"      // Outcome is won, lost or left
	EventReopened    EventKind = "reopened"    // Outcome is the status it was closed with
	EventNote        EventKind = "note"        // the text stays in the notes, not in the trail
	EventDeleted     EventKind = "deleted"     // the rep's undo
	EventQualified   EventKind = "qualified"   // Company qualified; no Campaign
)

// Event is one entry of a workspace's audit trail. Only the fields its Kind describes are set.
type Event struct {
	// ID orders events; it is unique within the workspace and increases with At.
	ID       string
	At       time.Time
	Actor    string // Slack user ID of whoever made the change
	Campaign string // campaign ID; empty for EventQualified
	Kind     EventKind

	OldDue, NewDue   time.Time
	OldTemp, NewTemp Temperature
	Outcome          Status
	OldCompany       string
	Company          string
	Owner            string // EventOwner: the new owner
}

// Delta is how far a moved or done event pushed the follow-up: positive is later.
func (e Event) Delta() time.Duration {
	if e.OldDue.IsZero() || e.NewDue.IsZero() {
		return 0
	}
	return e.NewDue.Sub(e.OldDue)
}

// Describe renders what happened for a chat line, without the time or the actor: "moved Tue Mar
// 10 → Fri Mar 13 (3 days later)". when formats instants (the caller knows the reader's zone);
// user text is escaped.
func (e Event) Describe(when func(time.Time) string) string {
	switch e.Kind {
	case EventCreated:
		return "logged, first follow-up " + when(e.NewDue)
	case EventMoved:
		return fmt.Sprintf("moved %s → %s (%s)", when(e.OldDue), when(e.NewDue), HumanDelta(e.Delta()))
	case EventDone:
		return fmt.Sprintf("follow-up due %s done, next %s", when(e.OldDue), when(e.NewDue))
	case EventTemperature:
		return fmt.Sprintf("temperature %s → %s", orNone(string(e.OldTemp)), orNone(string(e.NewTemp)))
	case EventCompany:
		return fmt.Sprintf("company %s → %s", orNone(Escape(e.OldCompany)), orNone(Escape(e.Company)))
	case EventOwner:
		return fmt.Sprintf("handed from <@%s> to <@%s>", e.Actor, e.Owner)
	case EventClosed:
		return "closed: " + string(e.Outcome)
	case EventReopened:
		return "reopened (was " + string(e.Outcome) + ")"
	case EventNote:
		return "note added"
	case EventDeleted:
		return "deleted (undo)"
	case EventQualified:
		return Escape(e.Company) + " qualified"
	}
	return string(e.Kind)
}

// String is a log-friendly rendering in UTC, for tests and debugging.
func (e Event) String() string {
	return fmt.Sprintf("%s %s #%s by %s: %s", e.At.UTC().Format(time.RFC3339), e.Kind, e.Campaign, e.Actor,
		e.Describe(func(t time.Time) string { return t.UTC().Format(time.RFC3339) }))
}

// HumanDelta renders a due-date change as "3 days later", "2 hours earlier" or "same time".
func HumanDelta(d time.Duration) string {
	dir := "later"
	if d < 0 {
		dir, d = "earlier", -d
	}
	var n int
	var unit string
	switch {
	case d == 0:
		return "same time"
	case d >= 24*time.Hour:
		n, unit = int((d+12*time.Hour)/(24*time.Hour)), "day"
	case d >= time.Hour:
		n, unit = int((d+30*time.Minute)/time.Hour), "hour"
	default:
		n, unit = max(1, int((d+30*time.Second)/time.Minute)), "minute"
	}
	if n != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s %s", n, unit, dir)
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "none"
	}
	return s
}
