package main

// The case file (hồ sơ vụ việc, issue 16): the web interface's download,
// `casetrail export-case` for operators and `casetrail verify --bundle`,
// which checks one offline. See casefile/.

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"casetrail/casefile"
	"casetrail/eventstore/readmodel"
)

// caseFileBuilder makes the case files of this deployment.
func (a *app) caseFileBuilder() *casefile.Builder {
	return &casefile.Builder{Store: a.store, Units: a.registry}
}

// caseFile prepares the case file of caseID for the web interface, once
// the API has given the user its link: its name and the function that
// writes it.
func (a *app) caseFile(ctx context.Context, caseID string) (string, func(context.Context, io.Writer) error, error) {
	b, err := a.caseFileBuilder().Prepare(ctx, caseID)
	if err != nil {
		return "", nil, err
	}
	return b.FileName(), func(ctx context.Context, w io.Writer) error {
		_, err := b.WriteTo(ctx, w)
		return err
	}, nil
}

// exportCase runs `casetrail export-case --case ID --out FILE`: the case
// file written to FILE (created next to it and renamed into place when
// complete, so a failed export leaves no file that looks whole).
func exportCase(ctx context.Context, cfg Config, caseID, path string, out io.Writer) error {
	if caseID == "" || path == "" {
		return fmt.Errorf("export-case: --case ID and --out FILE are required")
	}
	store, err := prepareDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	a := &app{cfg: cfg, store: store, registry: readmodel.NewRegistry(store.Pool())}
	b, err := a.caseFileBuilder().Prepare(ctx, caseID)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("export-case: %w", err)
	}
	defer os.Remove(tmp.Name())
	m, err := b.WriteTo(ctx, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("export-case %s: %w", caseID, err)
	}
	anchored := "no signed checkpoint covers it yet (casetrail checkpoint signs one)"
	if c := m.Checkpoint; c != nil {
		anchored = fmt.Sprintf("checkpoint %d (position %d) anchors versions 1 to %d", c.Signed.Seq, c.Signed.Position, c.AnchoredVersion)
	}
	fmt.Fprintf(out, "case file of %s (%s) written to %s: %d files, %d events, head %s; %s\n",
		m.Number, m.CaseID, path, len(m.Files)+1, m.Head.Version, m.Head.Hash, anchored)
	return nil
}

// verifyBundle runs `casetrail verify --bundle FILE [--public-key FILE]`:
// the case file checked offline, no database. It prints what it checked
// and each thing that does not match, and fails when anything does not.
func verifyBundle(cfg Config, path, publicKeyFile string, out io.Writer) error {
	keys, err := verifyKeys(cfg, publicKeyFile)
	if err != nil {
		return err
	}
	rep, err := casefile.VerifyFile(path, keys)
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(out, "BROKEN %s\n", p)
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(out, "note: %s\n", n)
	}
	fmt.Fprintf(out, "case file of %s (%s): %d files, %d events, head version %d %s",
		rep.Number, rep.CaseID, rep.Files, rep.Events, rep.Head.Version, rep.Head.Hash)
	switch {
	case rep.Anchored > 0 && rep.CoversHead:
		fmt.Fprintf(out, "; the whole history anchored by a signed checkpoint\n")
	case rep.Anchored > 0:
		fmt.Fprintf(out, "; versions 1 to %d anchored by a signed checkpoint\n", rep.Anchored)
	default:
		fmt.Fprintf(out, "; not anchored\n")
	}
	if !rep.OK() {
		return fmt.Errorf("%w: %d problems", casefile.ErrBroken, len(rep.Problems))
	}
	fmt.Fprintf(out, "ok %s\n", path)
	return nil
}
