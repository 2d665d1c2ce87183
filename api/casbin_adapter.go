package api

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PolicyChannel is the PostgreSQL NOTIFY channel raised (by the trigger of
// migrations/002_casbin_rule.sql) after every statement that changes
// casbin_rule; Authorizers listen on it to reload, so a revoke on one API
// instance takes effect on all of them.
const PolicyChannel = "casetrail_policy"

// maxRuleFields is the number of value columns (v0..v5) of casbin_rule.
const maxRuleFields = 6

// adapterTimeout bounds each database call made through the context-less
// persist.Adapter methods.
const adapterTimeout = 10 * time.Second

// Adapter stores Casbin policy rules in the casbin_rule table through pgx.
// It implements persist.Adapter, persist.BatchAdapter and
// persist.ContextAdapter. Adding a rule that exists and removing one that
// does not are no-ops, so every write is idempotent.
type Adapter struct {
	pool *pgxpool.Pool
}

var (
	_ persist.Adapter        = (*Adapter)(nil)
	_ persist.BatchAdapter   = (*Adapter)(nil)
	_ persist.ContextAdapter = (*Adapter)(nil)
)

// NewAdapter returns an Adapter over pool, whose database has the API's
// migrations applied (EnsureSchema).
func NewAdapter(pool *pgxpool.Pool) *Adapter {
	return &Adapter{pool: pool}
}

func withTimeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), adapterTimeout)
}

// LoadPolicy loads every stored rule into m.
func (a *Adapter) LoadPolicy(m model.Model) error {
	ctx, cancel := withTimeout()
	defer cancel()
	return a.LoadPolicyCtx(ctx, m)
}

// LoadPolicyCtx loads every stored rule into m.
func (a *Adapter) LoadPolicyCtx(ctx context.Context, m model.Model) error {
	rules, err := a.rules(ctx)
	if err != nil {
		return err
	}
	for _, r := range rules {
		if err := persist.LoadPolicyArray(r, m); err != nil {
			return fmt.Errorf("load policy rule %v: %w", r, err)
		}
	}
	return nil
}

// rules returns the stored rules as [ptype, v0, ...] with trailing empty
// values dropped, in insertion order.
func (a *Adapter) rules(ctx context.Context) ([][]string, error) {
	rows, err := a.pool.Query(ctx, `SELECT ptype, v0, v1, v2, v3, v4, v5 FROM casbin_rule ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("load policy: %w", err)
	}
	var out [][]string
	for rows.Next() {
		r := make([]string, 1+maxRuleFields)
		if err := rows.Scan(&r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6]); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load policy: %w", err)
		}
		for len(r) > 1 && r[len(r)-1] == "" {
			r = r[:len(r)-1]
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load policy: %w", err)
	}
	return out, nil
}

// SavePolicy replaces every stored rule with the policy held in m, in one
// transaction.
func (a *Adapter) SavePolicy(m model.Model) error {
	ctx, cancel := withTimeout()
	defer cancel()
	return a.SavePolicyCtx(ctx, m)
}

// SavePolicyCtx replaces every stored rule with the policy held in m, in one
// transaction.
func (a *Adapter) SavePolicyCtx(ctx context.Context, m model.Model) error {
	var rows [][]any
	for _, sec := range []string{"p", "g"} {
		for ptype, ast := range m[sec] {
			for _, rule := range ast.Policy {
				row, err := ruleRow(ptype, rule)
				if err != nil {
					return fmt.Errorf("save policy: %w", err)
				}
				rows = append(rows, row)
			}
		}
	}
	err := pgx.BeginFunc(ctx, a.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM casbin_rule"); err != nil {
			return err
		}
		return insertRules(ctx, tx, rows)
	})
	if err != nil {
		return fmt.Errorf("save policy: %w", err)
	}
	return nil
}

// AddPolicy stores one rule.
func (a *Adapter) AddPolicy(sec string, ptype string, rule []string) error {
	ctx, cancel := withTimeout()
	defer cancel()
	return a.AddPolicyCtx(ctx, sec, ptype, rule)
}

// AddPolicyCtx stores one rule.
func (a *Adapter) AddPolicyCtx(ctx context.Context, sec string, ptype string, rule []string) error {
	return a.AddPoliciesCtx(ctx, sec, ptype, [][]string{rule})
}

// AddPolicies stores rules in one transaction.
func (a *Adapter) AddPolicies(sec string, ptype string, rules [][]string) error {
	ctx, cancel := withTimeout()
	defer cancel()
	return a.AddPoliciesCtx(ctx, sec, ptype, rules)
}

// AddPoliciesCtx stores rules in one transaction.
func (a *Adapter) AddPoliciesCtx(ctx context.Context, sec string, ptype string, rules [][]string) error {
	rows := make([][]any, 0, len(rules))
	for _, rule := range rules {
		row, err := ruleRow(ptype, rule)
		if err != nil {
			return fmt.Errorf("add policy: %w", err)
		}
		rows = append(rows, row)
	}
	if err := pgx.BeginFunc(ctx, a.pool, func(tx pgx.Tx) error { return insertRules(ctx, tx, rows) }); err != nil {
		return fmt.Errorf("add policy: %w", err)
	}
	return nil
}

// RemovePolicy deletes one rule.
func (a *Adapter) RemovePolicy(sec string, ptype string, rule []string) error {
	ctx, cancel := withTimeout()
	defer cancel()
	return a.RemovePolicyCtx(ctx, sec, ptype, rule)
}

// RemovePolicyCtx deletes one rule.
func (a *Adapter) RemovePolicyCtx(ctx context.Context, sec string, ptype string, rule []string) error {
	return a.RemovePoliciesCtx(ctx, sec, ptype, [][]string{rule})
}

// RemovePolicies deletes rules in one transaction.
func (a *Adapter) RemovePolicies(sec string, ptype string, rules [][]string) error {
	ctx, cancel := withTimeout()
	defer cancel()
	return a.RemovePoliciesCtx(ctx, sec, ptype, rules)
}

// RemovePoliciesCtx deletes rules in one transaction.
func (a *Adapter) RemovePoliciesCtx(ctx context.Context, sec string, ptype string, rules [][]string) error {
	rows := make([][]any, 0, len(rules))
	for _, rule := range rules {
		row, err := ruleRow(ptype, rule)
		if err != nil {
			return fmt.Errorf("remove policy: %w", err)
		}
		rows = append(rows, row)
	}
	err := pgx.BeginFunc(ctx, a.pool, func(tx pgx.Tx) error {
		return execBatch(ctx, tx, `DELETE FROM casbin_rule
			WHERE ptype = $1 AND v0 = $2 AND v1 = $3 AND v2 = $4 AND v3 = $5 AND v4 = $6 AND v5 = $7`, rows)
	})
	if err != nil {
		return fmt.Errorf("remove policy: %w", err)
	}
	return nil
}

// RemoveFilteredPolicy deletes the rules of ptype whose values, starting at
// column fieldIndex, equal fieldValues; an empty value matches anything.
func (a *Adapter) RemoveFilteredPolicy(sec string, ptype string, fieldIndex int, fieldValues ...string) error {
	ctx, cancel := withTimeout()
	defer cancel()
	return a.RemoveFilteredPolicyCtx(ctx, sec, ptype, fieldIndex, fieldValues...)
}

// RemoveFilteredPolicyCtx deletes the rules of ptype whose values, starting
// at column fieldIndex, equal fieldValues; an empty value matches anything.
func (a *Adapter) RemoveFilteredPolicyCtx(ctx context.Context, sec string, ptype string, fieldIndex int, fieldValues ...string) error {
	if fieldIndex < 0 || fieldIndex+len(fieldValues) > maxRuleFields {
		return fmt.Errorf("remove filtered policy: field index %d with %d values is out of range", fieldIndex, len(fieldValues))
	}
	var where strings.Builder
	where.WriteString("ptype = $1")
	args := []any{ptype}
	for i, v := range fieldValues {
		if v == "" {
			continue
		}
		args = append(args, v)
		fmt.Fprintf(&where, " AND v%d = $%d", fieldIndex+i, len(args))
	}
	if _, err := a.pool.Exec(ctx, "DELETE FROM casbin_rule WHERE "+where.String(), args...); err != nil {
		return fmt.Errorf("remove filtered policy: %w", err)
	}
	return nil
}

// ruleRow turns a rule into the 7 column values (ptype, v0..v5).
func ruleRow(ptype string, rule []string) ([]any, error) {
	if ptype == "" {
		return nil, errors.New("empty ptype")
	}
	if len(rule) == 0 || len(rule) > maxRuleFields {
		return nil, fmt.Errorf("rule %v has %d values, want 1 to %d", rule, len(rule), maxRuleFields)
	}
	row := make([]any, 1+maxRuleFields)
	row[0] = ptype
	for i := range maxRuleFields {
		v := ""
		if i < len(rule) {
			v = rule[i]
		}
		row[1+i] = v
	}
	return row, nil
}

func insertRules(ctx context.Context, tx pgx.Tx, rows [][]any) error {
	return execBatch(ctx, tx, `INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`, rows)
}

// execBatch runs sql once per row of arguments in a single round trip.
func execBatch(ctx context.Context, tx pgx.Tx, sql string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	var b pgx.Batch
	for _, row := range rows {
		b.Queue(sql, row...)
	}
	return tx.SendBatch(ctx, &b).Close()
}
