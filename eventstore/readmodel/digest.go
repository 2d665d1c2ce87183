package readmodel

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"casetrail/incident"
)

// The leaders' daily digest (issue 18): what the cases of each leader's
// units need from them today, gathered for every leader in one query.

// LeaderGrant is one LEADER grant: Subject leads Unit and its sub-units.
// The grants live in the authorizer's table (package api), which this
// package does not read; the caller passes them.
type LeaderGrant struct {
	Subject string
	Unit    string
}

// LeaderDigests returns the digest of the day at falls in
// (incident.DigestDay, Vietnam time) of every subject of grants, in
// subject order, one per subject (empty when nothing needs them):
// the open cases of the subtrees of their granted units (the registry's
// parent links, as Reader.scope follows them) that have a deadline missed
// whose step has not happened (column missed_at), a running deadline due
// before the day ends, or an escalation waiting for approval. What each
// case adds is incident.Case.DigestItems, on the stored case.
//
// One query reads every leader's cases: a case in several leaders'
// subtrees is read once, with the leaders it concerns. The deadlines due
// today are found in the deadlines table without an index of their own:
// the query runs once a day.
func (r *Reader) LeaderDigests(ctx context.Context, grants []LeaderGrant, at time.Time) ([]incident.Digest, error) {
	from, to := incident.DigestDay(at)
	bySubject := map[string]*incident.Digest{}
	var subjects, units []string
	for _, g := range grants {
		if g.Subject == "" || g.Unit == "" {
			continue
		}
		d := bySubject[g.Subject]
		if d == nil {
			d = &incident.Digest{Leader: g.Subject, At: at, From: from, To: to}
			bySubject[g.Subject] = d
		}
		if !slices.Contains(d.Units, g.Unit) {
			d.Units = append(d.Units, g.Unit)
			subjects, units = append(subjects, g.Subject), append(units, g.Unit)
		}
	}
	if len(bySubject) == 0 {
		return nil, nil
	}
	open := make([]string, 0, 5)
	for _, s := range incident.Statuses {
		if s.Open() {
			open = append(open, string(s))
		}
	}
	rows, err := r.pool.Query(ctx, `WITH RECURSIVE
		sub(leader, id) AS (
			SELECT g.leader, g.unit COLLATE "C" FROM unnest($1::text[], $2::text[]) AS g(leader, unit)
			UNION SELECT sub.leader, u.id FROM units u JOIN sub ON u.parent = sub.id
		)
		SELECT c.doc, array_agg(DISTINCT sub.leader)
		FROM sub JOIN cases c ON c.unit = sub.id
		WHERE c.status = ANY($3::text[])
			AND (c.missed_at IS NOT NULL
				OR c.escalation_status = $4
				OR EXISTS (SELECT 1 FROM deadlines d
					WHERE d.case_id = c.id AND d.state = $5 AND d.due_at < $6))
		GROUP BY c.id`,
		subjects, units, open, string(incident.EscPendingApproval), string(incident.StatePending), to)
	if err != nil {
		return nil, fmt.Errorf("leader digests: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var doc []byte
		var leaders []string
		if err := rows.Scan(&doc, &leaders); err != nil {
			return nil, fmt.Errorf("leader digests: %w", err)
		}
		var c incident.Case
		if err := json.Unmarshal(doc, &c); err != nil {
			return nil, fmt.Errorf("leader digests: stored document: %w", err)
		}
		for _, l := range leaders {
			if d := bySubject[l]; d != nil {
				d.Add(&c)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("leader digests: %w", err)
	}
	out := make([]incident.Digest, 0, len(bySubject))
	for _, d := range bySubject {
		slices.Sort(d.Units)
		d.Finish()
		out = append(out, *d)
	}
	slices.SortFunc(out, func(a, b incident.Digest) int { return cmp.Compare(a.Leader, b.Leader) })
	return out, nil
}
