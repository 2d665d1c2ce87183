package casefile

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"mime"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"casetrail/documents"
	"casetrail/eventstore"
	"casetrail/incident"
)

// Store is what a case file is read from (eventstore.Store).
type Store interface {
	// ReadStream returns the stream's events from fromVersion (all when
	// limit <= 0); an unknown stream is eventstore.ErrNotFound.
	ReadStream(ctx context.Context, stream string, fromVersion int64, limit int) ([]eventstore.RecordedEvent, error)
	// GetBlob returns a stored blob by its hex SHA-256.
	GetBlob(ctx context.Context, sha256hex string) (mediaType string, content []byte, err error)
	// LastSignedCheckpoint returns the latest signed checkpoint.
	LastSignedCheckpoint(ctx context.Context) (eventstore.SignedCheckpoint, bool, error)
	// StreamHeadsAt returns every stream's head at a global position.
	StreamHeadsAt(ctx context.Context, pos int64) ([]eventstore.StreamHead, error)
}

// Registry names the units (readmodel.Registry).
type Registry interface {
	Units(ctx context.Context) ([]incident.Unit, error)
}

// Builder makes case files. It authorizes nobody: its callers (the web
// interface once the API allowed the user, the operator's command) do.
type Builder struct {
	Store Store
	// Units names the units in the summary (nil: by their ids).
	Units Registry
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Bundle is a case file ready to be written: everything read and rendered
// but the evidence and letters, which WriteTo reads one at a time.
type Bundle struct {
	store    Store
	manifest Manifest
	summary  []byte
	history  []byte
	blobs    []blobEntry
}

// blobEntry is an evidence file or a letter to copy from the blob store.
type blobEntry struct {
	name, sha256 string
	method       uint16
}

// FileName is the name a download of the case file takes:
// ho-so-VV-2026-000123.zip.
func (b *Bundle) FileName() string { return "ho-so-" + b.manifest.Number + ".zip" }

// Number is the case's number.
func (b *Bundle) Number() string { return b.manifest.Number }

// Prepare reads the case caseID (its stream, the latest signed checkpoint
// and the stream heads at its position) and renders its summary; nothing
// is written yet, so a failure here leaves no half file. An unknown case is
// NOT_FOUND.
func (bd *Builder) Prepare(ctx context.Context, caseID string) (*Bundle, error) {
	now := time.Now
	if bd.Now != nil {
		now = bd.Now
	}
	stream := incident.StreamOf(caseID)
	// The checkpoint first: every event at or before its position is
	// then among the events read after it.
	cp, haveCP, err := bd.Store.LastSignedCheckpoint(ctx)
	if err != nil {
		return nil, fmt.Errorf("case file %s: %w", caseID, err)
	}
	recs, err := bd.Store.ReadStream(ctx, stream, 1, 0)
	if errors.Is(err, eventstore.ErrNotFound) || err == nil && len(recs) == 0 {
		return nil, incident.Errorf(incident.CodeNotFound, "case %s not found", caseID)
	}
	if err != nil {
		return nil, fmt.Errorf("case file %s: %w", caseID, err)
	}
	var c incident.Case
	events := make([]incident.Event, len(recs))
	for i, r := range recs {
		e, err := incident.StoredEvent{ID: r.ID, Type: r.Type, Version: r.Version, Data: r.Data, Actor: r.Metadata.Actor,
			OccurredAt: r.OccurredAt, GlobalPosition: r.GlobalPosition}.Decode()
		if err == nil {
			err = incident.Apply(&c, e)
		}
		if err != nil {
			return nil, fmt.Errorf("case file %s: event %d (%s): %w", caseID, r.Version, r.Type, err)
		}
		events[i] = e
	}
	last := recs[len(recs)-1]
	b := &Bundle{store: bd.Store, manifest: Manifest{
		Format: Format, CaseID: c.ID, Number: c.Number, Stream: stream,
		GeneratedAt: now().UTC().Truncate(time.Second),
		Head:        Head{Version: last.Version, Hash: last.Hash, GlobalPosition: strconv.FormatInt(last.GlobalPosition, 10)},
		Files:       []File{}, Evidence: []EvidenceFile{}, Letters: []LetterFile{},
		Offline: offlineChecks, OnlineOnly: onlineOnlyChecks,
	}}
	if haveCP && cp.Position >= recs[0].GlobalPosition {
		if b.manifest.Checkpoint, err = anchor(ctx, bd.Store, cp, stream, recs); err != nil {
			return nil, fmt.Errorf("case file %s: %w", caseID, err)
		}
	}
	if b.history, err = historyLines(recs); err != nil {
		return nil, fmt.Errorf("case file %s: %w", caseID, err)
	}
	var tree *incident.UnitTree
	if bd.Units != nil {
		units, err := bd.Units.Units(ctx)
		if err != nil {
			return nil, fmt.Errorf("case file %s: %w", caseID, err)
		}
		tree = incident.NewUnitTree(units)
	}
	s, err := documents.CaseSummary(documents.SummaryInput{Case: c, Events: events, Units: tree,
		GeneratedAt: b.manifest.GeneratedAt, HeadHash: last.Hash, Anchor: anchorText(b.manifest.Checkpoint)})
	if err == nil {
		b.summary, err = documents.RenderSummaryPDF(s)
	}
	if err != nil {
		return nil, fmt.Errorf("case file %s: summary: %w", caseID, err)
	}
	b.collectBlobs(events)
	return b, nil
}

// anchor ties cp to the stream: its head at cp's position, which must be
// among recs, and the Merkle path to the root cp signed. Heads that do not
// give that root mean the log was changed behind the store since cp was
// signed: no case file then, but an error saying so.
func anchor(ctx context.Context, store Store, cp eventstore.SignedCheckpoint, stream string, recs []eventstore.RecordedEvent) (*Checkpoint, error) {
	heads, err := store.StreamHeadsAt(ctx, cp.Position)
	if err != nil {
		return nil, err
	}
	head, proof, root, err := eventstore.ProveStream(heads, stream)
	if err != nil {
		return nil, err
	}
	if root != cp.StreamRoot || proof.Leaves != cp.Streams {
		return nil, fmt.Errorf("the stream heads at position %d do not give the root checkpoint %d signed: the log was changed (run casetrail verify)",
			cp.Position, cp.Seq)
	}
	if head.Version < 1 || head.Version > int64(len(recs)) || recs[head.Version-1].Hash != head.Hash {
		return nil, fmt.Errorf("the stream's head at position %d (version %d) is not the event read", cp.Position, head.Version)
	}
	return &Checkpoint{Signed: cp, AnchoredVersion: head.Version, AnchoredHash: head.Hash,
		CoversHead: head.Version == recs[len(recs)-1].Version, Proof: proof}, nil
}

// anchorText is the summary's sentence on the checkpoint.
func anchorText(c *Checkpoint) string {
	if c == nil {
		return ""
	}
	s := fmt.Sprintf("điểm kiểm tra số %d, ký lúc %s (giờ Việt Nam) bằng khóa %s tại vị trí %d của nhật ký chung, bao gồm lịch sử đến sự kiện %d",
		c.Signed.Seq, c.Signed.CreatedAt.In(documents.Vietnam).Format("15:04 02/01/2006"), c.Signed.KeyID, c.Signed.Position, c.AnchoredVersion)
	if c.CoversHead {
		return s + " (toàn bộ lịch sử)."
	}
	return s + "; các sự kiện sau đó chưa có điểm kiểm tra ký số."
}

// historyLines renders recs as history.jsonl.
func historyLines(recs []eventstore.RecordedEvent) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // the data as stored, not re-escaped
	for _, r := range recs {
		data := r.Data
		if len(data) == 0 {
			data = json.RawMessage(`{}`)
		}
		if err := enc.Encode(HistoryEvent{
			ID: r.ID, Stream: r.Stream, Version: r.Version, GlobalPosition: strconv.FormatInt(r.GlobalPosition, 10),
			Type: r.Type, SchemaVersion: r.SchemaVersion,
			OccurredAt: r.OccurredAt.UTC().Format(time.RFC3339Nano), RecordedAt: r.RecordedAt.UTC().Format(time.RFC3339Nano),
			Actor: r.Metadata.Actor, CorrelationID: r.Metadata.CorrelationID, CausationID: r.Metadata.CausationID, Reason: r.Metadata.Reason,
			Data: data, PrevHash: r.PrevHash, Hash: r.Hash,
		}); err != nil {
			return nil, fmt.Errorf("history: version %d: %w", r.Version, err)
		}
	}
	return buf.Bytes(), nil
}

// collectBlobs lists the evidence files (once per content) and the
// letters the events record.
func (b *Bundle) collectBlobs(events []incident.Event) {
	m := &b.manifest
	files := map[string]string{} // sha256 -> file
	for _, e := range events {
		switch p := e.Data.(type) {
		case incident.EvidenceAdded:
			name, ok := files[p.SHA256]
			if !ok {
				name = EvidenceDir + p.SHA256 + "-" + SafeName(p.Description, p.MediaType)
				files[p.SHA256] = name
				b.blobs = append(b.blobs, blobEntry{name: name, sha256: p.SHA256, method: methodFor(p.MediaType)})
			}
			m.Evidence = append(m.Evidence, EvidenceFile{ID: p.EvidenceID, SHA256: p.SHA256, MediaType: p.MediaType, File: name})
		case incident.EscalationSent:
			l := p.Letter()
			if l == nil {
				continue
			}
			base := LettersDir + "cong-van-" + strings.NewReplacer("/", "-", " ", "").Replace(l.DispatchNumber())
			for _, f := range []struct{ format, sum string }{{"pdf", l.SHA256}, {"docx", l.DOCXSHA256}} {
				if f.sum == "" {
					continue
				}
				name := base + "." + f.format
				if _, dup := files[f.sum]; !dup {
					files[f.sum] = name
					b.blobs = append(b.blobs, blobEntry{name: name, sha256: f.sum, method: zip.Store})
				}
				m.Letters = append(m.Letters, LetterFile{DispatchNumber: l.DispatchNumber(), Format: f.format, SHA256: f.sum, File: files[f.sum]})
			}
		}
	}
}

// methodFor is how an evidence file is stored in the ZIP: compressed when
// its type is text, as it is when it is compressed already.
func methodFor(mediaType string) uint16 {
	t, _, _ := mime.ParseMediaType(mediaType)
	if strings.HasPrefix(t, "text/") || strings.HasSuffix(t, "+xml") || strings.HasSuffix(t, "+json") ||
		t == "application/json" || t == "application/xml" || t == "message/rfc822" {
		return zip.Deflate
	}
	return zip.Store
}

// SafeName is the name part of an evidence file: its description with
// anything but letters, digits, '.', '-' and '_' made '-', NFC, at most 60
// characters, with the usual extension of its media type when it has none;
// "chung-cu" when nothing is left.
func SafeName(description, mediaType string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFC.String(strings.TrimSpace(description)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' || r == '-' {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	name := strings.Trim(b.String(), "-.")
	if rs := []rune(name); len(rs) > 60 {
		name = strings.TrimRight(string(rs[:60]), "-.")
	}
	if name == "" {
		name = "chung-cu"
	}
	if path.Ext(name) == "" {
		t, _, _ := mime.ParseMediaType(mediaType)
		if ext := extensions[t]; ext != "" {
			name += ext
		} else if exts, _ := mime.ExtensionsByType(t); len(exts) > 0 {
			name += exts[0]
		}
	}
	return name
}

// extensions gives the usual extension of common evidence types (mime's
// table has several for some, in no fixed order).
var extensions = map[string]string{
	"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
	"application/pdf": ".pdf", "text/html": ".html", "text/plain": ".txt", "video/mp4": ".mp4",
	"application/zip": ".zip", "message/rfc822": ".eml", "application/json": ".json",
}

// WriteTo writes the case file to w as a ZIP: the summary, the history,
// the evidence and the letters (each read from the blob store when its
// turn comes, so no more than one is held at once), then the manifest. It
// returns the manifest written. A failure after the first byte leaves w
// with a truncated ZIP, which Verify refuses.
func (b *Bundle) WriteTo(ctx context.Context, w io.Writer) (Manifest, error) {
	m := b.manifest
	m.Files = []File{}
	zw := zip.NewWriter(w)
	put := func(name string, method uint16, content []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: m.GeneratedAt})
		if err != nil {
			return err
		}
		h := sha256.New()
		if _, err := io.MultiWriter(fw, h).Write(content); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		m.Files = append(m.Files, File{Name: name, SHA256: sum(h), Size: int64(len(content))})
		return nil
	}
	if err := put(SummaryName, zip.Deflate, b.summary); err != nil {
		return m, err
	}
	if err := put(HistoryName, zip.Deflate, b.history); err != nil {
		return m, err
	}
	for _, e := range b.blobs {
		_, content, err := b.store.GetBlob(ctx, e.sha256)
		if err != nil {
			return m, fmt.Errorf("case file %s: %s: %w", m.Number, e.name, err)
		}
		if err := put(e.name, e.method, content); err != nil {
			return m, err
		}
	}
	man, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: ManifestName, Method: zip.Deflate, Modified: m.GeneratedAt})
	if err == nil {
		_, err = fw.Write(append(man, '\n'))
	}
	if err == nil {
		err = zw.Close()
	}
	return m, err
}

func sum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }
