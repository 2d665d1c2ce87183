package incident

import (
	"errors"
	"fmt"
	"slices"
)

// Error codes of the API contract (docs/contract/schema.graphql, header)
// that the domain and the graph answer with. Every error the domain returns
// carries one of them. The contract's other codes, RATE_LIMITED and
// QUERY_TOO_COMPLEX, are the HTTP layer's (api.TransportCodes).
const (
	CodeUnauthenticated   = "UNAUTHENTICATED"
	CodeForbidden         = "FORBIDDEN"
	CodeNotFound          = "NOT_FOUND"
	CodeBadUserInput      = "BAD_USER_INPUT"
	CodeConflict          = "CONFLICT"
	CodeInvalidTransition = "INVALID_TRANSITION"
	CodeInternal          = "INTERNAL"
)

// Codes lists the domain's error codes, in the order of the contract's header.
var Codes = []string{
	CodeUnauthenticated, CodeForbidden, CodeNotFound, CodeBadUserInput, CodeConflict,
	CodeInvalidTransition, CodeInternal,
}

// IsCode reports whether s is one of Codes.
func IsCode(s string) bool { return slices.Contains(Codes, s) }

// Error is a domain error a user may see: a contract code, the offending
// field (for BAD_USER_INPUT) and a message that names no internals.
type Error struct {
	Code    string
	Field   string
	Message string
}

// Error returns the message, prefixed by the field when there is one.
func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

// Errorf returns an *Error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// BadInput returns a BAD_USER_INPUT error about field.
func BadInput(field, format string, args ...any) *Error {
	return &Error{Code: CodeBadUserInput, Field: field, Message: fmt.Sprintf(format, args...)}
}

func invalidTransition(cmd string, s Status) *Error {
	return Errorf(CodeInvalidTransition, "%s is not allowed while the case is %s", cmd, s)
}

// The INTERNAL errors whose message a caller may see: each says what
// happened and what to do, and names no internals.
var (
	// ErrUnavailable: the database could not be reached; nothing was done.
	ErrUnavailable = &Error{Code: CodeInternal, Message: "the database is unavailable; try again"}
	// ErrOutcomeUnknown: a command was handed over, but its outcome was not
	// learned in time. It is applied at most once: the same request sent
	// again with the same Idempotency-Key is answered with its outcome.
	ErrOutcomeUnknown = &Error{Code: CodeInternal, Message: "the outcome of the command is not known yet; " +
		"send the same request again with the same Idempotency-Key header (for a report, the same clientRequestId) " +
		"to learn it; it is never applied twice"}
)

// Public reports whether e's message may be shown to a caller as it is: every
// code but INTERNAL, and the INTERNAL errors above.
func (e *Error) Public() bool {
	return e.Code != CodeInternal || e == ErrUnavailable || e == ErrOutcomeUnknown
}

// ErrorCode returns the contract code of err: the code of the first *Error in
// its chain, or INTERNAL for anything else (nil gives "").
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorMessage returns the user-facing message of err: the message of the
// first *Error in its chain, or a generic text that leaks nothing.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Error()
	}
	return "internal error"
}
