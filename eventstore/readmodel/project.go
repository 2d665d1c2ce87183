package readmodel

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"casetrail/eventstore"
	"casetrail/incident"
)

// ToDomain converts a stored event into the domain's event with
// incident.StoredEvent.Decode (the one conversion, which the workflow uses
// too), naming the event and its stream in an error. The projector, History
// consumers and CaseAsOf all use it, so they fold the same events.
func ToDomain(r eventstore.RecordedEvent) (incident.Event, error) {
	ev, err := incident.StoredEvent{
		ID: r.ID, Type: r.Type, Version: r.Version, Data: r.Data, Actor: r.Metadata.Actor,
		OccurredAt: r.OccurredAt, GlobalPosition: r.GlobalPosition,
	}.Decode()
	if err != nil {
		return incident.Event{}, fmt.Errorf("event %s (%s v%d): %w", r.ID, r.Stream, r.Version, err)
	}
	return ev, nil
}

// caseState is one case being projected in a batch.
type caseState struct {
	c       incident.Case
	before  incident.Case // as loaded (children are compared to decide what to rewrite)
	existed bool          // a row was loaded
	dirty   bool
	lastPos int64
}

type intakeRow struct {
	reporter, requestID, caseID string
	merged                      bool
	pos                         int64
}

// batchApplier folds one batch of events into the read model inside tx.
type batchApplier struct {
	store  *eventstore.Store
	bulk   bool
	tx     pgx.Tx
	cases  map[string]*caseState
	order  []string
	intake []intakeRow
}

// applyBatch projects events (in global order) in tx: it loads every case the
// batch touches in one query, folds the events with incident.Apply, and
// writes the changed rows with one round trip. Events at or below a case's
// projected version are skipped (already applied); a case that is missing or
// behind is first folded from its own stream, so the projection heals itself
// rather than stopping.
//
// bulk (a rebuild) lets the search index's pending list grow instead of
// merging it into the index every few megabytes: inserts stay cheap and the
// merge is done once, in bulk, at the end of the rebuild. It also writes the
// cases new to the read model with COPY. pages holds payloads decoded as
// their page was read (nil: none).
func applyBatch(ctx context.Context, store *eventstore.Store, tx pgx.Tx, events []eventstore.RecordedEvent, bulk bool, pages *decodedPages) error {
	b := &batchApplier{store: store, tx: tx, bulk: bulk, cases: map[string]*caseState{}}
	ids := make([]string, 0, len(events)/4+1)
	seen := map[string]bool{}
	for _, e := range events {
		if id, ok := incident.CaseIDOf(e.Stream); ok && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	// The payloads were decoded when the page was read (see decodedPages);
	// if not, decode them on other cores while the database loads the cases.
	decoded, decodeErrs, ok := pages.take(events)
	var done chan struct{}
	if !ok {
		done = make(chan struct{})
		go func() {
			defer close(done)
			decoded, decodeErrs = decodeAll(events)
		}()
	}
	loadErr := b.load(ctx, ids)
	if done != nil {
		<-done
	}
	if loadErr != nil {
		return loadErr
	}
	for i, r := range events {
		id, ok := incident.CaseIDOf(r.Stream)
		if !ok {
			continue
		}
		if decodeErrs[i] != nil {
			return fmt.Errorf("project: %w", decodeErrs[i])
		}
		if err := b.apply(ctx, id, r, decoded[i]); err != nil {
			return err
		}
	}
	return b.write(ctx)
}

// decodeAll converts the events of case streams into domain events, on
// every core; errs[i] is event i's decoding error.
func decodeAll(events []eventstore.RecordedEvent) (decoded []incident.Event, errs []error) {
	decoded = make([]incident.Event, len(events))
	errs = make([]error, len(events))
	parallel(len(events), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if _, ok := incident.CaseIDOf(events[i].Stream); ok {
				decoded[i], errs[i] = ToDomain(events[i])
			}
		}
	})
	return decoded, errs
}

// decodedPages keeps pages of the log decoded as they were read
// (eventstore.OnPage), keyed by the position of their first event, until
// the handler takes them. A page read ahead is decoded while the handler
// still works on the page before; the log is gap-free, so the same first
// position and length mean the same events.
type decodedPages struct {
	mu    sync.Mutex
	pages map[int64]decodedPage
}

type decodedPage struct {
	n      int
	events []incident.Event
	errs   []error
}

// put decodes events and keeps the result.
func (d *decodedPages) put(events []eventstore.RecordedEvent) {
	if len(events) == 0 {
		return
	}
	decoded, errs := decodeAll(events)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.pages == nil {
		d.pages = map[int64]decodedPage{}
	}
	d.pages[events[0].GlobalPosition] = decodedPage{len(events), decoded, errs}
}

// take returns the decoded form of events when it was kept, and forgets
// that page and every one before it (pages read ahead but not delivered).
// A nil d keeps nothing.
func (d *decodedPages) take(events []eventstore.RecordedEvent) ([]incident.Event, []error, bool) {
	if d == nil || len(events) == 0 {
		return nil, nil, false
	}
	first := events[0].GlobalPosition
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.pages[first]
	for k := range d.pages {
		if k <= first {
			delete(d.pages, k)
		}
	}
	if !ok || p.n != len(events) {
		return nil, nil, false
	}
	return p.events, p.errs, true
}

// parallel runs fn over [0, n) split into GOMAXPROCS ranges (one range when
// n is small) and returns when all are done.
func parallel(n int, fn func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n/64+1)
	if workers <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Go(func() { fn(lo, hi) })
	}
	wg.Wait()
}

// load reads the stored cases among ids, after tuning the transaction:
// plans are made for the actual parameters (a generic plan cached while a
// table was empty, after a rebuild's TRUNCATE say, would keep scanning it
// whole once full); the commit does not wait for the WAL flush (the
// projection commits with its checkpoint, so a crash loses only whole
// batches, which are applied again); a bulk batch lets the search index's
// pending list grow.
func (b *batchApplier) load(ctx context.Context, ids []string) error {
	batch := &pgx.Batch{}
	batch.Queue(`SELECT set_config('plan_cache_mode', 'force_custom_plan', true), set_config('synchronous_commit', 'off', true)`)
	if b.bulk {
		// The rollups are counted again at the end of the rebuild (migration 009).
		batch.Queue(`SELECT set_config('gin_pending_list_limit', '1GB', true), set_config('casetrail.rollups', 'off', true)`)
	}
	batch.Queue(`SELECT id, doc FROM cases WHERE id = ANY($1)`, ids).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var id string
			var doc []byte
			if err := rows.Scan(&id, &doc); err != nil {
				return err
			}
			st := &caseState{existed: true}
			if err := json.Unmarshal(doc, &st.c); err != nil {
				return fmt.Errorf("case %s: stored document: %w", id, err)
			}
			st.before = st.c.Clone()
			b.cases[id] = st
		}
		return rows.Err()
	})
	if err := b.tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("project: load cases: %w", err)
	}
	for _, id := range ids {
		if b.cases[id] == nil {
			b.cases[id] = &caseState{}
		}
	}
	return nil
}

// apply folds one stored event (e is its domain form) into its case,
// healing a gap first.
func (b *batchApplier) apply(ctx context.Context, id string, r eventstore.RecordedEvent, e incident.Event) error {
	st := b.cases[id]
	if r.Version <= st.c.Version {
		return nil
	}
	if r.Version != st.c.Version+1 {
		if err := b.heal(ctx, id, st, r.Version-1); err != nil {
			return err
		}
	}
	return b.fold(id, st, e)
}

// heal folds versions st.c.Version+1..upTo of the case's stream into st: the
// read model was missing those events (a rebuild raced a live batch).
func (b *batchApplier) heal(ctx context.Context, id string, st *caseState, upTo int64) error {
	for st.c.Version < upTo {
		limit := int(min(upTo-st.c.Version, 1000))
		recs, err := b.store.ReadStream(ctx, incident.StreamOf(id), st.c.Version+1, limit)
		if err != nil {
			return fmt.Errorf("project: heal case %s: %w", id, err)
		}
		if len(recs) == 0 {
			return fmt.Errorf("project: heal case %s: stream ends at version %d, before %d", id, st.c.Version, upTo)
		}
		for _, r := range recs {
			if r.Version != st.c.Version+1 {
				return fmt.Errorf("project: heal case %s: expected version %d, read %d", id, st.c.Version+1, r.Version)
			}
			e, err := ToDomain(r)
			if err != nil {
				return fmt.Errorf("project: %w", err)
			}
			if err := b.fold(id, st, e); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *batchApplier) fold(id string, st *caseState, e incident.Event) error {
	if err := incident.Apply(&st.c, e); err != nil {
		return fmt.Errorf("project: case %s v%d: %w", id, e.Version, err)
	}
	if st.c.ID == "" {
		st.c.ID = id // a stream that does not start with CaseReported keeps its id
	}
	switch p := e.Data.(type) {
	case incident.CaseReported:
		if p.ClientRequestID != "" {
			b.intake = append(b.intake, intakeRow{e.Actor, p.ClientRequestID, id, false, e.GlobalPosition})
		}
	case incident.ReportMerged:
		if p.ClientRequestID != "" {
			b.intake = append(b.intake, intakeRow{e.Actor, p.ClientRequestID, id, true, e.GlobalPosition})
		}
	}
	if !st.dirty {
		st.dirty = true
		b.order = append(b.order, id)
	}
	st.lastPos = e.GlobalPosition
	return nil
}

// write sends every changed row of the batch in one round trip; in bulk
// mode, the rows of cases new to the read model go by COPY instead.
func (b *batchApplier) write(ctx context.Context) error {
	if len(b.order) == 0 {
		return nil
	}
	// The documents and search vectors are the costly part: make them on
	// every core.
	docs := make([][]byte, len(b.order))
	searches := make([]pgtype.TSVector, len(b.order))
	docErrs := make([]error, len(b.order))
	parallel(len(b.order), func(lo, hi int) {
		f := newFolder()
		for i := lo; i < hi; i++ {
			st := b.cases[b.order[i]]
			docs[i], docErrs[i] = json.Marshal(&st.c)
			if !st.existed || !sameText(&st.before, &st.c) {
				searches[i] = tsvector(f.lexemes(&st.c))
			}
		}
	})
	var upd, fresh rowSet
	var delSub, delDl, delTd, delEv []string
	for i, id := range b.order {
		st := b.cases[id]
		c := &st.c
		old := &st.before
		if docErrs[i] != nil {
			return fmt.Errorf("project: case %s: %w", id, docErrs[i])
		}
		if b.bulk && !st.existed {
			fresh.add(c, st.lastPos, searches[i], docs[i], true, true, true, true)
			continue
		}
		sub := !st.existed || !reflect.DeepEqual(old.Subjects, c.Subjects) || old.Status.Open() != c.Status.Open()
		dl := !st.existed || !reflect.DeepEqual(old.Deadlines, c.Deadlines) || old.Unit != c.Unit
		td := !st.existed || !reflect.DeepEqual(old.Takedowns, c.Takedowns)
		ev := !st.existed || !reflect.DeepEqual(old.Evidence, c.Evidence)
		if st.existed {
			for _, d := range []struct {
				changed bool
				ids     *[]string
			}{{sub, &delSub}, {dl, &delDl}, {td, &delTd}, {ev, &delEv}} {
				if d.changed {
					*d.ids = append(*d.ids, id)
				}
			}
		}
		upd.add(c, st.lastPos, searches[i], docs[i], sub, dl, td, ev)
	}
	batch := &pgx.Batch{}
	if len(upd.cases.id) > 0 {
		batch.Queue(upsertCasesSQL, upd.cases.args()...)
	}
	for _, d := range []struct {
		table string
		ids   []string
	}{{"case_subjects", delSub}, {"deadlines", delDl}, {"takedowns", delTd}, {"evidence", delEv}} {
		if len(d.ids) > 0 {
			batch.Queue(`DELETE FROM `+d.table+` WHERE case_id = ANY($1)`, d.ids)
		}
	}
	if len(upd.sub.caseID) > 0 {
		batch.Queue(insertSubjectsSQL, upd.sub.args()...)
	}
	if len(upd.dl.caseID) > 0 {
		batch.Queue(insertDeadlinesSQL, upd.dl.args()...)
	}
	if len(upd.td.caseID) > 0 {
		batch.Queue(insertTakedownsSQL, upd.td.args()...)
	}
	if len(upd.ev.caseID) > 0 {
		batch.Queue(insertEvidenceSQL, upd.ev.args()...)
	}
	units := map[string]bool{}
	for _, id := range b.order {
		if st := b.cases[id]; !st.existed || st.before.Unit != st.c.Unit {
			units[st.c.Unit] = true
		}
	}
	if len(units) > 0 {
		list := make([]string, 0, len(units))
		for u := range units {
			list = append(list, u)
		}
		slices.Sort(list)
		batch.Queue(`INSERT INTO case_units SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, list)
	}
	if len(b.intake) > 0 {
		var rep, req, cid []string
		var merged []bool
		var pos []int64
		for _, r := range b.intake {
			rep, req, cid = append(rep, r.reporter), append(req, r.requestID), append(cid, r.caseID)
			merged, pos = append(merged, r.merged), append(pos, r.pos)
		}
		batch.Queue(`INSERT INTO intake (reporter, client_request_id, case_id, merged, global_position)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bool[], $5::bigint[])
			ON CONFLICT DO NOTHING`, rep, req, cid, merged, pos)
	}
	if batch.Len() > 0 {
		if err := b.tx.SendBatch(ctx, batch).Close(); err != nil {
			return fmt.Errorf("project: write %d cases: %w", len(upd.cases.id), err)
		}
	}
	if err := fresh.copy(ctx, b.tx); err != nil {
		return fmt.Errorf("project: copy %d new cases: %w", len(fresh.cases.id), err)
	}
	return nil
}

// rowSet is the rows of changed cases, by table.
type rowSet struct {
	cases caseRows
	sub   subjectRows
	dl    deadlineRows
	td    takedownRows
	ev    evidenceRows
}

// add adds c's case row and the child rows of the tables that changed.
func (r *rowSet) add(c *incident.Case, pos int64, search pgtype.TSVector, doc []byte, sub, dl, td, ev bool) {
	r.cases.add(c, pos, search, doc)
	if sub {
		r.sub.add(c)
	}
	if dl {
		r.dl.add(c)
	}
	if td {
		r.td.add(c)
	}
	if ev {
		r.ev.add(c)
	}
}

// copy inserts the rows with COPY: for cases that have no rows yet.
func (r *rowSet) copy(ctx context.Context, tx pgx.Tx) error {
	for _, t := range []struct {
		table string
		cols  []string
		n     int
		row   func(i int) []any
	}{
		{"cases", caseColumns, len(r.cases.id), r.cases.row},
		{"case_subjects", subjectColumns, len(r.sub.caseID), r.sub.row},
		{"deadlines", deadlineColumns, len(r.dl.caseID), r.dl.row},
		{"takedowns", takedownColumns, len(r.td.caseID), r.td.row},
		{"evidence", evidenceColumns, len(r.ev.caseID), r.ev.row},
	} {
		if t.n == 0 {
			continue
		}
		i := 0
		src := pgx.CopyFromFunc(func() ([]any, error) {
			if i == t.n {
				return nil, nil
			}
			i++
			return t.row(i - 1), nil
		})
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.table}, t.cols, src); err != nil {
			return fmt.Errorf("%s: %w", t.table, err)
		}
	}
	return nil
}

// tsvector is the tsvector of sorted, distinct lexemes.
func tsvector(lexemes []string) pgtype.TSVector {
	v := pgtype.TSVector{Lexemes: make([]pgtype.TSVectorLexeme, len(lexemes)), Valid: true}
	for i, w := range lexemes {
		v.Lexemes[i].Word = w
	}
	return v
}

const upsertCasesSQL = `
INSERT INTO cases (id, number, kind, status, severity, unit, assignee, verdict, reported_by,
	reported_at, resolved_at, updated_at, version, next_due_at, search, global_position, doc,
	missed_at, escalation_status)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
	$7::text[], $8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[], $12::timestamptz[],
	$13::bigint[], $14::timestamptz[], $15::tsvector[], $16::bigint[], $17::json[],
	$18::timestamptz[], $19::text[])
ON CONFLICT (id) DO UPDATE SET number = excluded.number, kind = excluded.kind,
	status = excluded.status, severity = excluded.severity, unit = excluded.unit,
	assignee = excluded.assignee, verdict = excluded.verdict, reported_by = excluded.reported_by,
	reported_at = excluded.reported_at, resolved_at = excluded.resolved_at,
	updated_at = excluded.updated_at, version = excluded.version, next_due_at = excluded.next_due_at,
	search = coalesce(excluded.search, cases.search), global_position = excluded.global_position,
	doc = excluded.doc, missed_at = excluded.missed_at, escalation_status = excluded.escalation_status`

// caseColumns are the columns of caseRows.row, as upsertCasesSQL lists them.
var caseColumns = []string{"id", "number", "kind", "status", "severity", "unit", "assignee", "verdict", "reported_by",
	"reported_at", "resolved_at", "updated_at", "version", "next_due_at", "search", "global_position", "doc",
	"missed_at", "escalation_status"}

type caseRows struct {
	id, number, kind, status, unit, reportedBy []string
	severity, assignee, verdict                []*string
	reportedAt, updatedAt                      []time.Time
	resolvedAt, nextDue                        []*time.Time
	version, pos                               []int64
	search                                     []pgtype.TSVector
	doc                                        [][]byte
	// missedAt and escalation are incident.Case.MissedAt and the
	// escalation's status (migration 006).
	missedAt   []*time.Time
	escalation []*string
}

// add appends c's row: doc is its JSON, search its search vector (not
// Valid when the searched text did not change).
func (r *caseRows) add(c *incident.Case, pos int64, search pgtype.TSVector, doc []byte) {
	var verdict *string
	if c.Analysis != nil {
		verdict = nullable(string(c.Analysis.Verdict))
	}
	r.id = append(r.id, c.ID)
	r.number = append(r.number, c.Number)
	r.kind = append(r.kind, string(c.Kind))
	r.status = append(r.status, string(c.Status))
	r.severity = append(r.severity, nullable(string(c.Severity)))
	r.unit = append(r.unit, c.Unit)
	r.assignee = append(r.assignee, nullable(c.Assignee))
	r.verdict = append(r.verdict, verdict)
	r.reportedBy = append(r.reportedBy, c.ReportedBy)
	r.reportedAt = append(r.reportedAt, c.ReportedAt)
	r.resolvedAt = append(r.resolvedAt, c.ResolvedAt)
	r.updatedAt = append(r.updatedAt, c.UpdatedAt)
	r.version = append(r.version, c.Version)
	r.nextDue = append(r.nextDue, nextDue(c))
	r.search = append(r.search, search)
	r.pos = append(r.pos, pos)
	r.doc = append(r.doc, doc)
	r.missedAt = append(r.missedAt, c.MissedAt())
	var esc *string
	if c.Escalation != nil {
		esc = nullable(string(c.Escalation.Status))
	}
	r.escalation = append(r.escalation, esc)
}

func (r *caseRows) args() []any {
	docs := make([]string, len(r.doc))
	for i, d := range r.doc {
		docs[i] = string(d)
	}
	return []any{r.id, r.number, r.kind, r.status, r.severity, r.unit, r.assignee, r.verdict,
		r.reportedBy, r.reportedAt, r.resolvedAt, r.updatedAt, r.version, r.nextDue, r.search, r.pos, docs,
		r.missedAt, r.escalation}
}

func (r *caseRows) row(i int) []any {
	return []any{r.id[i], r.number[i], r.kind[i], r.status[i], r.severity[i], r.unit[i], r.assignee[i], r.verdict[i],
		r.reportedBy[i], r.reportedAt[i], r.resolvedAt[i], r.updatedAt[i], r.version[i], r.nextDue[i], r.search[i], r.pos[i], r.doc[i],
		r.missedAt[i], r.escalation[i]}
}

// nextDue is the earliest due time of a pending deadline, nil when none.
func nextDue(c *incident.Case) *time.Time {
	var out *time.Time
	for i := range c.Deadlines {
		d := &c.Deadlines[i]
		if d.State == incident.StatePending && (out == nil || d.DueAt.Before(*out)) {
			t := d.DueAt
			out = &t
		}
	}
	return out
}

// sameText reports whether a and b have the same search vector: the same
// searched text.
func sameText(a, b *incident.Case) bool {
	if a.Number != b.Number || a.Title != b.Title || a.Description != b.Description || len(a.Subjects) != len(b.Subjects) {
		return false
	}
	for i := range a.Subjects {
		if a.Subjects[i].URL != b.Subjects[i].URL || a.Subjects[i].NormalizedURL != b.Subjects[i].NormalizedURL {
			return false
		}
	}
	return true
}

const insertSubjectsSQL = `INSERT INTO case_subjects (case_id, ord, platform, url, normalized_url, display_name, open)
SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[])`

type subjectRows struct {
	caseID, platform, url, norm []string
	ord                         []int32
	name                        []*string
	open                        []bool
}

func (r *subjectRows) add(c *incident.Case) {
	for i, s := range c.Subjects {
		r.caseID = append(r.caseID, c.ID)
		r.ord = append(r.ord, int32(i))
		r.platform = append(r.platform, string(s.Platform))
		r.url = append(r.url, s.URL)
		r.norm = append(r.norm, s.NormalizedURL)
		r.name = append(r.name, nullable(s.DisplayName))
		r.open = append(r.open, c.Status.Open())
	}
}

func (r *subjectRows) args() []any {
	return []any{r.caseID, r.ord, r.platform, r.url, r.norm, r.name, r.open}
}

var subjectColumns = []string{"case_id", "ord", "platform", "url", "normalized_url", "display_name", "open"}

func (r *subjectRows) row(i int) []any {
	return []any{r.caseID[i], r.ord[i], r.platform[i], r.url[i], r.norm[i], r.name[i], r.open[i]}
}

const insertDeadlinesSQL = `INSERT INTO deadlines (case_id, deadline_id, kind, ref, started_at, due_at, state, settled_at, reminders, unit)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[],
	$7::text[], $8::timestamptz[], $9::int[], $10::text[])`

type deadlineRows struct {
	caseID, id, kind, state, unit []string
	ref                           []*string
	started, due                  []time.Time
	settled                       []*time.Time
	reminders                     []int32
}

func (r *deadlineRows) add(c *incident.Case) {
	for _, d := range c.Deadlines {
		r.caseID = append(r.caseID, c.ID)
		r.id = append(r.id, d.ID)
		r.kind = append(r.kind, string(d.Kind))
		r.ref = append(r.ref, nullable(d.Ref))
		r.started = append(r.started, d.StartedAt)
		r.due = append(r.due, d.DueAt)
		r.state = append(r.state, string(d.State))
		r.settled = append(r.settled, d.SettledAt)
		r.reminders = append(r.reminders, int32(d.Reminders))
		r.unit = append(r.unit, c.Unit)
	}
}

func (r *deadlineRows) args() []any {
	return []any{r.caseID, r.id, r.kind, r.ref, r.started, r.due, r.state, r.settled, r.reminders, r.unit}
}

var deadlineColumns = []string{"case_id", "deadline_id", "kind", "ref", "started_at", "due_at", "state", "settled_at", "reminders", "unit"}

func (r *deadlineRows) row(i int) []any {
	return []any{r.caseID[i], r.id[i], r.kind[i], r.ref[i], r.started[i], r.due[i], r.state[i], r.settled[i], r.reminders[i], r.unit[i]}
}

const insertTakedownsSQL = `INSERT INTO takedowns (case_id, takedown_id, platform, target_url, reason, legal_basis,
	status, platform_reference, requested_by, requested_at, responded_at, due_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
	$8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[], $12::timestamptz[])`

type takedownRows struct {
	caseID, id, platform, target, reason, status, by []string
	legal, ref                                       []*string
	requested, due                                   []time.Time
	responded                                        []*time.Time
}

func (r *takedownRows) add(c *incident.Case) {
	for _, t := range c.Takedowns {
		r.caseID = append(r.caseID, c.ID)
		r.id = append(r.id, t.ID)
		r.platform = append(r.platform, string(t.Platform))
		r.target = append(r.target, t.TargetURL)
		r.reason = append(r.reason, t.Reason)
		r.legal = append(r.legal, nullable(t.LegalBasis))
		r.status = append(r.status, string(t.Status))
		r.ref = append(r.ref, nullable(t.PlatformReference))
		r.by = append(r.by, t.RequestedBy)
		r.requested = append(r.requested, t.RequestedAt)
		r.responded = append(r.responded, t.RespondedAt)
		r.due = append(r.due, t.DueAt)
	}
}

func (r *takedownRows) args() []any {
	return []any{r.caseID, r.id, r.platform, r.target, r.reason, r.legal, r.status, r.ref, r.by, r.requested, r.responded, r.due}
}

var takedownColumns = []string{"case_id", "takedown_id", "platform", "target_url", "reason", "legal_basis",
	"status", "platform_reference", "requested_by", "requested_at", "responded_at", "due_at"}

func (r *takedownRows) row(i int) []any {
	return []any{r.caseID[i], r.id[i], r.platform[i], r.target[i], r.reason[i], r.legal[i], r.status[i], r.ref[i], r.by[i],
		r.requested[i], r.responded[i], r.due[i]}
}

const insertEvidenceSQL = `INSERT INTO evidence (case_id, evidence_id, description, url, sha256, media_type, size_bytes, added_by, added_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[],
	$8::text[], $9::timestamptz[])`

type evidenceRows struct {
	caseID, id, desc, sha, media, by []string
	url                              []*string
	size                             []int64
	added                            []time.Time
}

func (r *evidenceRows) add(c *incident.Case) {
	for _, e := range c.Evidence {
		r.caseID = append(r.caseID, c.ID)
		r.id = append(r.id, e.ID)
		r.desc = append(r.desc, e.Description)
		r.url = append(r.url, nullable(e.URL))
		r.sha = append(r.sha, e.SHA256)
		r.media = append(r.media, e.MediaType)
		r.size = append(r.size, e.SizeBytes)
		r.by = append(r.by, e.AddedBy)
		r.added = append(r.added, e.AddedAt)
	}
}

func (r *evidenceRows) args() []any {
	return []any{r.caseID, r.id, r.desc, r.url, r.sha, r.media, r.size, r.by, r.added}
}

var evidenceColumns = []string{"case_id", "evidence_id", "description", "url", "sha256", "media_type", "size_bytes", "added_by", "added_at"}

func (r *evidenceRows) row(i int) []any {
	return []any{r.caseID[i], r.id[i], r.desc[i], r.url[i], r.sha[i], r.media[i], r.size[i], r.by[i], r.added[i]}
}
