package commands

// Reply is the bot's answer to one message, independent of the chat adapter that shows it.
// Text is Slack mrkdwn in which every piece of user text has been escaped (campaign.Escape).
type Reply struct {
	Text    string
	Actions []Action
	// Refused is true when Text explains why the message could not be used (a *campaign.Error),
	// so an adapter can show it beside the input, for example as a modal field error.
	Refused bool
	// File, when set, is sent with the reply as an attachment (Slack uploads it with Text as its
	// comment; the console saves it). Only "export" sets it.
	File *File
	// Failed marks the apology for an internal error (already logged once by the handler), so an
	// adapter can count it without logging it again.
	Failed bool
	// Private replies show other reps' data (a manager's team view or team export): adapters
	// show them only to the asker, never in a shared channel or thread.
	Private bool
}

// File is a document a reply carries, such as a CSV export.
type File struct {
	// Name is the file name, without directories, such as "campaigns-2026-03-04.csv".
	Name string
	// Title is what chat shows above the file.
	Title   string
	Content []byte
}

// Action is a button offered with a reply. Pressing it runs Command as if the rep had typed it,
// so a tampered button can do no more than typing could: the handler checks ownership either way.
type Action struct {
	Label   string
	Command string
	// Ask, when set, is a question whose typed answer is appended to Command before it runs
	// (Slack shows it in a modal; the console prints it as a hint).
	Ask string
	// Options turns the action into a menu: the rep picks one, and its Command runs.
	Options []Action
	Style   Style
}

// Style is a button's emphasis.
type Style string

// Button styles, as Slack names them.
const (
	Plain   Style = ""
	Primary Style = "primary"
	Danger  Style = "danger"
)
