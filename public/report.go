package public

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"casetrail/incident"
)

// Report takes in a citizen's report r sent from the client address
// client and returns its tracking code, shown once to the citizen.
//
//   - r is checked (incident.PublicReportProblems: BAD_USER_INPUT naming the
//     first field at fault) and its unit must be one of ReportUnits
//     (BAD_USER_INPUT on "unit").
//   - The same links to the same unit from the same address within the
//     duplicate window answer the earlier report's code (again is true)
//     and nothing is sent.
//   - Otherwise the report goes through the intake as incident.PublicSubject
//     with channel PUBLIC and a fresh request id: it opens a case in the
//     unit's queue, or is merged into the open case about one of its links
//     (like any report). Then the code's SHA-256 and the case, the contact
//     (only when a name or phone was given, with the consent's time) and
//     the duplicate key are recorded in one transaction.
//
// Should that transaction fail, the case stands without a code and the
// error is returned: the citizen sends again, and the report then joins
// the case the first attempt opened.
func (s *Service) Report(ctx context.Context, r incident.PublicReport, client string) (code string, again bool, err error) {
	r, err = incident.ValidatePublicReport(r)
	if err != nil {
		return "", false, err
	}
	units, err := s.ReportUnits(ctx)
	if err != nil {
		return "", false, err
	}
	if !slices.ContainsFunc(units, func(u incident.Unit) bool { return u.ID == r.Unit }) {
		return "", false, incident.BadInput("unit", "does not take citizens' reports")
	}
	key, err := s.dedupeKey(ctx, client, r)
	if err != nil {
		return "", false, err
	}
	now := s.d.Now()
	if code, ok, err := s.recent(ctx, key, now); err != nil || ok {
		if ok {
			s.log.InfoContext(ctx, "public report: the same report again from the same address; earlier code answered", "unit", r.Unit)
		}
		return code, ok, err
	}

	res, err := s.d.Intake.Report(ctx, incident.PublicSubject, r.Report(uuid.NewString()))
	if err != nil {
		return "", false, err
	}
	code = incident.NewTrackingCode()
	h := codeHash(code)
	err = pgx.BeginFunc(ctx, s.d.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO public_reports (code_sha256, case_id, unit, created_at) VALUES ($1, $2, $3, $4)`,
			h[:], res.Case.ID, r.Unit, now); err != nil {
			return err
		}
		if r.HasContact() {
			version := r.ConsentVersion
			if version == "" {
				version = DefaultConsentVersion
			}
			if _, err := tx.Exec(ctx, `INSERT INTO public_reporters (code_sha256, case_id, name, phone, consent_at, consent_version, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $5)`, h[:], res.Case.ID, r.Name, r.Phone, now, version); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO public_recent (dedupe_key, code, created_at) VALUES ($1, $2, $3)`, key, code, now)
		return err
	})
	if err != nil {
		s.log.ErrorContext(ctx, "public report: taken in, but its tracking code was not recorded", "case", res.Case.ID, "err", err)
		return "", false, fmt.Errorf("record public report of case %s: %w", res.Case.ID, err)
	}
	s.log.InfoContext(ctx, "public report taken in", "case", res.Case.ID, "number", res.Case.Number, "unit", r.Unit,
		"merged", res.Merged, "contact", r.HasContact())
	return code, false, nil
}

// recent returns the code of a report with key within the duplicate
// window, deleting the keys older than it first.
func (s *Service) recent(ctx context.Context, key []byte, now time.Time) (string, bool, error) {
	since := now.Add(-s.d.DuplicateWindow)
	if _, err := s.d.Pool.Exec(ctx, `DELETE FROM public_recent WHERE created_at < $1`, since); err != nil {
		return "", false, fmt.Errorf("public recent reports: %w", err)
	}
	var code string
	err := s.d.Pool.QueryRow(ctx, `SELECT code FROM public_recent WHERE dedupe_key = $1 AND created_at >= $2
		ORDER BY created_at DESC LIMIT 1`, key, since).Scan(&code)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("public recent reports: %w", err)
	}
	return code, true, nil
}

// dedupeKey is HMAC-SHA256(secret, client NUL unit NUL links' key): equal
// for the same links to the same unit from the same address, and telling
// nothing of the address without the secret.
func (s *Service) dedupeKey(ctx context.Context, client string, r incident.PublicReport) ([]byte, error) {
	var secret []byte
	if err := s.d.Pool.QueryRow(ctx, `SELECT key FROM public_secret`).Scan(&secret); err != nil {
		return nil, fmt.Errorf("public secret: %w", err)
	}
	mac := hmac.New(sha256.New, secret)
	for i, part := range []string{client, r.Unit, incident.PublicSubjectsKey(r.URLs)} {
		if i > 0 {
			mac.Write([]byte{0})
		}
		mac.Write([]byte(part))
	}
	return mac.Sum(nil), nil
}
