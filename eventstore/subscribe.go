package eventstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// PollInterval is how often an idle subscription looks for new events when
// no notification arrives.
const PollInterval = time.Second

// notifyChannel is the LISTEN/NOTIFY channel signalled by every committed
// group of appends (casetrail_append).
const notifyChannel = "casetrail_events"

// Handler processes one batch of events, in global order, inside tx. The
// subscription advances the consumer's checkpoint in the same transaction,
// so writes the handler makes through tx commit together with the
// checkpoint: each batch is applied exactly once. Returning an error rolls
// the batch back and stops the subscription.
type Handler func(ctx context.Context, tx pgx.Tx, events []RecordedEvent) error

// SubscribeOption tunes a subscription.
type SubscribeOption func(*subscribeOptions)

type subscribeOptions struct {
	form   dataForm
	onPage func([]RecordedEvent)
}

// StoredData hands the handler each event's Data as PostgreSQL returns the
// stored jsonb (the same JSON value, in jsonb's key order and spacing)
// instead of the canonical form the hash covers. A handler that decodes
// payloads and never hashes them saves the canonicalization, about a
// fifth of the cost of reading the log.
func StoredData() SubscribeOption {
	return func(o *subscribeOptions) { o.form = storedData }
}

// OnPage calls fn with every page of events as soon as it is read, before
// the handler gets it: on the reading goroutine, so for a page read ahead
// it runs while the handler works on the page before. fn must not modify
// the events. A handler can use it to decode a page's payloads off its own
// critical path; fn may also see a page the handler never gets (read ahead
// from a checkpoint another subscriber moved), so whatever it prepares must
// be keyed by position.
func OnPage(fn func([]RecordedEvent)) SubscribeOption {
	return func(o *subscribeOptions) { o.onPage = fn }
}

// handlerError marks an error returned by a Handler.
type handlerError struct{ err error }

func (e *handlerError) Error() string { return e.err.Error() }
func (e *handlerError) Unwrap() error { return e.err }

// Subscribe delivers the global log to h in batches of at most batch events
// (100 when batch <= 0), starting after consumer's stored checkpoint. It
// wakes on NOTIFY from committed appends (on its own connection, outside
// the pool) and also polls every PollInterval. Subscriptions with the same
// consumer name, in any process, take turns: each batch locks the
// checkpoint row.
//
// While h works on a full batch, Subscribe reads the next one on another
// connection, so reading the log and handling it overlap when catching up.
//
// Subscribe returns nil when ctx is done. It returns the handler's error
// (wrapped), ErrClosed, or a database error that is not transient; it
// retries transient ones (lost connections, a restarting server).
func (s *Store) Subscribe(ctx context.Context, consumer string, batch int, h Handler, opts ...SubscribeOption) error {
	op := fmt.Sprintf("subscribe %q", consumer)
	var o subscribeOptions
	for _, opt := range opts {
		opt(&o)
	}
	if s.closed.Load() {
		return fmt.Errorf("eventstore: %s: %w", op, ErrClosed)
	}
	if err := checkName("consumer", consumer); err != nil {
		return fmt.Errorf("eventstore: %s: %w", op, err)
	}
	if h == nil {
		return fmt.Errorf("eventstore: %s: %w", op, invalid("nil handler"))
	}
	if batch <= 0 {
		batch = 100
	}
	lctx, stop := context.WithCancel(ctx)
	wake := make(chan struct{}, 1)
	var wg sync.WaitGroup
	wg.Go(func() { s.listen(lctx, wake) })
	defer func() {
		stop()
		wg.Wait()
	}()
	// ahead is the next page, read while the handler works on the current
	// one; it is waited for before Subscribe returns.
	var ahead *readAhead
	defer func() { ahead.wait() }()
	backoff := time.Duration(0)
	for {
		n, next, err := s.deliver(ctx, consumer, batch, o, h, ahead)
		ahead.wait()
		ahead = next
		if ctx.Err() != nil {
			return nil
		}
		var he *handlerError
		switch {
		case errors.As(err, &he):
			return fmt.Errorf("eventstore: %s: handler: %w", op, he.err)
		case err != nil && s.closed.Load():
			return fmt.Errorf("eventstore: %s: %w", op, ErrClosed)
		case err != nil && !isTransient(err):
			return classify(op, err)
		case err != nil:
			backoff = min(max(2*backoff, 100*time.Millisecond), 5*time.Second)
			if !sleep(ctx, backoff) {
				return nil
			}
			continue
		}
		backoff = 0
		if n == batch {
			continue
		}
		t := time.NewTimer(s.poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// readAhead is a page of the log read outside the delivering transaction,
// after position after, while the handler works on the page before it.
type readAhead struct {
	after int64
	done  chan struct{}
	evs   []RecordedEvent
	err   error
}

// readAhead starts reading the page after position after.
func (s *Store) readAhead(ctx context.Context, after int64, batch int, o subscribeOptions) *readAhead {
	r := &readAhead{after: after, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.evs, r.err = readAll(ctx, s.pool, after, batch, o.form)
		if r.err == nil && len(r.evs) == batch && o.onPage != nil {
			o.onPage(r.evs)
		}
	}()
	return r
}

// wait returns once the read is over; nil waits for nothing.
func (r *readAhead) wait() {
	if r != nil {
		<-r.done
	}
}

// deliver hands at most one batch to h and returns its size. The batch is
// ahead's page when ahead was read from the checkpoint deliver locks (the
// log is gap-free and commit-ordered, so a page read after a position is
// the same inside and outside the transaction, as long as it is full);
// otherwise it is read inside the transaction. After a full page, deliver
// starts reading the next one, which the caller passes to the next call.
func (s *Store) deliver(ctx context.Context, consumer string, batch int, o subscribeOptions, h Handler, ahead *readAhead) (int, *readAhead, error) {
	var cp, head int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce((SELECT position FROM subscription_checkpoints WHERE consumer = $1), 0),
       (SELECT coalesce(max(global_position), 0) FROM events)`, consumer).Scan(&cp, &head)
	if err != nil || head <= cp {
		return 0, nil, err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, nil, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, `INSERT INTO subscription_checkpoints (consumer, position) VALUES ($1, 0)
ON CONFLICT (consumer) DO NOTHING`, consumer); err != nil {
		return 0, nil, err
	}
	if err := tx.QueryRow(ctx, `SELECT position FROM subscription_checkpoints WHERE consumer = $1 FOR UPDATE`, consumer).Scan(&cp); err != nil {
		return 0, nil, err
	}
	var evs []RecordedEvent
	if ahead != nil && ahead.after == cp {
		ahead.wait()
		// A short page may have missed events committed since: read again.
		if ahead.err == nil && len(ahead.evs) == batch {
			evs = ahead.evs
		}
	}
	if evs == nil {
		if evs, err = readAll(ctx, tx, cp, batch, o.form); err != nil || len(evs) == 0 {
			return 0, nil, err
		}
		if o.onPage != nil {
			o.onPage(evs)
		}
	}
	last := evs[len(evs)-1].GlobalPosition
	var next *readAhead
	if len(evs) == batch {
		next = s.readAhead(ctx, last, batch, o)
	}
	if err := h(ctx, tx, evs); err != nil {
		return 0, next, &handlerError{err: err}
	}
	if _, err := tx.Exec(ctx, `UPDATE subscription_checkpoints SET position = $2, updated_at = now() WHERE consumer = $1`, consumer, last); err != nil {
		return 0, next, err
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, next, err
	}
	s.checkpointChanged()
	return len(evs), next, nil
}

// listen signals wake on every notification of committed appends, and
// once each time LISTEN (re)starts. It reconnects after errors until ctx is done.
func (s *Store) listen(ctx context.Context, wake chan<- struct{}) {
	signal := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	for ctx.Err() == nil {
		conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig)
		if err == nil {
			if _, err = conn.Exec(ctx, "LISTEN "+notifyChannel); err == nil {
				signal()
				for {
					if _, err = conn.WaitForNotification(ctx); err != nil {
						break
					}
					signal()
				}
			}
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			_ = conn.Close(cctx)
			cancel()
		}
		if !sleep(ctx, min(s.poll, PollInterval)) {
			return
		}
	}
}

// sleep waits for d or until ctx is done; it reports whether d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// isTransient reports database errors worth retrying: lost or refused
// connections, a server shutting down or starting, serialization failures.
func isTransient(err error) bool {
	if err == nil || errors.Is(err, ErrClosed) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		c := pgErr.Code
		return strings.HasPrefix(c, "08") || c == "57P01" || c == "57P02" || c == "57P03" ||
			c == "40001" || c == "40P01" || c == "53300"
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connErr) || errors.As(err, &netErr) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || pgconn.SafeToRetry(err) || strings.Contains(err.Error(), "conn closed")
}

// Checkpoint returns consumer's stored checkpoint: the last global position
// it handled, 0 for an unknown consumer.
func (s *Store) Checkpoint(ctx context.Context, consumer string) (int64, error) {
	op := fmt.Sprintf("checkpoint %q", consumer)
	if err := s.check(ctx, op); err != nil {
		return 0, err
	}
	var cp int64
	err := s.pool.QueryRow(ctx, `SELECT position FROM subscription_checkpoints WHERE consumer = $1`, consumer).Scan(&cp)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, classify(op, err)
	}
	return cp, nil
}

// ResetCheckpoint sets consumer's checkpoint back to 0, so its next batch
// starts from the beginning of the log (to rebuild a projection). A running
// subscription picks the reset up at its next batch.
func (s *Store) ResetCheckpoint(ctx context.Context, consumer string) error {
	op := fmt.Sprintf("reset checkpoint %q", consumer)
	if err := s.check(ctx, op); err != nil {
		return err
	}
	if _, err := s.pool.Exec(ctx, `UPDATE subscription_checkpoints SET position = 0, updated_at = now() WHERE consumer = $1`, consumer); err != nil {
		return classify(op, err)
	}
	s.checkpointChanged()
	return nil
}

// WaitForPosition blocks until consumer's checkpoint is at least pos, or
// ctx is done (then it returns ctx's error, wrapped). Callers use it to
// read their own writes from a projection. It wakes at once for
// subscriptions of this Store and polls (10 ms growing to 200 ms) for
// subscriptions in other processes.
func (s *Store) WaitForPosition(ctx context.Context, consumer string, pos int64) error {
	delay := 10 * time.Millisecond
	for {
		changed := s.checkpointWatch()
		cp, err := s.Checkpoint(ctx, consumer)
		if err != nil {
			return err
		}
		if cp >= pos {
			return nil
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("eventstore: wait for %q to reach position %d (at %d): %w", consumer, pos, cp, ctx.Err())
		case <-changed:
			t.Stop()
		case <-t.C:
			delay = min(2*delay, 200*time.Millisecond)
		}
	}
}

func (s *Store) checkpointWatch() <-chan struct{} {
	s.cpMu.Lock()
	defer s.cpMu.Unlock()
	return s.cpChanged
}

func (s *Store) checkpointChanged() {
	s.cpMu.Lock()
	defer s.cpMu.Unlock()
	close(s.cpChanged)
	s.cpChanged = make(chan struct{})
}
