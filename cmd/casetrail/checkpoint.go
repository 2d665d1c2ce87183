package main

// The anchored log's commands and loop: the checkpoint key (kept outside
// the database), `casetrail checkpoint`, `casetrail verify` and the loop that
// signs checkpoints in serve and worker processes. See eventstore/anchor.go.

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"casetrail/eventstore"
	"casetrail/incident"
)

// checkpointKeyFile is the key file's name in the data directory.
const checkpointKeyFile = "checkpoint.key"

// Defaults of the signing loop.
const (
	defaultCheckpointInterval = 10 * time.Minute
	defaultCheckpointEvents   = 10000
)

// checkpointKeyPath is CASETRAIL_CHECKPOINT_KEY_FILE, or checkpoint.key in
// the data directory.
func checkpointKeyPath(cfg Config) string {
	return env("CASETRAIL_CHECKPOINT_KEY_FILE", filepath.Join(cfg.DataDir, checkpointKeyFile))
}

// loadCheckpointKey reads the Ed25519 key at path: its 32-byte seed in hex.
func loadCheckpointKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint key: %w", err)
	}
	seed, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("checkpoint key: %s is not an Ed25519 seed in hex (64 digits)", path)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// loadOrCreateCheckpointKey returns the key at path, creating it once
// (mode 0600, written completely before it is linked into place, so a
// concurrent starter uses the winner's key) when it does not exist.
func loadOrCreateCheckpointKey(path string) (ed25519.PrivateKey, error) {
	if k, err := loadCheckpointKey(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("checkpoint key: %w", err)
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, fmt.Errorf("checkpoint key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("checkpoint key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(hex.EncodeToString(seed) + "\n")
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp.Name(), path)
	}
	if errors.Is(err, fs.ErrExist) {
		return loadCheckpointKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint key: %w", err)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// checkpointCommand runs `casetrail checkpoint`: sign one checkpoint now,
// or print the public key, or export every checkpoint as JSON lines.
func checkpointCommand(ctx context.Context, cfg Config, publicKey bool, export string, out io.Writer) error {
	path := checkpointKeyPath(cfg)
	if publicKey {
		key, err := loadOrCreateCheckpointKey(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "# casetrail checkpoint key %s (%s)\n%s\n", eventstore.KeyID(key.Public().(ed25519.PublicKey)), path,
			hex.EncodeToString(key.Public().(ed25519.PublicKey)))
		return nil
	}
	store, err := prepareDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	if export != "" {
		return exportCheckpoints(ctx, store, export, out)
	}
	key, err := loadOrCreateCheckpointKey(path)
	if err != nil {
		return err
	}
	c, err := store.SignCheckpoint(ctx, key)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "checkpoint %d: position %d, global hash %s, %d streams, stream root %s, key %s\n",
		c.Seq, c.Position, c.GlobalHash, c.Streams, c.StreamRoot, c.KeyID)
	return nil
}

// exportCheckpoints writes every stored checkpoint as one JSON object per
// line to path ("-" for out).
func exportCheckpoints(ctx context.Context, store *eventstore.Store, path string, out io.Writer) error {
	cps, err := store.SignedCheckpoints(ctx)
	if err != nil {
		return err
	}
	w := out
	var f *os.File
	if path != "-" {
		if f, err = os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644); err != nil {
			return fmt.Errorf("export checkpoints: %w", err)
		}
		w = f
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, c := range cps {
		if err := enc.Encode(c); err != nil {
			return err
		}
	}
	err = bw.Flush()
	if f != nil {
		if serr := f.Sync(); err == nil {
			err = serr
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			fmt.Fprintf(out, "%d checkpoints exported to %s\n", len(cps), path)
		}
	}
	return err
}

// readCheckpoints reads exported checkpoints (JSON lines).
func readCheckpoints(path string) ([]eventstore.SignedCheckpoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	var out []eventstore.SignedCheckpoint
	for i, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var c eventstore.SignedCheckpoint
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			return nil, fmt.Errorf("checkpoints: %s line %d: %w", path, i+1, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// verifyKeys returns the public keys verify checks checkpoints with: those
// in publicKeyFile, or else the one of the checkpoint key file when it
// exists (verify never creates a key). None is not an error: checkpoints
// then fail to verify, naming their key.
func verifyKeys(cfg Config, publicKeyFile string) ([]ed25519.PublicKey, error) {
	if publicKeyFile != "" {
		b, err := os.ReadFile(publicKeyFile)
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		keys, err := eventstore.ParsePublicKeys(b)
		if err != nil {
			return nil, fmt.Errorf("public key %s: %w", publicKeyFile, err)
		}
		return keys, nil
	}
	key, err := loadCheckpointKey(checkpointKeyPath(cfg))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []ed25519.PublicKey{key.Public().(ed25519.PublicKey)}, nil
}

// verify recomputes the hash chain of one case or of every case; for the
// whole log it also checks the global chain and every checkpoint (stored,
// and exported ones given with checkpointsFile) with only public keys. It
// fails, after printing what is wrong, when anything does not verify.
func verify(ctx context.Context, cfg Config, caseID, publicKeyFile, checkpointsFile string, out io.Writer) error {
	var keys []ed25519.PublicKey
	var external []eventstore.SignedCheckpoint
	var err error
	if caseID == "" {
		if keys, err = verifyKeys(cfg, publicKeyFile); err != nil {
			return err
		}
		if checkpointsFile != "" {
			if external, err = readCheckpoints(checkpointsFile); err != nil {
				return err
			}
		}
	}
	store, err := prepareDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	var streams []string
	if caseID != "" {
		streams = []string{incident.StreamOf(caseID)}
	} else if streams, err = store.Streams(ctx); err != nil {
		return err
	}
	broken := 0
	events := 0
	for _, s := range streams {
		rep, err := store.Verify(ctx, s)
		if err != nil {
			return fmt.Errorf("verify %s: %w", s, err)
		}
		events += rep.EventsChecked
		if !rep.OK {
			broken++
			fmt.Fprintf(out, "BROKEN %s: first bad version %d\n", s, rep.FirstBadVersion)
		} else if caseID != "" {
			fmt.Fprintf(out, "ok %s: %d events, head %s\n", s, rep.EventsChecked, rep.HeadHash)
		}
	}
	fmt.Fprintf(out, "%d streams, %d events checked, %d broken\n", len(streams), events, broken)
	if caseID != "" {
		if broken > 0 {
			return fmt.Errorf("%d hash chain(s) broken", broken)
		}
		return nil
	}

	log, err := store.VerifyLog(ctx, keys, external)
	if err != nil {
		return err
	}
	for _, p := range log.Problems {
		fmt.Fprintf(out, "BROKEN log: %s\n", p)
	}
	if log.Omitted > 0 {
		fmt.Fprintf(out, "BROKEN log: … and %d more problems\n", log.Omitted)
	}
	if len(keys) == 0 && log.Checkpoints > 0 {
		fmt.Fprintf(out, "no public key: pass --public-key FILE (casetrail checkpoint --public-key prints it) or CASETRAIL_CHECKPOINT_KEY_FILE\n")
	}
	fmt.Fprintf(out, "global chain: %d events up to position %d, head %s; %d checkpoints checked, anchored up to position %d\n",
		log.Events, log.Head, log.HeadHash, log.Checkpoints, log.Anchored)
	if log.OK() && log.Head > log.Anchored {
		fmt.Fprintf(out, "note: positions %d to %d are not covered by a signed checkpoint yet (casetrail checkpoint signs one)\n", log.Anchored+1, log.Head)
	}
	switch {
	case broken > 0 && !log.OK():
		return fmt.Errorf("%d hash chain(s) broken and the log does not verify (%d problems)", broken, len(log.Problems)+log.Omitted)
	case broken > 0:
		return fmt.Errorf("%d hash chain(s) broken", broken)
	case !log.OK():
		return fmt.Errorf("the log does not verify against its checkpoints (%d problems): it was changed behind the event store", len(log.Problems)+log.Omitted)
	}
	return nil
}

// checkpointer signs a checkpoint every `every` events or `interval`
// (whichever comes first, and only when there are new events) and once
// more on shutdown.
type checkpointer struct {
	store    *eventstore.Store
	key      ed25519.PrivateKey
	interval time.Duration
	every    int64
	log      *slog.Logger
}

// newCheckpointer reads CASETRAIL_CHECKPOINT_INTERVAL (a Go duration,
// default 10m; "off" disables signing) and CASETRAIL_CHECKPOINT_EVENTS
// (default 10000; 0 signs on the interval only) and loads or creates the
// key. It returns nil when signing is off.
func newCheckpointer(cfg Config, store *eventstore.Store, log *slog.Logger) (*checkpointer, error) {
	iv := env("CASETRAIL_CHECKPOINT_INTERVAL", defaultCheckpointInterval.String())
	if iv == "off" {
		log.Warn("signed checkpoints are off (CASETRAIL_CHECKPOINT_INTERVAL=off): the log is not anchored outside the database")
		return nil, nil
	}
	interval, err := time.ParseDuration(iv)
	if err != nil || interval <= 0 {
		return nil, fmt.Errorf("CASETRAIL_CHECKPOINT_INTERVAL=%q: want a positive Go duration (e.g. 10m) or off", iv)
	}
	every, err := strconv.ParseInt(env("CASETRAIL_CHECKPOINT_EVENTS", strconv.Itoa(defaultCheckpointEvents)), 10, 64)
	if err != nil || every < 0 {
		return nil, fmt.Errorf("CASETRAIL_CHECKPOINT_EVENTS: want a number of events >= 0")
	}
	key, err := loadOrCreateCheckpointKey(checkpointKeyPath(cfg))
	if err != nil {
		return nil, err
	}
	log.Info("signing checkpoints", "key", eventstore.KeyID(key.Public().(ed25519.PublicKey)),
		"interval", interval.String(), "events", every)
	return &checkpointer{store: store, key: key, interval: interval, every: every, log: log}, nil
}

// run signs until ctx ends, then signs a last checkpoint.
func (c *checkpointer) run(ctx context.Context) {
	poll := min(c.interval, 15*time.Second)
	t := time.NewTicker(poll)
	defer t.Stop()
	lastAt := time.Now()
	for {
		select {
		case <-ctx.Done():
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			c.maybeSign(sctx, true)
			cancel()
			return
		case <-t.C:
		}
		if c.maybeSign(ctx, time.Since(lastAt) >= c.interval) {
			lastAt = time.Now()
		}
	}
}

// maybeSign signs a checkpoint when there are events after the last one
// and either due is true or `every` of them have accumulated. It reports
// whether it signed.
func (c *checkpointer) maybeSign(ctx context.Context, due bool) bool {
	head, err := c.store.HeadPosition(ctx)
	if err != nil {
		if ctx.Err() == nil {
			c.log.Warn("checkpoint: read head", "err", err)
		}
		return false
	}
	last, ok, err := c.store.LastSignedCheckpoint(ctx)
	if err != nil {
		c.log.Warn("checkpoint: read last", "err", err)
		return false
	}
	var since int64 = head
	if ok {
		since = head - last.Position
	}
	if since <= 0 || !due && (c.every == 0 || since < c.every) {
		return false
	}
	cp, err := c.store.SignCheckpoint(ctx, c.key)
	if err != nil {
		// A refusal means the log no longer matches what was signed: say
		// it loudly, every time.
		c.log.Error("checkpoint not signed", "err", err)
		return false
	}
	c.log.Info("checkpoint signed", "seq", cp.Seq, "position", cp.Position, "streams", cp.Streams, "key", cp.KeyID)
	return true
}
