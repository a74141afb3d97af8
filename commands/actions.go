package commands

import (
	"campaignbot/campaign"
)

// Buttons are command text aimed at one campaign by its reference, "#<id>". The grammar is the
// same a rep can type, so every button is also documented by the help card.

// Ref is how a campaign is named in commands and replies: "#4f2".
func Ref(id string) string { return "#" + id }

// DoneAction records the touch and asks for the next date in one step.
func DoneAction(id string) Action {
	return Action{Label: "Done", Command: "done " + Ref(id) + ",", Ask: "Next follow-up? (e.g. next Tuesday 10am)", Style: Primary}
}

// SnoozeMenu pushes the follow-up by a few common amounts without typing.
func SnoozeMenu(id string) Action {
	ref := Ref(id)
	return Action{Label: "Snooze", Options: []Action{
		{Label: "1 hour", Command: "snooze " + ref + " in 1 hour"},
		{Label: "This afternoon", Command: "snooze " + ref + " this afternoon"},
		{Label: "Tomorrow morning", Command: "snooze " + ref + " tomorrow morning"},
		{Label: "Next Monday", Command: "snooze " + ref + " next Monday"},
	}}
}

// RescheduleAction asks for a new date without recording a touch.
func RescheduleAction(id string) Action {
	return Action{Label: "Reschedule", Command: "move " + Ref(id) + " to", Ask: "New date? (e.g. Friday 2pm)"}
}

// TemperatureMenu sets hot, warm or cold.
func TemperatureMenu(id string) Action {
	ref := Ref(id)
	return Action{Label: "Temperature", Options: []Action{
		{Label: "Hot", Command: string(campaign.Hot) + " " + ref},
		{Label: "Warm", Command: string(campaign.Warm) + " " + ref},
		{Label: "Cold", Command: string(campaign.Cold) + " " + ref},
	}}
}

// CloseMenu ends the campaign with its outcome.
func CloseMenu(id string) Action {
	ref := Ref(id)
	return Action{Label: "Close", Style: Danger, Options: []Action{
		{Label: "Won", Command: "close " + ref + " won"},
		{Label: "Lost", Command: "close " + ref + " lost"},
		{Label: "Left company", Command: "close " + ref + " left"},
	}}
}

// ReminderActions are the buttons on a due-reminder DM.
func ReminderActions(id string) []Action {
	return []Action{DoneAction(id), SnoozeMenu(id), RescheduleAction(id), TemperatureMenu(id), CloseMenu(id)}
}
