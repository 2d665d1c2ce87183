package eventstore

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Group commit limits. maxGroupAppends stays below PostgreSQL's cache of 64
// subtransactions per transaction (each append is one).
const (
	maxGroupAppends = 32
	maxGroupEvents  = 2 * MaxBatch
	maxGroupBytes   = 8 << 20
	groupTimeout    = 30 * time.Second
	// gatherWait bounds how long a group waits for appends that are still
	// being prepared (see committer).
	gatherWait = 500 * time.Microsecond
)

// committer is application-level group commit. Append hands its prepared
// events to the committer and waits. While requests are queued, one
// goroutine runs groups back to back: each takes the queue (within the
// limits above) and writes it with one call of casetrail_append, in one
// transaction with one WAL flush. A group serves every append that queued
// while the previous one was committing, so concurrent appenders share
// flushes even though the advisory lock is held across COMMIT.
//
// Like PostgreSQL's commit_delay with commit_siblings, a group about to
// start waits (at most gatherWait) while fewer appends are queued than
// there are callers inside Append: the appenders the previous group just
// released are usually about to queue again, and joining this group beats
// forming the next one. A lone appender never waits.
type committer struct {
	mu      sync.Mutex
	running bool          // the group goroutine is alive
	queue   []*appendReq  // appends waiting for the next group
	active  int           // callers inside Append
	queued  chan struct{} // signalled (without blocking) on queueing and on leaving Append
	stats   groupStats
}

// appendReq is one Append waiting in the committer.
type appendReq struct {
	recs  []RecordedEvent // versions, data and hashes filled in
	metas []string        // encoded metadata, one per event
	bytes int
	done  chan appendOutcome // buffered: the committer never blocks on it
}

// appendOutcome is what the group did with one append.
type appendOutcome struct {
	first   int64  // global position of the first event, on success
	code    string // SQLSTATE when this append alone failed
	message string
	err     error // the whole group failed: the outcome is unknown
}

// groupStats counts the groups this Store committed (for benchmarks).
type groupStats struct {
	groups, appends int64
	busy            time.Duration
}

// enter counts a caller inside Append; it returns the function to call on
// leaving.
func (s *Store) enter() (leave func()) {
	q := &s.committer
	q.mu.Lock()
	q.active++
	q.mu.Unlock()
	return func() {
		q.mu.Lock()
		q.active--
		q.mu.Unlock()
		q.signal()
	}
}

func (q *committer) signal() {
	select {
	case q.queued <- struct{}{}:
	default:
	}
}

// commit queues req and waits for its outcome or for ctx. After ctx ends
// the append may still be committed by its group.
func (s *Store) commit(ctx context.Context, req *appendReq) (appendOutcome, error) {
	q := &s.committer
	q.mu.Lock()
	q.queue = append(q.queue, req)
	if !q.running {
		q.running = true
		go s.commitLoop()
	}
	q.mu.Unlock()
	q.signal()
	select {
	case out := <-req.done:
		return out, nil
	case <-ctx.Done():
		return appendOutcome{}, ctx.Err()
	}
}

// commitLoop commits groups until the queue is empty. Groups do not use a
// caller's context: a group serves many callers.
func (s *Store) commitLoop() {
	q := &s.committer
	for {
		s.gather()
		q.mu.Lock()
		if len(q.queue) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		n, events, bytes := 0, 0, 0
		for n < len(q.queue) && n < maxGroupAppends {
			r := q.queue[n]
			if n > 0 && (events+len(r.recs) > maxGroupEvents || bytes+r.bytes > maxGroupBytes) {
				break
			}
			n, events, bytes = n+1, events+len(r.recs), bytes+r.bytes
		}
		group := q.queue[:n:n]
		q.queue = append([]*appendReq(nil), q.queue[n:]...)
		q.mu.Unlock()

		began := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), groupTimeout)
		outs, err := s.runGroup(ctx, group)
		cancel()
		for i, r := range group {
			if err != nil {
				r.done <- appendOutcome{err: err}
			} else {
				r.done <- outs[i]
			}
		}
		q.mu.Lock()
		q.stats.groups++
		q.stats.appends += int64(n)
		q.stats.busy += time.Since(began)
		q.mu.Unlock()
	}
}

// gather waits, at most gatherWait, while callers inside Append have not
// all queued and the next group still has room.
func (s *Store) gather() {
	q := &s.committer
	var deadline <-chan time.Time
	for {
		q.mu.Lock()
		waiting := len(q.queue) > 0 && len(q.queue) < q.active && len(q.queue) < maxGroupAppends
		q.mu.Unlock()
		if !waiting {
			return
		}
		if deadline == nil {
			t := time.NewTimer(gatherWait)
			defer t.Stop()
			deadline = t.C
		}
		select {
		case <-q.queued:
		case <-deadline:
			return
		}
	}
}

// runGroup writes the group with one call of casetrail_append.
func (s *Store) runGroup(ctx context.Context, group []*appendReq) ([]appendOutcome, error) {
	total := 0
	for _, r := range group {
		total += len(r.recs)
	}
	bounds := make([]int32, 0, len(group)+1)
	streams, ids, types, datas, metas, prevs, hashes := make([]string, 0, total), make([]string, 0, total),
		make([]string, 0, total), make([]string, 0, total), make([]string, 0, total), make([]string, 0, total), make([]string, 0, total)
	versions, schemas := make([]int64, 0, total), make([]int32, 0, total)
	occurred, recorded := make([]time.Time, 0, total), make([]time.Time, 0, total)
	for _, r := range group {
		bounds = append(bounds, int32(len(ids)+1))
		for i, e := range r.recs {
			streams, ids, types = append(streams, e.Stream), append(ids, e.ID), append(types, e.Type)
			datas, metas = append(datas, string(e.Data)), append(metas, r.metas[i])
			prevs, hashes = append(prevs, e.PrevHash), append(hashes, e.Hash)
			versions, schemas = append(versions, e.Version), append(schemas, int32(e.SchemaVersion))
			occurred, recorded = append(occurred, e.OccurredAt), append(recorded, e.RecordedAt)
		}
	}
	bounds = append(bounds, int32(len(ids)+1))
	rows, err := s.pool.Query(ctx, `SELECT append_no, first_position, error_code, error_message
FROM casetrail_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		bounds, streams, ids, versions, types, schemas, datas, metas, occurred, recorded, prevs, hashes)
	if err != nil {
		return nil, err
	}
	outs := make([]appendOutcome, len(group))
	seen := make([]bool, len(group))
	for rows.Next() {
		var no int32
		var first *int64
		var code, message *string
		if err := rows.Scan(&no, &first, &code, &message); err != nil {
			rows.Close()
			return nil, err
		}
		i := int(no) - 1
		if i < 0 || i >= len(group) {
			rows.Close()
			return nil, fmt.Errorf("casetrail_append returned append %d of %d", no, len(group))
		}
		seen[i] = true
		switch {
		case code != nil:
			outs[i] = appendOutcome{code: *code, message: deref(message)}
		case first != nil:
			outs[i] = appendOutcome{first: *first}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, ok := range seen {
		if !ok {
			return nil, fmt.Errorf("casetrail_append returned no outcome for append %d", i+1)
		}
	}
	return outs, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
