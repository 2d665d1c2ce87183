package schema

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"

	"casetrail/incident"
)

// Error is the error every resolver returns: a contract code, the offending
// argument for BAD_USER_INPUT, and a message safe to show. It implements
// gqlerrors.ExtendedError, which is how graphql-go v0.8.1 carries
// extensions.code into the response (only when the resolver returns this
// type itself, not something wrapping it).
type Error struct {
	Code    string
	Field   string
	Message string
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Extensions returns {"code": Code} plus "field" when there is one.
func (e *Error) Extensions() map[string]any {
	ext := map[string]any{"code": e.Code}
	if e.Field != "" {
		ext["field"] = e.Field
	}
	return ext
}

var _ gqlerrors.ExtendedError = (*Error)(nil)

func newError(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func badInput(field, format string, args ...any) *Error {
	return &Error{Code: incident.CodeBadUserInput, Field: field, Message: field + ": " + fmt.Sprintf(format, args...)}
}

var (
	errUnauthenticated = newError(incident.CodeUnauthenticated, "authentication required")
	errForbidden       = newError(incident.CodeForbidden, "not allowed")
)

const internalMessage = "internal error"

// convert is the one place an error becomes what a caller sees: *Error
// passes, *incident.Error anywhere in the chain keeps its code and message,
// a timed-out or cancelled request says so, and anything else is logged and
// reported as INTERNAL with a message that leaks nothing.
func (r *resolver) convert(ctx context.Context, op string, err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var de *incident.Error
	if errors.As(err, &de) {
		if !de.Public() {
			r.log.ErrorContext(ctx, "graphql resolver", "op", op, "err", err)
			return newError(incident.CodeInternal, internalMessage)
		}
		if de.Code == incident.CodeInternal {
			r.log.WarnContext(ctx, "graphql resolver", "op", op, "err", err)
		}
		return &Error{Code: de.Code, Field: de.Field, Message: de.Error()}
	}
	if unavailable(err) {
		r.log.WarnContext(ctx, "graphql resolver: database unavailable", "op", op, "err", err)
		return newError(incident.CodeInternal, "%s", incident.ErrUnavailable.Message)
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		r.log.WarnContext(ctx, "graphql resolver timed out", "op", op, "err", err)
		return newError(incident.CodeInternal, "the request took too long")
	case errors.Is(err, context.Canceled):
		return newError(incident.CodeInternal, "the request was cancelled")
	}
	r.log.ErrorContext(ctx, "graphql resolver", "op", op, "err", err)
	return newError(incident.CodeInternal, internalMessage)
}

// guard wraps a resolver: its error goes through convert, and a panic becomes
// INTERNAL (logged with its stack) instead of graphql-go's message, which
// would show the panic value.
func (r *resolver) guard(op string, fn graphql.FieldResolveFn) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (out any, err error) {
		defer func() {
			if v := recover(); v != nil {
				r.log.ErrorContext(p.Context, "graphql resolver panic", "op", op, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				out, err = nil, newError(incident.CodeInternal, internalMessage)
			}
		}()
		out, err = fn(p)
		if err != nil {
			// Return a nil interface, not a typed nil, with the error.
			return nil, r.convert(p.Context, op, err)
		}
		return out, nil
	}
}

// finishErrors gives every error of a result an extensions.code. Errors of
// the resolvers already have one. The rest come from graphql-go: document
// and variable errors (they have no original error) are BAD_USER_INPUT with
// graphql-go's message, which is about the request; anything else (a panic
// graphql-go caught, a timeout) is INTERNAL and its message is replaced.
func finishErrors(ctx context.Context, log *slog.Logger, errs []gqlerrors.FormattedError) []gqlerrors.FormattedError {
	for i := range errs {
		fe := &errs[i]
		if code, _ := fe.Extensions["code"].(string); code != "" {
			continue
		}
		code, msg := classify(fe)
		if code == incident.CodeInternal && msg == internalMessage {
			log.ErrorContext(ctx, "graphql execution", "err", fe.Message)
		}
		fe.Message = msg
		if fe.Extensions == nil {
			fe.Extensions = map[string]any{}
		}
		fe.Extensions["code"] = code
	}
	return errs
}

func classify(fe *gqlerrors.FormattedError) (code, msg string) {
	orig := fe.OriginalError()
	var ge *gqlerrors.Error
	if errors.As(orig, &ge) {
		orig = ge.OriginalError
		if orig == nil {
			return incident.CodeBadUserInput, fe.Message
		}
	}
	if orig == nil {
		return incident.CodeBadUserInput, fe.Message
	}
	switch {
	case errors.Is(orig, context.DeadlineExceeded):
		return incident.CodeInternal, "the request took too long"
	case errors.Is(orig, context.Canceled):
		return incident.CodeInternal, "the request was cancelled"
	}
	return incident.CodeInternal, internalMessage
}

// requestError builds a response error with a code, outside any field.
func requestError(code, msg string) gqlerrors.FormattedError {
	return gqlerrors.FormattedError{Message: msg, Extensions: map[string]any{"code": code}}
}

// unavailable reports whether err says the database could not be reached or
// went away: a network error, a connection closed under a query, or a
// PostgreSQL error of class 08 (connection exception) or 57P (shutdown,
// starting up). The store's driver is not imported: its errors are
// recognised by the standard interfaces they implement.
func unavailable(err error) bool {
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		state := pg.SQLState()
		return strings.HasPrefix(state, "08") || strings.HasPrefix(state, "57P")
	}
	return false
}
