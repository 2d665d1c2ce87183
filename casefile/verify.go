package casefile

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"casetrail/eventstore"
	"casetrail/incident"
)

// Report is what Verify found in a case file.
type Report struct {
	CaseID, Number string
	Files          int   // files checked against the manifest
	Events         int   // events of history.jsonl
	Head           Head  // as history.jsonl ends
	Anchored       int64 // the version a verified checkpoint covers (0: none)
	CoversHead     bool  // Anchored is the head
	// Problems names each thing that does not match, one sentence each;
	// empty when the case file verifies.
	Problems []string
	// Notes say what was not checked and why (no checkpoint, events
	// after it).
	Notes []string
}

// OK reports whether nothing is wrong.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// VerifyFile verifies the case file at path (see Verify).
func VerifyFile(path string, keys []ed25519.PublicKey) (Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return Report{}, fmt.Errorf("case file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Report{}, fmt.Errorf("case file: %w", err)
	}
	return Verify(f, st.Size(), keys)
}

// Verify checks a case file offline with the checkpoint public keys given
// (see the package documentation and Manifest.Offline). The error is for a
// file that is no ZIP at all; everything else that does not match is a
// problem of the report.
func Verify(r io.ReaderAt, size int64, keys []ed25519.PublicKey) (Report, error) {
	var rep Report
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return rep, fmt.Errorf("case file: not a ZIP file: %w", err)
	}
	files := map[string]*zip.File{}
	var names []string
	for _, f := range zr.File {
		if _, dup := files[f.Name]; dup {
			rep.problem("%s appears twice in the ZIP", f.Name)
			continue
		}
		files[f.Name] = f
		names = append(names, f.Name)
	}

	mf, ok := files[ManifestName]
	if !ok {
		rep.problem("%s is missing: there is nothing to check the files against", ManifestName)
		return rep, nil
	}
	raw, err := readAll(mf)
	if err != nil {
		rep.problem("%s cannot be read: %v", ManifestName, err)
		return rep, nil
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		rep.problem("%s is not a case file manifest: %v", ManifestName, err)
		return rep, nil
	}
	if m.Format != Format {
		rep.problem("%s: format %q, this verifier reads %q", ManifestName, m.Format, Format)
		return rep, nil
	}
	rep.CaseID, rep.Number = m.CaseID, m.Number

	// Every file against the manifest; the hashes of the contents kept for
	// the checks against the history.
	listed := map[string]File{}
	for _, f := range m.Files {
		if _, dup := listed[f.Name]; dup {
			rep.problem("%s: %s is listed twice", ManifestName, f.Name)
		}
		listed[f.Name] = f
	}
	content := map[string]string{} // name -> SHA-256 of what the ZIP holds
	for _, name := range names {
		if name == ManifestName {
			continue
		}
		want, inManifest := listed[name]
		sum, n, err := hashFile(files[name])
		if err != nil {
			rep.problem("%s cannot be read: %v", name, err)
			continue
		}
		content[name] = sum
		rep.Files++
		switch {
		case !inManifest:
			rep.problem("%s is not in the manifest: a file was added", name)
		case sum != want.SHA256:
			rep.problem("%s: its SHA-256 is %s, the manifest says %s: the file was changed", name, sum, want.SHA256)
		case n != want.Size:
			rep.problem("%s: %d bytes, the manifest says %d", name, n, want.Size)
		}
	}
	for _, f := range m.Files {
		if _, ok := files[f.Name]; !ok {
			rep.problem("%s is in the manifest but not in the ZIP: a file was removed", f.Name)
		}
	}

	hf, ok := files[HistoryName]
	if !ok {
		rep.problem("%s is missing: the history cannot be checked", HistoryName)
		return rep, nil
	}
	hist, err := readAll(hf)
	if err != nil {
		rep.problem("%s cannot be read: %v", HistoryName, err)
		return rep, nil
	}
	events, recs := checkHistory(&rep, m, hist)
	rep.Events = len(recs)
	checkBlobs(&rep, names, content, events)
	checkCheckpoint(&rep, m, recs, keys)
	return rep, nil
}

// readAll reads a file of the ZIP (its CRC-32 checked).
func readAll(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// hashFile returns the SHA-256 and size of a file of the ZIP, read as a
// stream.
func hashFile(f *zip.File) (string, int64, error) {
	rc, err := f.Open()
	if err != nil {
		return "", 0, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return "", n, err
	}
	return sum(h), n, nil
}

// historyRec is a line of history.jsonl as read: the event the store
// holds, its global position and line.
type historyRec struct {
	eventstore.RecordedEvent
	line int
}

// checkHistory recomputes history.jsonl's chain with the store's code,
// compares its end with the manifest's head and folds it. It returns the
// events it could decode and every line it could read.
func checkHistory(rep *Report, m Manifest, hist []byte) ([]incident.Event, []historyRec) {
	var recs []historyRec
	sc := bufio.NewScanner(bytes.NewReader(hist))
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	n := 0
	for sc.Scan() {
		n++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			rep.problem("%s line %d is empty", HistoryName, n)
			continue
		}
		rec, err := parseHistoryLine(sc.Bytes())
		if err != nil {
			rep.problem("%s line %d: %v", HistoryName, n, err)
			continue
		}
		rec.line = n
		recs = append(recs, rec)
	}
	if err := sc.Err(); err != nil {
		rep.problem("%s: %v", HistoryName, err)
	}
	if len(recs) == 0 {
		rep.problem("%s holds no event", HistoryName)
		return nil, nil
	}

	var c incident.Case
	var events []incident.Event
	prevHash, prevVersion, prevPos := strings.Repeat("0", 64), int64(0), int64(0)
	foldOK := true
	for _, r := range recs {
		at := fmt.Sprintf("%s line %d (version %d, %s)", HistoryName, r.line, r.Version, r.Type)
		if r.Stream != m.Stream {
			rep.problem("%s: stream %q, the case file is of %q", at, r.Stream, m.Stream)
		}
		if r.Version <= prevVersion {
			rep.problem("%s follows version %d: the versions repeat or go back", at, prevVersion)
		} else if r.Version != prevVersion+1 {
			rep.problem("%s follows version %d: %s missing or out of order", at, prevVersion, versionSpan(prevVersion+1, r.Version-1))
		}
		if r.PrevHash != prevHash {
			rep.problem("%s: its prevHash %s is not the hash %s of the event before it: the chain is broken here", at, short(r.PrevHash), short(prevHash))
		}
		got, err := eventstore.ChainHash(r.PrevHash, r.RecordedEvent)
		switch {
		case err != nil:
			rep.problem("%s: the hash cannot be recomputed: %v", at, err)
		case got != r.Hash:
			rep.problem("%s: its fields hash to %s, not to its stored hash %s: the event was changed", at, short(got), short(r.Hash))
		}
		if r.GlobalPosition <= prevPos {
			rep.problem("%s: global position %d does not rise after %d", at, r.GlobalPosition, prevPos)
		}
		prevHash, prevVersion, prevPos = r.Hash, r.Version, r.GlobalPosition
		if !foldOK {
			continue
		}
		e, err := incident.StoredEvent{ID: r.ID, Type: r.Type, Version: r.Version, Data: r.Data, Actor: r.Metadata.Actor,
			OccurredAt: r.OccurredAt, GlobalPosition: r.GlobalPosition}.Decode()
		if err == nil {
			err = incident.Apply(&c, e)
		}
		if err != nil {
			rep.problem("%s: the case cannot be folded from it: %v", at, err)
			foldOK = false
			continue
		}
		events = append(events, e)
	}
	last := recs[len(recs)-1]
	rep.Head = Head{Version: last.Version, Hash: last.Hash, GlobalPosition: strconv.FormatInt(last.GlobalPosition, 10)}
	if last.Version != m.Head.Version || last.Hash != m.Head.Hash {
		rep.problem("the manifest's head is version %d with hash %s, but %s ends at version %d with hash %s",
			m.Head.Version, short(m.Head.Hash), HistoryName, last.Version, short(last.Hash))
	}
	if foldOK && (c.ID != m.CaseID || c.Number != m.Number) {
		rep.problem("the history is of case %s (%s), the manifest names case %s (%s)", c.ID, c.Number, m.CaseID, m.Number)
	}
	return events, recs
}

// parseHistoryLine reads one line of history.jsonl, every field present.
func parseHistoryLine(line []byte) (historyRec, error) {
	var h HistoryEvent
	var present map[string]json.RawMessage
	if err := json.Unmarshal(line, &present); err != nil {
		return historyRec{}, fmt.Errorf("not a JSON object: %v", err)
	}
	for _, k := range []string{"id", "stream", "version", "globalPosition", "type", "schemaVersion", "occurredAt", "recordedAt",
		"actor", "correlationId", "causationId", "reason", "data", "prevHash", "hash"} {
		if _, ok := present[k]; !ok {
			return historyRec{}, fmt.Errorf("the field %q is missing", k)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return historyRec{}, err
	}
	occurred, err := time.Parse(time.RFC3339Nano, h.OccurredAt)
	if err != nil {
		return historyRec{}, fmt.Errorf("occurredAt: %v", err)
	}
	recorded, err := time.Parse(time.RFC3339Nano, h.RecordedAt)
	if err != nil {
		return historyRec{}, fmt.Errorf("recordedAt: %v", err)
	}
	pos, err := strconv.ParseInt(h.GlobalPosition, 10, 64)
	if err != nil {
		return historyRec{}, fmt.Errorf("globalPosition %q is not a decimal integer", h.GlobalPosition)
	}
	return historyRec{RecordedEvent: eventstore.RecordedEvent{
		ID: h.ID, Stream: h.Stream, Version: h.Version, Type: h.Type, SchemaVersion: h.SchemaVersion, Data: h.Data,
		Metadata:   eventstore.Metadata{Actor: h.Actor, CorrelationID: h.CorrelationID, CausationID: h.CausationID, Reason: h.Reason},
		OccurredAt: occurred, RecordedAt: recorded, GlobalPosition: pos, PrevHash: h.PrevHash, Hash: h.Hash,
	}}, nil
}

// checkBlobs compares the evidence and letter files with the SHA-256 their
// events record: each recorded one has a file holding exactly it, and
// every file under evidence/ and letters/ is one of them.
func checkBlobs(rep *Report, names []string, content map[string]string, events []incident.Event) {
	type recorded struct{ what string }
	want := map[string]recorded{} // SHA-256 -> what records it
	for _, e := range events {
		switch p := e.Data.(type) {
		case incident.EvidenceAdded:
			want[p.SHA256] = recorded{fmt.Sprintf("evidence %s (version %d)", p.EvidenceID, e.Version)}
		case incident.EscalationSent:
			if l := p.Letter(); l != nil {
				want[l.SHA256] = recorded{fmt.Sprintf("letter %s as PDF (version %d)", l.DispatchNumber(), e.Version)}
				if l.DOCXSHA256 != "" {
					want[l.DOCXSHA256] = recorded{fmt.Sprintf("letter %s as DOCX (version %d)", l.DispatchNumber(), e.Version)}
				}
			}
		}
	}
	found := map[string]bool{}
	for _, name := range names {
		isEvidence, isLetter := strings.HasPrefix(name, EvidenceDir), strings.HasPrefix(name, LettersDir)
		got, read := content[name]
		if !isEvidence && !isLetter || !read {
			continue
		}
		if isEvidence {
			named, _, _ := strings.Cut(strings.TrimPrefix(name, EvidenceDir), "-")
			if named != got {
				rep.problem("%s: its content hashes to %s, not to the SHA-256 %s its name gives: the file was changed", name, short(got), short(named))
			}
		}
		if _, ok := want[got]; !ok {
			rep.problem("%s: no event of the history records its SHA-256 %s", name, short(got))
			continue
		}
		found[got] = true
	}
	var missing []string
	for sum, r := range want {
		if !found[sum] {
			missing = append(missing, fmt.Sprintf("%s records SHA-256 %s, and no file holds it", r.what, short(sum)))
		}
	}
	sort.Strings(missing)
	for _, s := range missing {
		rep.problem("%s", s)
	}
}

// checkCheckpoint checks the checkpoint's signature and the path from the
// history's event at the anchored version to the signed stream root.
func checkCheckpoint(rep *Report, m Manifest, recs []historyRec, keys []ed25519.PublicKey) {
	cp := m.Checkpoint
	if cp == nil {
		rep.Notes = append(rep.Notes, "no signed checkpoint covers this case: the history is checked against its own hash chain only")
		return
	}
	s := cp.Signed
	name := fmt.Sprintf("checkpoint %d (position %d)", s.Seq, s.Position)
	i := slices.IndexFunc(keys, func(k ed25519.PublicKey) bool { return eventstore.KeyID(k) == s.KeyID })
	if i < 0 {
		rep.problem("%s is signed by key %s, which is not among the public keys given (--public-key FILE): its signature is not checked", name, s.KeyID)
		return
	}
	if err := s.VerifySignature(keys[i]); err != nil {
		rep.problem("%s: %v: the checkpoint was altered or forged", name, err)
		return
	}
	j := slices.IndexFunc(recs, func(r historyRec) bool { return r.Version == cp.AnchoredVersion })
	if j < 0 {
		rep.problem("%s anchors version %d, which %s does not hold", name, cp.AnchoredVersion, HistoryName)
		return
	}
	before := len(rep.Problems)
	r := recs[j]
	if r.Hash != cp.AnchoredHash {
		rep.problem("%s anchors version %d with hash %s, but %s has %s there", name, cp.AnchoredVersion, short(cp.AnchoredHash), HistoryName, short(r.Hash))
	}
	if cp.Proof.Leaves != s.Streams {
		rep.problem("%s: the path is for %d stream heads, the checkpoint signed %d", name, cp.Proof.Leaves, s.Streams)
		return
	}
	root, err := cp.Proof.RootOf(eventstore.StreamHead{Stream: m.Stream, Version: r.Version, Hash: r.Hash})
	switch {
	case err != nil:
		rep.problem("%s: the Merkle path is malformed: %v", name, err)
		return
	case root != s.StreamRoot:
		rep.problem("%s: version %d of the history with its hash gives stream root %s, the checkpoint signed %s: the history is not the one signed",
			name, r.Version, short(root), short(s.StreamRoot))
		return
	}
	if r.GlobalPosition > s.Position || j+1 < len(recs) && recs[j+1].GlobalPosition <= s.Position {
		rep.problem("%s: the global positions of %s do not put version %d last at or before position %d", name, HistoryName, r.Version, s.Position)
	}
	if len(rep.Problems) > before {
		return
	}
	rep.Anchored, rep.CoversHead = r.Version, r.Version == rep.Head.Version
	if cp.CoversHead != rep.CoversHead {
		rep.problem("%s: the manifest says it covers the head: %v, but it anchors version %d of %d", name, cp.CoversHead, r.Version, rep.Head.Version)
	}
	if !rep.CoversHead {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%s of the history came after %s: only the stream's hash chain covers them",
			versionSpan(r.Version+1, rep.Head.Version), name))
	}
}

// versionSpan is "version 5" or "versions 5 to 9".
func versionSpan(from, to int64) string {
	if from >= to {
		return "version " + strconv.FormatInt(from, 10)
	}
	return fmt.Sprintf("versions %d to %d", from, to)
}

// short abbreviates a hex hash for messages.
func short(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return h
}

// ErrBroken is returned (wrapped) by callers when a case file does not
// verify.
var ErrBroken = errors.New("the case file does not verify")
