package readmodel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"casetrail/eventstore"
	"casetrail/incident"
)

// MaxHistory is the largest number of events History returns at once.
const MaxHistory = 1000

// replayPage is how many events CaseAsOf reads per query.
const replayPage = 1000

// History returns up to limit (1..MaxHistory) stored events of the case from
// fromVersion (>= 1) on, as the auditors see them: with hashes, global
// positions and metadata. An unknown case is NOT_FOUND.
func (r *Reader) History(ctx context.Context, caseID string, fromVersion int64, limit int) ([]eventstore.RecordedEvent, error) {
	if fromVersion < 1 {
		return nil, incident.BadInput("fromVersion", "must be at least 1")
	}
	if limit < 1 || limit > MaxHistory {
		return nil, incident.BadInput("limit", "must be between 1 and %d", MaxHistory)
	}
	recs, err := r.log.ReadStream(ctx, incident.StreamOf(caseID), fromVersion, limit)
	if err != nil {
		return nil, notFound(caseID, err)
	}
	return recs, nil
}

// CaseAsOf folds the case's own event stream (not the read model) up to
// version (inclusive) and/or up to the instant at (events that occurred at
// or before it); with neither it folds the whole stream. An unknown case, or
// an instant before the case was reported, is NOT_FOUND; a version below 1
// or beyond the stream is BAD_USER_INPUT.
func (r *Reader) CaseAsOf(ctx context.Context, caseID string, version *int64, at *time.Time) (*incident.Case, error) {
	if version != nil && *version < 1 {
		return nil, incident.BadInput("version", "must be at least 1")
	}
	var c incident.Case
	for {
		limit := replayPage
		if version != nil {
			limit = int(min(*version-c.Version, replayPage))
		}
		recs, err := r.log.ReadStream(ctx, incident.StreamOf(caseID), c.Version+1, limit)
		if err != nil {
			return nil, notFound(caseID, err)
		}
		if at != nil {
			// Events are in version order and their times do not go back:
			// stop at the first one after at.
			if i := slices.IndexFunc(recs, func(r eventstore.RecordedEvent) bool { return r.OccurredAt.After(*at) }); i >= 0 {
				if err := foldRecorded(&c, recs[:i]); err != nil {
					return nil, fmt.Errorf("case %s as of: %w", caseID, err)
				}
				return asOfResult(caseID, &c, at)
			}
		}
		if err := foldRecorded(&c, recs); err != nil {
			return nil, fmt.Errorf("case %s as of: %w", caseID, err)
		}
		if version != nil && c.Version >= *version {
			return asOfResult(caseID, &c, at)
		}
		if len(recs) < limit {
			if version != nil {
				return nil, incident.BadInput("version", "case %s has only %d events", caseID, c.Version)
			}
			return asOfResult(caseID, &c, at)
		}
	}
}

// foldRecorded decodes recs (on every core) and folds them into c.
func foldRecorded(c *incident.Case, recs []eventstore.RecordedEvent) error {
	evs := make([]incident.Event, len(recs))
	errs := make([]error, len(recs))
	parallel(len(recs), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			evs[i], errs[i] = ToDomain(recs[i])
		}
	})
	for i := range evs {
		if errs[i] != nil {
			return errs[i]
		}
		if err := incident.Apply(c, evs[i]); err != nil {
			return err
		}
	}
	return nil
}

func asOfResult(caseID string, c *incident.Case, at *time.Time) (*incident.Case, error) {
	if c.Version == 0 {
		if at == nil {
			return nil, incident.Errorf(incident.CodeNotFound, "case %s not found", caseID)
		}
		return nil, incident.Errorf(incident.CodeNotFound, "case %s did not exist at %s", caseID, at.UTC().Format(time.RFC3339))
	}
	return c, nil
}

// Verify recomputes the hash chain of the case's stream and, when it holds,
// folds the stream again and compares the result with the projection that
// case and cases answer from (see projectionMatches). An unknown case is
// NOT_FOUND.
//
// A projection that differs from the fold makes OK false while
// FirstBadVersion stays 0 (so verifyCase answers ok=false with
// firstBadVersion null) and HeadHash keeps the verified chain's head: the
// stream is sound, the read model is not, and no version of the stream is
// to blame.
func (r *Reader) Verify(ctx context.Context, caseID string) (eventstore.VerifyReport, error) {
	rep, err := r.log.Verify(ctx, incident.StreamOf(caseID))
	if err != nil {
		return rep, notFound(caseID, err)
	}
	if !rep.OK {
		return rep, nil
	}
	match, err := r.projectionMatches(ctx, caseID)
	if err != nil {
		return rep, fmt.Errorf("verify case %s: %w", caseID, err)
	}
	rep.OK = match
	return rep, nil
}

// projectionMatches reports whether the projected case (its row's version,
// status, kind and unit, and its document's version, status, kind, unit,
// severity and assignee) is what folding the stream gives. A projection
// that is only behind, because the projector has not yet reached the
// stream's last event, is compared with the fold at its own version; once
// the projector is past that event, a missing or older projection is a
// mismatch.
func (r *Reader) projectionMatches(ctx context.Context, caseID string) (bool, error) {
	full, err := r.CaseAsOf(ctx, caseID, nil, nil)
	if err != nil {
		return false, err
	}
	last, err := r.log.ReadStream(ctx, incident.StreamOf(caseID), full.Version, 1)
	if err != nil {
		return false, err
	}
	if len(last) != 1 {
		return false, fmt.Errorf("stream %s: version %d vanished", incident.StreamOf(caseID), full.Version)
	}
	projected, err := r.log.Checkpoint(ctx, Consumer)
	if err != nil {
		return false, err
	}
	caughtUp := projected >= last[0].GlobalPosition
	var doc []byte
	var version int64
	var status, kind, unit string
	err = r.pool.QueryRow(ctx, `SELECT doc, version, status, kind, unit FROM cases WHERE id = $1`, caseID).
		Scan(&doc, &version, &status, &kind, &unit)
	if errors.Is(err, pgx.ErrNoRows) {
		return !caughtUp, nil
	}
	if err != nil {
		return false, err
	}
	var d incident.Case
	if err := json.Unmarshal(doc, &d); err != nil {
		return false, nil // an unreadable document is a mismatch
	}
	want := full
	switch {
	case d.Version > full.Version:
		return false, nil
	case d.Version < full.Version && caughtUp:
		return false, nil
	case d.Version < full.Version:
		if d.Version < 1 {
			return false, nil
		}
		if want, err = r.CaseAsOf(ctx, caseID, &d.Version, nil); err != nil {
			return false, err
		}
	}
	return version == want.Version && d.Version == want.Version &&
		status == string(want.Status) && d.Status == want.Status &&
		kind == string(want.Kind) && d.Kind == want.Kind &&
		unit == want.Unit && d.Unit == want.Unit &&
		d.Severity == want.Severity && d.Assignee == want.Assignee, nil
}

func notFound(caseID string, err error) error {
	if errors.Is(err, eventstore.ErrNotFound) {
		return incident.Errorf(incident.CodeNotFound, "case %s not found", caseID)
	}
	return err
}
