package campaign

import (
	"errors"
	"fmt"
)

// Code classifies an error a rep can act on. Parsers add their own finer codes (such as
// "past_date") of the same type.
type Code string

// General codes shared by every package.
const (
	Invalid   Code = "invalid"   // the rep typed something we cannot use
	NotFound  Code = "not_found" // no campaign matches
	Ambiguous Code = "ambiguous" // several campaigns match; the rep must pick one
	Forbidden Code = "forbidden" // the campaign belongs to someone else
)

// Error is the only error whose text reaches a rep. Message is one full sentence saying what was
// wrong and what to type instead; any user text inside it is already escaped for chat.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf builds a rep-facing error. Arguments are formatted as given: escape user text first.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or "" if there is none, which
// means the error is internal.
func ErrorCode(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return ""
}

// DuplicateError reports that the owner already has an open campaign for the same person at the
// same company (compared by PersonKey and CompanyKey). It is not shown to reps: the command layer
// turns it into an update of the existing campaign.
type DuplicateError struct{ ID string }

func (e *DuplicateError) Error() string { return "duplicate of campaign " + e.ID }
