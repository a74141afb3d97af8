// Package commands understands what a rep types and answers it.
//
// Parse and ParseMoment turn free text into a draft campaign or a date; Handler runs a rep's
// message (log, done, move, list, stats, …) against a Store and returns a Reply that any chat
// adapter can render. Buttons in a Reply carry command text, so a button press runs through the
// same parsing and ownership checks as a typed message.
//
// It depends only on campaign and the standard library (plus the olebedev/when date engine).
// Storage is reached through the Store interface declared here and implemented by storage.
package commands
