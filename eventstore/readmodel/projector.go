package readmodel

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"casetrail/eventstore"
)

// Consumer is the checkpoint name of the read-model projection.
const Consumer = "readmodel"

// Projector keeps the read-model tables up to date with the global event
// log. Each batch of events is folded with incident.Apply and written in the
// same transaction that advances the "readmodel" checkpoint, so the read
// model is always the projection of a prefix of the log.
type Projector struct {
	store *eventstore.Store
	// Batch is the number of events one live transaction applies at most.
	Batch int
	// RebuildBatch is the number of events per transaction during Rebuild.
	RebuildBatch int
	// WaitTimeout bounds WaitFor when the caller's context has no earlier
	// deadline.
	WaitTimeout time.Duration

	pages decodedPages
}

// NewProjector returns a projector over store's database with default
// batch sizes (1,000 live, 20,000 when rebuilding) and a 5 s WaitFor bound.
func NewProjector(store *eventstore.Store) *Projector {
	return &Projector{store: store, Batch: 1000, RebuildBatch: 20000, WaitTimeout: 5 * time.Second}
}

func (p *Projector) handler(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error {
	return applyBatch(ctx, p.store, tx, events, false, &p.pages)
}

func (p *Projector) bulkHandler(ctx context.Context, tx pgx.Tx, events []eventstore.RecordedEvent) error {
	return applyBatch(ctx, p.store, tx, events, true, &p.pages)
}

// subscribe follows the log with h: payloads as stored (they are decoded,
// never hashed), decoded as soon as each page is read.
func (p *Projector) subscribe(ctx context.Context, batch int, h eventstore.Handler) error {
	return p.store.Subscribe(ctx, Consumer, batch, h, eventstore.StoredData(), eventstore.OnPage(p.pages.put))
}

// Run ensures the schema and projects events as they are appended, until ctx
// ends (it then returns ctx's error) or a batch fails.
func (p *Projector) Run(ctx context.Context) error {
	if err := EnsureSchema(ctx, p.store.Pool()); err != nil {
		return err
	}
	if err := p.subscribe(ctx, p.Batch, p.handler); err != nil {
		return fmt.Errorf("projector: %w", err)
	}
	return nil
}

// CatchUp projects every event appended so far and returns: what Run does,
// but it stops once the checkpoint has reached the head of the log as it was
// when CatchUp started. It returns the position reached.
func (p *Projector) CatchUp(ctx context.Context) (int64, error) {
	return p.catchUp(ctx, p.Batch, p.handler)
}

func (p *Projector) catchUp(ctx context.Context, batch int, h eventstore.Handler) (int64, error) {
	if err := EnsureSchema(ctx, p.store.Pool()); err != nil {
		return 0, err
	}
	head, err := p.store.HeadPosition(ctx)
	if err != nil {
		return 0, fmt.Errorf("projector: %w", err)
	}
	subCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	subDone := make(chan error, 1)
	go func() { subDone <- p.subscribe(subCtx, batch, h) }()
	waitDone := make(chan error, 1)
	go func() { waitDone <- p.store.WaitForPosition(subCtx, Consumer, head) }()
	select {
	case err := <-subDone:
		// The subscription stopped before the head was reached: a failed
		// batch, or ctx ended.
		cancel()
		<-waitDone
		if err == nil {
			err = ctx.Err()
		}
		return 0, fmt.Errorf("projector: catch up to %d: %w", head, err)
	case err := <-waitDone:
		cancel()
		subErr := <-subDone
		if err != nil {
			return 0, fmt.Errorf("projector: catch up to %d: %w", head, err)
		}
		if subErr != nil {
			return 0, fmt.Errorf("projector: %w", subErr)
		}
	}
	pos, err := p.store.Checkpoint(ctx, Consumer)
	if err != nil {
		return 0, fmt.Errorf("projector: %w", err)
	}
	return pos, nil
}

// Rebuild drops every projected row (the registry stays), resets the
// checkpoint and replays the log from position 1 until it reaches the head
// as of the start of the replay, then vacuums and analyzes the new tables.
// The registry is written again from the admin stream (ReplayAdmin): rows
// its events describe are restored, rows no event describes stay.
// It returns the position reached. A live Run may keep going meanwhile:
// events already applied are skipped by version and a case found behind is
// folded from its own stream, so both converge on the same tables.
func (p *Projector) Rebuild(ctx context.Context) (int64, error) {
	if err := EnsureSchema(ctx, p.store.Pool()); err != nil {
		return 0, err
	}
	if _, err := (&Registry{pool: p.store.Pool(), log: p.store}).ReplayAdmin(ctx); err != nil {
		return 0, fmt.Errorf("rebuild: %w", err)
	}
	if err := p.Truncate(ctx); err != nil {
		return 0, err
	}
	if err := p.store.ResetCheckpoint(ctx, Consumer); err != nil {
		return 0, fmt.Errorf("rebuild: %w", err)
	}
	// The replay lets the search index's pending list grow (see
	// applyBatch); meanwhile another connection merges it into the index
	// every couple of seconds, on the core the replay leaves idle.
	cleanCtx, stopCleaning := context.WithCancel(ctx)
	cleaned := make(chan struct{})
	go func() {
		defer close(cleaned)
		p.cleanSearchIndex(cleanCtx, 2*time.Second)
	}()
	pos, err := p.catchUp(ctx, p.RebuildBatch, p.bulkHandler)
	stopCleaning()
	<-cleaned
	if err != nil {
		return 0, err
	}
	// The batches left the stats rollups alone (casetrail.rollups): count
	// them once, whole (migration 009).
	if _, err := p.store.Pool().Exec(ctx, `SELECT readmodel_stats_recount()`); err != nil {
		return 0, fmt.Errorf("rebuild: stats rollups: %w", err)
	}
	if err := p.vacuum(ctx); err != nil {
		return 0, fmt.Errorf("rebuild: %w", err)
	}
	return pos, nil
}

// cleanSearchIndex merges the search index's pending list every interval
// until ctx ends. Only the index's owner may: for anyone else it stops at
// the first refusal and leaves the merge to VACUUM.
func (p *Projector) cleanSearchIndex(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := p.store.Pool().Exec(ctx, `SELECT gin_clean_pending_list('cases_search'::regclass)`); err != nil {
			return
		}
	}
}

// vacuum runs VACUUM (ANALYZE) on the projected tables after a rebuild: it
// merges the search index's pending list, marks the new pages all-visible
// (index-only scans then skip the heap) and gives the planner statistics of
// the new rows. cases, the longest, goes on one connection and the other
// tables on another, at the same time. A role that does not own the tables gets a
// warning from PostgreSQL for each and leaves them to autovacuum.
func (p *Projector) vacuum(ctx context.Context) error {
	groups := [][]string{{"cases"}, nil}
	for _, t := range projectedTables {
		if t != "cases" {
			groups[1] = append(groups[1], t)
		}
	}
	errs := make([]error, len(groups))
	var wg sync.WaitGroup
	for i, tables := range groups {
		wg.Go(func() { errs[i] = p.vacuumTables(ctx, tables) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (p *Projector) vacuumTables(ctx context.Context, tables []string) error {
	conn, err := p.store.Pool().Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET maintenance_work_mem = '256MB'`); err != nil {
		return err
	}
	_, err = conn.Exec(ctx, `VACUUM (ANALYZE) `+strings.Join(tables, ", "))
	if _, rerr := conn.Exec(ctx, `RESET maintenance_work_mem`); err == nil {
		err = rerr
	}
	return err
}

// Truncate empties the projected tables (not the registry). The checkpoint
// is left alone: call Rebuild to replay.
func (p *Projector) Truncate(ctx context.Context) error {
	if _, err := p.store.Pool().Exec(ctx, "TRUNCATE "+strings.Join(projectedTables, ", ")); err != nil {
		return fmt.Errorf("truncate read model: %w", err)
	}
	return nil
}

// WaitFor returns once the projection has applied the event at global
// position pos, so a caller that appended it reads its own write. It waits
// at most WaitTimeout (or until ctx ends) and then fails.
func (p *Projector) WaitFor(ctx context.Context, pos int64) error {
	if pos <= 0 {
		return nil
	}
	if p.WaitTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.WaitTimeout)
		defer cancel()
	}
	if err := p.store.WaitForPosition(ctx, Consumer, pos); err != nil {
		return fmt.Errorf("wait for read model to reach %d: %w", pos, err)
	}
	return nil
}
