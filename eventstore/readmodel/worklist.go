package readmodel

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"casetrail/incident"
)

// The worklist order: the case whose PENDING deadline falls due first
// comes first (next_due_at ascending, cases without a pending deadline
// last), ties by id. Migration 005 gives the open cases an index in that
// order (cases_worklist_open): a worklist of open statuses reads its page
// from it (the query is planned for its actual statuses, customPlan, so
// the partial index's condition is proven).

// dueCursor is the sort key of a case in the worklist order. O marks the
// order, so a cursor of the report-date order (cursor) is refused here.
type dueCursor struct {
	O   string `json:"o"`
	Due *int64 `json:"d"` // next_due_at in microseconds; nil when none
	ID  string `json:"i"`
}

const dueOrder = "due"

// encodeDueCursor returns the cursor of case id whose next_due_at (as
// stored: the column, in microseconds) is due.
func encodeDueCursor(id string, due *time.Time) string {
	k := dueCursor{O: dueOrder, ID: id}
	if due != nil {
		us := due.UnixMicro()
		k.Due = &us
	}
	return encodeKey(k)
}

// encodeKey returns the opaque cursor of a sort key of one of the
// reader's own orders.
func encodeKey(k any) string {
	b, _ := json.Marshal(k)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeKey reads into k the cursor s of the order named order; a cursor
// of another order, or no cursor at all, is BAD_USER_INPUT.
func decodeKey[K interface{ key() (order, id string) }](s, order string, k K) error {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, k)
	}
	if o, id := k.key(); err != nil || o != order || id == "" {
		return incident.BadInput("after", "is not a cursor of this list")
	}
	return nil
}

func (c *dueCursor) key() (string, string) { return c.O, c.ID }

// Worklist returns the first cases after the cursor after ("" = from the
// start) that match f and are visible, as ListCases does, but in the
// worklist order: nearest pending deadline first, cases without one last,
// ties by id. The order key changes as a case's deadlines do, so a case
// whose next deadline moves between two pages may show on both or on
// neither; a page itself is always consistent. first must be
// 0..MaxPageSize (0 returns only Total).
func (r *Reader) Worklist(ctx context.Context, f Filter, visible []string, first int, after string) (Page, error) {
	return r.WorklistWith(ctx, f, visible, first, after, ListOptions{})
}

// WorklistWith is Worklist counting what opt says, as ListCasesWith does
// (opt.Heads is ignored: the worklist reads whole cases).
func (r *Reader) WorklistWith(ctx context.Context, f Filter, visible []string, first int, after string, opt ListOptions) (Page, error) {
	var cur *dueCursor
	if after != "" {
		cur = &dueCursor{}
		if err := decodeKey(after, dueOrder, cur); err != nil {
			return Page{}, err
		}
	}
	return r.orderedPage(ctx, "worklist", f, visible, first, opt, orderedList{
		key: "c.next_due_at",
		seek: func(w *where) {
			switch {
			case cur == nil:
			case cur.Due == nil:
				w.add("(c.next_due_at IS NULL AND c.id > %s)", cur.ID)
			default:
				due := time.UnixMicro(*cur.Due)
				w.add("(c.next_due_at > %s OR (c.next_due_at = %s AND c.id > %s) OR c.next_due_at IS NULL)", due, due, cur.ID)
			}
		},
		order:  "c.next_due_at ASC NULLS LAST, c.id ASC",
		cursor: encodeDueCursor,
	})
}

// orderedList is an order of cases of its own (worklist, watch list): the
// column of its sort key, the condition that seeks past a cursor, the
// ORDER BY and the cursor of a case with its key.
type orderedList struct {
	key    string
	seek   func(w *where)
	order  string
	cursor func(id string, key *time.Time) string
}

// orderedPage returns a page of the cases matching f within visible in the
// order o, with the counts opt asks for taken beside it (countBeside: the
// exact total unless opt.NoTotal, the count up to opt.UpTo when set); op
// names the list in errors. first must be 0..MaxPageSize (0 returns only
// the counts).
func (r *Reader) orderedPage(ctx context.Context, op string, f Filter, visible []string, first int, opt ListOptions, o orderedList) (Page, error) {
	if first < 0 || first > MaxPageSize {
		return Page{}, incident.BadInput("first", "must be between 0 and %d", MaxPageSize)
	}
	if err := opt.check(); err != nil {
		return Page{}, err
	}
	if _, err := r.filter(f, scope{all: true}); err != nil {
		return Page{}, err
	}
	sc, err := r.scope(ctx, visible, f.Unit)
	if err != nil {
		return Page{}, err
	}
	if sc.empty() {
		return Page{Cursors: []string{}, UpTo: opt.none()}, nil
	}
	w, err := r.filter(f, sc)
	if err != nil {
		return Page{}, err
	}
	q := listQuery{cond: w.sql(), countArgs: slices.Clone(w.args)}
	o.seek(w)
	listSQL := `SELECT c.doc, ` + o.key + ` FROM cases c WHERE ` + w.sql() +
		` ORDER BY ` + o.order + ` LIMIT ` + w.arg(first+1)

	var page Page
	counted := r.countBeside(ctx, q, opt, &page)
	var listErr error
	var keys []*time.Time
	if first > 0 {
		page.Cases, keys, listErr = r.queryWorklist(ctx, listSQL, w.args)
	}
	countErr := counted()
	if err := errors.Join(countErr, listErr); err != nil {
		return Page{}, fmt.Errorf("%s: %w", op, err)
	}
	if len(page.Cases) > first {
		page.Cases, page.HasNext = page.Cases[:first], true
	}
	page.Cursors = make([]string, len(page.Cases))
	for i := range page.Cases {
		page.Cursors[i] = o.cursor(page.Cases[i].ID, keys[i])
	}
	if n := len(page.Cursors); n > 0 {
		page.EndCursor = page.Cursors[n-1]
	}
	return page, nil
}

// queryWorklist reads the rows of the worklist's page: each case and its
// stored next_due_at (the cursor carries the column's value, not one
// recomputed from the document, so it compares equal to it).
func (r *Reader) queryWorklist(ctx context.Context, sql string, args []any) ([]incident.Case, []*time.Time, error) {
	rows, err := r.pool.Query(ctx, sql, withMode(args)...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var cases []incident.Case
	var dues []*time.Time
	for rows.Next() {
		var doc []byte
		var due *time.Time
		if err := rows.Scan(&doc, &due); err != nil {
			return nil, nil, err
		}
		var c incident.Case
		if err := json.Unmarshal(doc, &c); err != nil {
			return nil, nil, fmt.Errorf("stored document: %w", err)
		}
		cases, dues = append(cases, c), append(dues, due)
	}
	return cases, dues, rows.Err()
}
