package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/documents"
	"casetrail/incident"
)

// The dispatch register (migrations/002_dispatch_register.sql): the issuing
// unit numbers its own letters per calendar year in Asia/Ho_Chi_Minh, from
// 1 on 1 January (Decree 30/2020/NĐ-CP, Art. 15). Each letter is a row
// keyed by what is numbered; the counter row ("issuer:<unit>", year) of
// casetrail_counters moves in the same transaction, so CaseTrail's numbers
// are gap-free and a retry with the same key finds its number again.

// entry is one row of the register.
type entry struct {
	Key      string
	Issuer   string
	Year     int
	N        int
	Symbol   string
	Manual   bool
	IssuedAt time.Time
	CaseID   string
	// Set once the letter is issued (the row is then final).
	Signer     *incident.Signer
	PDFSHA256  string
	DOCXSHA256 string
}

// issued reports whether the letter of e was rendered and stored.
func (e entry) issued() bool { return e.PDFSHA256 != "" }

// yearOf is the calendar year of t in Asia/Ho_Chi_Minh: what a number
// counts in.
func yearOf(t time.Time) int { return t.In(documents.Vietnam).Year() }

// counterScope is the counter row's scope of issuer.
func counterScope(issuer string) string { return "issuer:" + issuer }

const entryColumns = `key, issuer, year, n, symbol, manual, issued_at, case_id, signer, coalesce(pdf_sha256, ''), coalesce(docx_sha256, '')`

func scanEntry(row pgx.Row) (entry, error) {
	var e entry
	var signer []byte
	err := row.Scan(&e.Key, &e.Issuer, &e.Year, &e.N, &e.Symbol, &e.Manual, &e.IssuedAt, &e.CaseID, &signer, &e.PDFSHA256, &e.DOCXSHA256)
	if err != nil {
		return e, err
	}
	e.IssuedAt = e.IssuedAt.UTC()
	if len(signer) > 0 {
		var s incident.Signer
		if err := json.Unmarshal(signer, &s); err != nil {
			return e, fmt.Errorf("register %s: signer: %w", e.Key, err)
		}
		e.Signer = &s
	}
	return e, nil
}

// registerEntry returns the row of key, if there is one.
func registerEntry(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, key string, lock bool) (entry, bool, error) {
	sql := `SELECT ` + entryColumns + ` FROM casetrail_dispatch_register WHERE key = $1`
	if lock {
		sql += ` FOR UPDATE`
	}
	e, err := scanEntry(q.QueryRow(ctx, sql, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return entry{}, false, nil
	}
	if err != nil {
		return entry{}, false, err
	}
	return e, true, nil
}

// numberDispatch returns the register row of e.Key: the one stored, or a new
// one with the next number of e.Issuer's counter for e.Year.
func numberDispatch(ctx context.Context, pool *pgxpool.Pool, e entry) (entry, error) {
	for {
		got, ok, err := registerEntry(ctx, pool, e.Key, false)
		if err != nil || ok {
			return got, err
		}
		got, taken, err := numberDispatchNew(ctx, pool, e)
		if err != nil || !taken {
			return got, err
		}
		// Someone numbered e.Key meanwhile (nothing was used): read theirs.
	}
}

func numberDispatchNew(ctx context.Context, pool *pgxpool.Pool, e entry) (out entry, taken bool, err error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return entry{}, false, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	// The counter row's lock orders the numbers of one issuer and year.
	err = tx.QueryRow(ctx, `
INSERT INTO casetrail_counters AS c (scope, year, last) VALUES ($1, $2, 1)
ON CONFLICT (scope, year) DO UPDATE SET last = c.last + 1
RETURNING c.last`, counterScope(e.Issuer), e.Year).Scan(&e.N)
	if err != nil {
		return entry{}, false, err
	}
	e.Manual = false
	tag, err := tx.Exec(ctx, `
INSERT INTO casetrail_dispatch_register (key, issuer, year, n, symbol, manual, issued_at, case_id)
VALUES ($1, $2, $3, $4, $5, false, $6, $7) ON CONFLICT (key) DO NOTHING`,
		e.Key, e.Issuer, e.Year, e.N, e.Symbol, e.IssuedAt, e.CaseID)
	if err != nil {
		return entry{}, false, err
	}
	if tag.RowsAffected() == 0 {
		return entry{}, true, nil // rolled back: the counter keeps its value
	}
	return e, false, tx.Commit(ctx)
}

// errNumberUsed is a typed number another letter of the issuer's year has.
type errNumberUsed struct {
	n, year int
	holder  string // the dispatch number that holds it, if known
}

func (e *errNumberUsed) Error() string {
	return fmt.Sprintf("number %02d is already used in the register of %d", e.n, e.year)
}

// reserveTyped records the number e.N the clerk typed for e.Key (manual
// numbering): a new row, or the row of e.Key changed to it while its letter
// is not issued. The counter of e.Issuer and e.Year is raised to e.N so the
// numbers CaseTrail gives never meet it. A number another key holds in
// that year is *errNumberUsed.
func reserveTyped(ctx context.Context, pool *pgxpool.Pool, e entry) (entry, error) {
	e.Manual = true
	out, err := reserveTypedTx(ctx, pool, e)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" { // unique (issuer, year, n)
		used := &errNumberUsed{n: e.N, year: e.Year}
		var symbol string
		if pool.QueryRow(ctx, `SELECT symbol FROM casetrail_dispatch_register WHERE issuer = $1 AND year = $2 AND n = $3`,
			e.Issuer, e.Year, e.N).Scan(&symbol) == nil {
			used.holder = incident.DispatchNumber(e.N, symbol)
		}
		return entry{}, used
	}
	return out, err
}

func reserveTypedTx(ctx context.Context, pool *pgxpool.Pool, e entry) (entry, error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return entry{}, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	old, ok, err := registerEntry(ctx, tx, e.Key, true)
	switch {
	case err != nil:
		return entry{}, err
	case ok && (old.issued() || !old.Manual || (old.N == e.N && old.Year == e.Year)):
		// Issued (final), numbered by CaseTrail, or the same number again.
		return old, nil
	case ok:
		_, err = tx.Exec(ctx, `UPDATE casetrail_dispatch_register SET n = $2, year = $3, issued_at = $4 WHERE key = $1`,
			e.Key, e.N, e.Year, e.IssuedAt)
	default:
		_, err = tx.Exec(ctx, `
INSERT INTO casetrail_dispatch_register (key, issuer, year, n, symbol, manual, issued_at, case_id)
VALUES ($1, $2, $3, $4, $5, true, $6, $7)`, e.Key, e.Issuer, e.Year, e.N, e.Symbol, e.IssuedAt, e.CaseID)
	}
	if err != nil {
		return entry{}, err
	}
	if _, err := tx.Exec(ctx, `
INSERT INTO casetrail_counters AS c (scope, year, last) VALUES ($1, $2, $3)
ON CONFLICT (scope, year) DO UPDATE SET last = greatest(c.last, excluded.last)`, counterScope(e.Issuer), e.Year, e.N); err != nil {
		return entry{}, err
	}
	return e, tx.Commit(ctx)
}

// completeDispatch records the letter issued under key: its signer and the
// SHA-256 of its PDF and DOCX. When another attempt completed the row
// first, the row as it completed it is returned.
func completeDispatch(ctx context.Context, pool *pgxpool.Pool, key string, signer incident.Signer, pdf, docx string) (entry, error) {
	js, err := json.Marshal(signer)
	if err != nil {
		return entry{}, err
	}
	if _, err := pool.Exec(ctx, `UPDATE casetrail_dispatch_register SET signer = $2, pdf_sha256 = $3, docx_sha256 = $4
WHERE key = $1 AND pdf_sha256 IS NULL`, key, js, pdf, docx); err != nil {
		return entry{}, err
	}
	e, ok, err := registerEntry(ctx, pool, key, false)
	if err == nil && !ok {
		err = fmt.Errorf("register %s: vanished", key)
	}
	return e, err
}
