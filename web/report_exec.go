package web

import (
	"context"
	"encoding/json"

	"casetrail/incident"
)

// apiError is the first error of an in-process GraphQL answer: its contract
// code, the offending argument of a BAD_USER_INPUT (extensions.field, e.g.
// "title" or "subjects[1].url"; "" when none) and its message (English,
// for the log: pages say the code or the field's rule in the catalog's
// words).
type apiError struct {
	Code, Field, Message string
}

// run is query with the error whole: it runs doc as user through Exec
// (in ctx, which may carry an idempotency key) and decodes the data into
// out. It returns nil on success.
func (h *Handler) run(ctx context.Context, user *User, doc string, vars map[string]any, out any) *apiError {
	res := h.o.Exec(ctx, user.Username, doc, vars)
	if len(res.Errors) > 0 {
		e := res.Errors[0]
		ae := &apiError{Message: e.Message}
		ae.Code, _ = e.Extensions["code"].(string)
		ae.Field, _ = e.Extensions["field"].(string)
		if ae.Code == "" || ae.Code == incident.CodeInternal {
			h.log.Error("graphql in-process", "subject", user.Username, "code", ae.Code, "message", e.Message)
			ae.Code = incident.CodeInternal
		}
		return ae
	}
	if out == nil {
		return nil
	}
	b, err := json.Marshal(res.Data)
	if err == nil {
		err = json.Unmarshal(b, out)
	}
	if err != nil {
		h.log.Error("graphql in-process: decode", "subject", user.Username, "err", err)
		return &apiError{Code: incident.CodeInternal, Message: "decode: " + err.Error()}
	}
	return nil
}

// withIdempotencyKey returns ctx carrying key for the commands of the next
// Exec (Options.IdempotencyKey); ctx itself when the wiring gave none.
func (h *Handler) withIdempotencyKey(ctx context.Context, key string) context.Context {
	if h.o.IdempotencyKey == nil {
		return ctx
	}
	return h.o.IdempotencyKey(ctx, key)
}
