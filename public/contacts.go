package public

import (
	"context"
	"fmt"
	"time"

	"casetrail/incident"
)

// Reporters returns the contacts citizens left with the public reports of
// case caseID, oldest first. It does not authorize: the GraphQL field
// Case.publicReporters asks Casbin first (ActionReadPublicReporters on the
// case's unit).
func (s *Service) Reporters(ctx context.Context, caseID string) ([]incident.PublicReporter, error) {
	rows, err := s.d.Pool.Query(ctx, `SELECT name, phone, consent_at, created_at FROM public_reporters
		WHERE case_id = $1 ORDER BY created_at, code_sha256`, caseID)
	if err != nil {
		return nil, fmt.Errorf("public reporters of %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []incident.PublicReporter
	for rows.Next() {
		var p incident.PublicReporter
		if err := rows.Scan(&p.Name, &p.Phone, &p.ConsentAt, &p.ReportedAt); err != nil {
			return nil, fmt.Errorf("public reporters of %s: %w", caseID, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("public reporters of %s: %w", caseID, err)
	}
	return out, nil
}

// ContactRetention is how long a citizen's contact is kept after the
// report (Deps.Retention).
func (s *Service) ContactRetention() time.Duration { return s.d.Retention }

// Purge deletes the contacts older than the retention and the duplicate
// keys older than the window, and returns how many contacts it deleted.
// The tracking codes stay: they hold nothing personal.
func (s *Service) Purge(ctx context.Context) (int64, error) {
	now := s.d.Now()
	tag, err := s.d.Pool.Exec(ctx, `DELETE FROM public_reporters WHERE created_at < $1`, now.Add(-s.d.Retention))
	if err != nil {
		return 0, fmt.Errorf("purge public contacts: %w", err)
	}
	if _, err := s.d.Pool.Exec(ctx, `DELETE FROM public_recent WHERE created_at < $1`, now.Add(-s.d.DuplicateWindow)); err != nil {
		return 0, fmt.Errorf("purge public duplicate keys: %w", err)
	}
	return tag.RowsAffected(), nil
}

// RunPurge runs Purge now and then every interval until ctx ends, logging
// what it deleted and its failures.
func (s *Service) RunPurge(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := s.Purge(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.ErrorContext(ctx, "purge of expired public contacts failed", "err", err)
		case n > 0:
			s.log.InfoContext(ctx, "expired public contacts deleted", "count", n, "retention", s.d.Retention)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
