package web

import (
	"context"
	"encoding/json"
)

// keyNotes holds the messages to show once on the next page, with their
// arguments (the session's keyFlash holds a bare catalog key).
const keyNotes = "notes"

// note is one message to show once: a catalog key and its arguments,
// already formatted; Bad marks a failure (shown as an error).
type note struct {
	Key  string   `json:"k"`
	Args []string `json:"a,omitempty"`
	Bad  bool     `json:"b,omitempty"`
}

// flashLine is a note as a page shows it.
type flashLine struct {
	Text string
	Bad  bool
}

// addNotes appends ns to the messages the next page of the session shows.
func (h *Handler) addNotes(ctx context.Context, ns ...note) {
	var all []note
	if b := h.sessions.GetBytes(ctx, keyNotes); len(b) > 0 {
		_ = json.Unmarshal(b, &all)
	}
	all = append(all, ns...)
	b, _ := json.Marshal(all)
	h.sessions.Put(ctx, keyNotes, b)
}

// popNotes takes the session's notes, told by p (keys the catalog lacks are
// dropped).
func (h *Handler) popNotes(ctx context.Context, p *Printer) []flashLine {
	b := h.sessions.PopBytes(ctx, keyNotes)
	if len(b) == 0 {
		return nil
	}
	var ns []note
	if err := json.Unmarshal(b, &ns); err != nil {
		return nil
	}
	out := make([]flashLine, 0, len(ns))
	for _, n := range ns {
		if _, ok := messages[n.Key]; !ok {
			continue
		}
		args := make([]any, len(n.Args))
		for i, a := range n.Args {
			args[i] = a
		}
		out = append(out, flashLine{Text: p.T(n.Key, args...), Bad: n.Bad})
	}
	return out
}
