package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/temporal"
)

// The numbering tables (migrations/001_numbers.sql): a counter row per
// (scope, year) hands out n = 1, 2, 3, ...; the allocation row, keyed by what
// is numbered (a case id, an escalation), commits in the same transaction, so
// a number is either used or never taken (gap-free) and asking again for the
// same key returns the same number (idempotent).

// allocate returns the value numbered for key: the one stored, or the next n
// of (scope, year) formatted by format and stored with it.
func allocate(ctx context.Context, pool *pgxpool.Pool, key, scope string, year int, format func(n int64) string) (string, error) {
	for {
		var value string
		err := pool.QueryRow(ctx, `SELECT value FROM casetrail_allocations WHERE key = $1`, key).Scan(&value)
		if err == nil {
			return value, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return "", err
		}
		value, taken, err := allocateNew(ctx, pool, key, scope, year, format)
		if err != nil || !taken {
			return value, err
		}
		// Someone numbered key meanwhile: read theirs.
	}
}

// allocateNew takes the next number in one transaction; taken reports that
// key got a number from a concurrent transaction first (nothing was used).
func allocateNew(ctx context.Context, pool *pgxpool.Pool, key, scope string, year int, format func(n int64) string) (value string, taken bool, err error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return "", false, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	var n int64
	err = tx.QueryRow(ctx, `
INSERT INTO casetrail_counters AS c (scope, year, last) VALUES ($1, $2, 1)
ON CONFLICT (scope, year) DO UPDATE SET last = c.last + 1
RETURNING c.last`, scope, year).Scan(&n)
	if err != nil {
		return "", false, err
	}
	value = format(n)
	err = tx.QueryRow(ctx, `
INSERT INTO casetrail_allocations (key, scope, year, n, value) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (key) DO NOTHING
RETURNING value`, key, scope, year, n, value).Scan(&value)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", true, nil // rolled back: the counter keeps its value
	}
	if err != nil {
		return "", false, err
	}
	return value, false, tx.Commit(ctx)
}

// AllocateCaseNumber returns the number of case in.CaseID: VV-<year>-<6
// digits>, unique and gap-free per year. The number is kept by case id, so
// asking again (a retry after a lost answer) returns the same number.
func (a *Activities) AllocateCaseNumber(ctx context.Context, in AllocateInput) (string, error) {
	if strings.TrimSpace(in.CaseID) == "" || in.Year < 2000 || in.Year > 9999 {
		return "", temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("allocate case number: bad input (case %q, year %d)", in.CaseID, in.Year), ErrTypeInvalid, nil)
	}
	n, err := allocate(ctx, a.Store.Pool(), "case:"+in.CaseID, "case", in.Year, func(n int64) string {
		return fmt.Sprintf("VV-%d-%06d", in.Year, n)
	})
	if err != nil {
		return "", fmt.Errorf("allocate case number for %s: %w", in.CaseID, err)
	}
	return n, nil
}
