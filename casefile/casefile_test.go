package casefile_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"casetrail/casefile"
	"casetrail/eventstore"
	"casetrail/incident"
)

// now is the fixed clock of the case files made here.
var now = time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC) // 10:00 in Vietnam

// buildCaseFile writes the case file of caseID as the web interface and
// the operator's command do.
func buildCaseFile(t *testing.T, store *eventstore.Store, caseID string) ([]byte, casefile.Manifest) {
	t.Helper()
	b := &casefile.Builder{Store: store, Units: registry{}, Now: func() time.Time { return now }}
	bd, err := b.Prepare(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	m, err := bd.WriteTo(context.Background(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), m
}

func verify(t *testing.T, b []byte, keys ...ed25519.PublicKey) casefile.Report {
	t.Helper()
	rep, err := casefile.Verify(bytes.NewReader(b), int64(len(b)), keys)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func shaHex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// pdfText reads a PDF with pdftotext (Debian poppler-utils).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext is not installed; install the Debian package poppler-utils (.ci/run does it when missing)")
	}
	p := filepath.Join(t.TempDir(), "summary.pdf")
	if err := os.WriteFile(p, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "-layout", "-enc", "UTF-8", p, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return regexp.MustCompile(`[ \t]+`).ReplaceAllString(string(out), " ")
}

// TestCaseFile: the case file of the fixture case, with a checkpoint
// signed after its last event, holds the summary, the history, both
// pieces of evidence under their SHA-256 and the letter as PDF and DOCX,
// then the manifest; it verifies with the public key, the whole history
// anchored; the summary reads back through pdftotext with the case's
// number and its diacritics.
func TestCaseFile(t *testing.T) {
	f := newFixture(t)
	cp := f.sign(t)
	b, m := f.build(t)

	var names []string
	for _, e := range entries(t, b) {
		names = append(names, e.name)
	}
	want := []string{"summary.pdf", "history.jsonl",
		"evidence/" + f.evid[0] + "-anh-chup-trang-gia-mao.png",
		"evidence/" + f.evid[1] + "-Bản-ghi-lời-bài-đăng.txt",
		"letters/cong-van-05-UBND-VHTT.pdf", "letters/cong-van-05-UBND-VHTT.docx",
		"manifest.json"}
	if !slices.Equal(names, want) {
		t.Fatalf("files\n%q\nwant\n%q", names, want)
	}
	es := entries(t, b)
	if !bytes.Equal(es[2].content, screenshot) || !bytes.Equal(es[3].content, transcript) {
		t.Error("the evidence files do not hold the evidence")
	}
	var onDisk casefile.Manifest
	if err := json.Unmarshal(es[len(es)-1].content, &onDisk); err != nil {
		t.Fatal(err)
	}
	if onDisk.CaseID != "c-fixture" || onDisk.Number != "VV-2026-000123" || onDisk.Head.Version != f.c.c.Version ||
		len(onDisk.Files) != 6 || len(onDisk.Evidence) != 2 || len(onDisk.Letters) != 2 || onDisk.Checkpoint == nil ||
		onDisk.Format != casefile.Format || !onDisk.GeneratedAt.Equal(now) || len(onDisk.Offline) == 0 || len(onDisk.OnlineOnly) == 0 {
		t.Fatalf("manifest %+v", onDisk)
	}
	for i, e := range es[:len(es)-1] {
		if fm := onDisk.Files[i]; fm.Name != e.name || fm.SHA256 != shaHex(e.content) || fm.Size != int64(len(e.content)) {
			t.Errorf("manifest file %d %+v; the ZIP holds %s (%d bytes, %s)", i, fm, e.name, len(e.content), shaHex(e.content))
		}
	}
	c := onDisk.Checkpoint
	if c.Signed.Seq != cp.Seq || c.Signed.Signature != cp.Signature || c.Signed.StreamRoot != cp.StreamRoot || !c.CoversHead ||
		c.AnchoredVersion != f.c.c.Version || c.Proof.Leaves != 5 || c.Signed.KeyID != eventstore.KeyID(f.pub()) {
		t.Errorf("checkpoint %+v; want checkpoint %d over the head among 5 streams", c, cp.Seq)
	}
	if m.Head != onDisk.Head {
		t.Errorf("WriteTo answered head %+v, wrote %+v", m.Head, onDisk.Head)
	}

	rep := verify(t, b, f.pub())
	if !rep.OK() || rep.Events != int(f.c.c.Version) || rep.Files != 6 || rep.Anchored != f.c.c.Version || !rep.CoversHead || len(rep.Notes) != 0 {
		t.Fatalf("report %+v; want a clean case file anchored at its head", rep)
	}

	// history.jsonl holds each event as stored.
	stored, err := f.store.ReadStream(context.Background(), "case-c-fixture", 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(es[1].content), "\n"), "\n")
	if len(lines) != len(stored) {
		t.Fatalf("%d lines of history for %d events", len(lines), len(stored))
	}
	for i, l := range lines {
		var h casefile.HistoryEvent
		if err := json.Unmarshal([]byte(l), &h); err != nil {
			t.Fatal(err)
		}
		s := stored[i]
		if h.ID != s.ID || h.Version != s.Version || h.Hash != s.Hash || h.PrevHash != s.PrevHash || string(h.Data) != string(s.Data) ||
			h.Actor != s.Metadata.Actor || h.CorrelationID != s.Metadata.CorrelationID || h.Type != s.Type {
			t.Errorf("line %d %+v; stored %+v", i+1, h, s)
		}
	}

	text := pdfText(t, es[0].content)
	for _, w := range []string{"HỒ SƠ VỤ VIỆC", "Số vụ việc VV-2026-000123", "Trang giả mạo UBND xã Tân Uyên thu phí làm hồ sơ đất đai",
		"Đơn vị: Tân Uyên", "Trạng thái: Đã chuyển cấp trên", "Công văn: Số: 05/UBND-VHTT", "SHA-256: " + f.evid[0],
		"Kết luận: Sai sự thật", onDisk.Head.Hash, "khóa " + cp.KeyID, "(toàn bộ lịch sử)",
		"08:30 01/12/2026 — Tiếp nhận phản ánh", "Lập lúc 10:00 05/12/2026"} {
		if !strings.Contains(text, w) {
			t.Errorf("summary.pdf lacks %q", w)
		}
	}
	if !norm.NFC.IsNormalString(text) || strings.ContainsRune(text, '\uFFFD') {
		t.Error("the summary's diacritics came apart")
	}
	if t.Failed() {
		t.Logf("summary.pdf:\n%s", text)
	}
}

// TestCaseFileTampering: every edit is named. The editor who also
// rewrites the manifest is caught by the history's chain and the evidence's
// recorded SHA-256; the one who recomputes the chain too is caught by the
// signed checkpoint.
func TestCaseFileTampering(t *testing.T) {
	f := newFixture(t)
	f.sign(t)
	orig, _ := f.build(t)
	head := f.c.c.Version
	if rep := verify(t, orig, f.pub()); !rep.OK() {
		t.Fatalf("the untouched case file: %v", rep.Problems)
	}
	// edit changes the files; withManifest also rewrites the manifest's
	// list of files to match, as a careful editor would.
	edit := func(fn func(es []entry) []entry, withManifest bool, fix ...func(m *casefile.Manifest)) []byte {
		es := fn(entries(t, orig))
		mi := slices.IndexFunc(es, func(e entry) bool { return e.name == casefile.ManifestName })
		if mi >= 0 && (withManifest || len(fix) > 0) {
			var m casefile.Manifest
			if err := json.Unmarshal(es[mi].content, &m); err != nil {
				t.Fatal(err)
			}
			if withManifest {
				m.Files = nil
				for _, e := range es {
					if e.name != casefile.ManifestName {
						m.Files = append(m.Files, casefile.File{Name: e.name, SHA256: shaHex(e.content), Size: int64(len(e.content))})
					}
				}
			}
			for _, fx := range fix {
				fx(&m)
			}
			b, err := json.MarshalIndent(m, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			es[mi].content = b
		}
		return rezip(t, es)
	}
	named := func(name string) func(es []entry) int {
		return func(es []entry) int {
			return slices.IndexFunc(es, func(e entry) bool { return strings.HasPrefix(e.name, name) })
		}
	}
	evidence, history := named("evidence/"+f.evid[0]), named("history.jsonl")
	historyLines := func(es []entry) []string {
		return strings.Split(strings.TrimSuffix(string(es[history(es)].content), "\n"), "\n")
	}
	setHistory := func(es []entry, lines []string) {
		es[history(es)].content = []byte(strings.Join(lines, "\n") + "\n")
	}
	// editPayload changes the title in CaseReported (line 1).
	editPayload := func(es []entry) []entry {
		lines := historyLines(es)
		lines[0] = strings.Replace(lines[0], "thu phí làm hồ sơ", "thu lệ phí hồ sơ", 1)
		setHistory(es, lines)
		return es
	}
	ev := "evidence/" + f.evid[0] + "-anh-chup-trang-gia-mao.png"
	var rewrittenHead string // the head of the history whose chain an editor recomputed

	for _, tc := range []struct {
		name string
		b    []byte
		keys []ed25519.PublicKey
		want []string
	}{
		{"a byte of evidence", edit(func(es []entry) []entry {
			i := evidence(es)
			es[i].content = bytes.Clone(es[i].content)
			es[i].content[10] ^= 1
			return es
		}, false), nil, []string{
			ev + ": its SHA-256 is ",
			"the manifest says " + f.evid[0] + ": the file was changed",
			ev + ": its content hashes to ",
			ev + ": no event of the history records its SHA-256",
			"evidence EV-1 (version ",
		}},
		{"a byte of evidence, manifest rewritten", edit(func(es []entry) []entry {
			i := evidence(es)
			es[i].content = append(bytes.Clone(es[i].content), '!')
			return es
		}, true), nil, []string{
			ev + ": its content hashes to ", "not to the SHA-256 " + f.evid[0][:16] + "… its name gives",
			"records SHA-256 " + f.evid[0][:16] + "…, and no file holds it",
		}},
		{"a payload of the history", edit(editPayload, false), nil, []string{
			"history.jsonl: its SHA-256 is ",
			"history.jsonl line 1 (version 1, CaseReported): its fields hash to ",
			"not to its stored hash",
		}},
		{"a payload of the history, manifest rewritten", edit(editPayload, true), nil, []string{
			"history.jsonl line 1 (version 1, CaseReported): its fields hash to ",
		}},
		{"a line of the history dropped", edit(func(es []entry) []entry {
			lines := historyLines(es)
			setHistory(es, slices.Delete(lines, 4, 5))
			return es
		}, true), nil, []string{
			"history.jsonl line 5 (version 6, ",
			"follows version 4: version 5 missing or out of order",
			"its prevHash ",
		}},
		{"the last line of the history dropped", edit(func(es []entry) []entry {
			lines := historyLines(es)
			setHistory(es, lines[:len(lines)-1])
			return es
		}, true), nil, []string{
			fmt.Sprintf("the manifest's head is version %d", head),
			fmt.Sprintf("history.jsonl ends at version %d", head-1),
			"letters/cong-van-05-UBND-VHTT.pdf: no event of the history records its SHA-256",
			fmt.Sprintf("anchors version %d, which history.jsonl does not hold", head),
		}},
		{"the manifest's head", edit(func(es []entry) []entry { return es }, false, func(m *casefile.Manifest) {
			m.Head.Hash = strings.Repeat("ab", 32)
		}), nil, []string{fmt.Sprintf("the manifest's head is version %d with hash abababababababab…, but history.jsonl ends at version %[1]d with hash ", head)}},
		{"a file added", edit(func(es []entry) []entry {
			return append(es, entry{"evidence/extra.txt", []byte("thêm")})
		}, false), nil, []string{"evidence/extra.txt is not in the manifest: a file was added", "evidence/extra.txt: no event of the history records"}},
		{"a letter removed", edit(func(es []entry) []entry {
			return slices.DeleteFunc(es, func(e entry) bool { return strings.HasSuffix(e.name, ".docx") })
		}, false), nil, []string{
			"letters/cong-van-05-UBND-VHTT.docx is in the manifest but not in the ZIP: a file was removed",
			fmt.Sprintf("letter 05/UBND-VHTT as DOCX (version %d) records SHA-256", head),
		}},
		{"another key", orig, []ed25519.PublicKey{ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32)).Public().(ed25519.PublicKey)}, []string{
			"is signed by key " + eventstore.KeyID(f.pub()) + ", which is not among the public keys given",
		}},
		{"the checkpoint's root", edit(func(es []entry) []entry { return es }, false, func(m *casefile.Manifest) {
			m.Checkpoint.Signed.StreamRoot = strings.Repeat("cd", 32)
		}), nil, []string{"signature does not verify: the checkpoint was altered or forged"}},
		{"the chain recomputed after an edit", edit(func(es []entry) []entry {
			// The editor changes a payload and recomputes every hash with
			// the store's own code: the chain holds, the checkpoint's
			// path does not.
			lines := historyLines(es)
			prev := strings.Repeat("0", 64)
			for i, l := range lines {
				var h casefile.HistoryEvent
				if err := json.Unmarshal([]byte(l), &h); err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					h.Data = json.RawMessage(strings.Replace(string(h.Data), "thu phí làm hồ sơ", "thu lệ phí hồ sơ", 1))
				}
				occ, _ := time.Parse(time.RFC3339Nano, h.OccurredAt)
				rec, _ := time.Parse(time.RFC3339Nano, h.RecordedAt)
				h.PrevHash = prev
				sum, err := eventstore.ChainHash(prev, eventstore.RecordedEvent{ID: h.ID, Stream: h.Stream, Version: h.Version, Type: h.Type,
					SchemaVersion: h.SchemaVersion, Data: h.Data, OccurredAt: occ, RecordedAt: rec,
					Metadata: eventstore.Metadata{Actor: h.Actor, CorrelationID: h.CorrelationID, CausationID: h.CausationID, Reason: h.Reason}})
				if err != nil {
					t.Fatal(err)
				}
				h.Hash, prev, rewrittenHead = sum, sum, sum
				b, _ := json.Marshal(h)
				lines[i] = string(b)
			}
			setHistory(es, lines)
			return es
		}, true, func(m *casefile.Manifest) {
			m.Head.Hash, m.Checkpoint.AnchoredHash = rewrittenHead, rewrittenHead
		}), nil, []string{
			fmt.Sprintf("version %d of the history with its hash gives stream root ", head),
			"the history is not the one signed",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys := tc.keys
			if keys == nil {
				keys = []ed25519.PublicKey{f.pub()}
			}
			rep := verify(t, tc.b, keys...)
			if rep.OK() {
				t.Fatal("the edited case file verifies")
			}
			all := strings.Join(rep.Problems, "\n")
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("no problem names %q; problems:\n%s", w, all)
				}
			}
		})
	}
}

// TestCaseFileAfterCheckpoint: events recorded after the latest
// checkpoint are in the case file; the checkpoint anchors the history up
// to the version it saw, Verify says which versions only the chain
// covers, and the summary says so too. A case file of a log never
// checkpointed verifies on its chain alone, saying so; an unknown case is
// NOT_FOUND.
func TestCaseFileAfterCheckpoint(t *testing.T) {
	f := newFixture(t)
	anchored := f.c.c.Version
	f.sign(t)
	f.c.do("handler1", after(20), incident.Comment{Text: "Đã gọi điện cho Sở"})
	f.c.do("handler1", after(21), incident.Comment{Text: "Sở hẹn trả lời trong ngày"})
	b, m := f.build(t)
	if m.Checkpoint == nil || m.Checkpoint.AnchoredVersion != anchored || m.Checkpoint.CoversHead || m.Head.Version != anchored+2 {
		t.Fatalf("manifest head %+v, checkpoint %+v; want version %d anchored of %d", m.Head, m.Checkpoint, anchored, anchored+2)
	}
	rep := verify(t, b, f.pub())
	if !rep.OK() || rep.Anchored != anchored || rep.CoversHead || len(rep.Notes) != 1 ||
		!strings.Contains(rep.Notes[0], fmt.Sprintf("versions %d to %d of the history came after checkpoint 1", anchored+1, anchored+2)) {
		t.Errorf("report %+v", rep)
	}
	if text := pdfText(t, entries(t, b)[0].content); !strings.Contains(text, fmt.Sprintf("lịch sử đến sự kiện %d", anchored)) ||
		!strings.Contains(text, "các sự kiện sau đó chưa có điểm kiểm tra") {
		t.Errorf("the summary does not say the checkpoint covers events up to %d:\n%s", anchored, text)
	}

	g := newFixture(t)
	b, m = g.build(t)
	rep = verify(t, b)
	if m.Checkpoint != nil || !rep.OK() || rep.Anchored != 0 || len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "no signed checkpoint") {
		t.Errorf("without a checkpoint: manifest %+v, report %+v", m.Checkpoint, rep)
	}
	_, err := (&casefile.Builder{Store: g.store}).Prepare(context.Background(), "c-none")
	if incident.ErrorCode(err) != incident.CodeNotFound {
		t.Errorf("an unknown case: %v; want NOT_FOUND", err)
	}
	if _, err := casefile.Verify(bytes.NewReader([]byte("not a zip")), 9, nil); err == nil {
		t.Error("a file that is no ZIP verifies")
	}
	if rep := verify(t, rezip(t, []entry{{"summary.pdf", []byte("%PDF")}})); rep.OK() || !strings.Contains(rep.Problems[0], "manifest.json is missing") {
		t.Errorf("a ZIP without manifest: %+v", rep)
	}
}

// TestSafeName: evidence names keep letters and digits (Vietnamese ones
// too), lose path separators and spaces, and get their type's extension.
func TestSafeName(t *testing.T) {
	for _, tc := range []struct{ desc, typ, want string }{
		{"ảnh chụp.png", "image/png", "ảnh-chụp.png"},
		{"../../etc/passwd", "text/plain", "etc-passwd.txt"},
		{`C:\Users\mai\Ảnh màn hình 2026-12-01.jpg`, "image/jpeg", "C-Users-mai-Ảnh-màn-hình-2026-12-01.jpg"},
		{"   ", "video/mp4", "chung-cu.mp4"},
		{"Bản ghi", "application/x-unknown", "Bản-ghi"},
		{strings.Repeat("dài ", 30), "image/png", "dài-dài-dài-dài-dài-dài-dài-dài-dài-dài-dài-dài-dài-dài-dài.png"},
	} {
		if got := casefile.SafeName(tc.desc, tc.typ); got != tc.want {
			t.Errorf("SafeName(%q, %q) = %q; want %q", tc.desc, tc.typ, got, tc.want)
		}
	}
}
