package documents_test

import (
	"archive/zip"
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"casetrail/documents"
	"casetrail/incident"
)

// officeUnits is a registry as the seed gives it.
var officeUnits = incident.NewUnitTree([]incident.Unit{
	{ID: "lai-chau", Name: "Tỉnh Lai Châu", Symbol: "UBND"},
	{ID: "lai-chau/so-vhttdl", Name: "Sở Văn hóa, Thể thao và Du lịch", Parent: "lai-chau", Symbol: "SVHTTDL",
		IssuingBody: "Sở Văn hóa, Thể thao và Du lịch\ntỉnh Lai Châu"},
	{ID: "lai-chau/tan-uyen", Name: "Tân Uyên", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl", Symbol: "UBND-VHTT",
		IssuingBody: "Ủy ban nhân dân\nxã Tân Uyên", Place: "Tân Uyên",
		Signer: incident.Signer{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Nguyễn Thị Hường"}},
	{ID: "lai-chau/xa-sin-ho", Name: "UBND xã Sìn Hồ", Parent: "lai-chau", Symbol: "UBND", Drafting: "VP"},
})

func TestPrefixesAreTheDomains(t *testing.T) {
	if !slices.Equal(documents.Prefixes, incident.SignerPrefixes) {
		t.Errorf("documents.Prefixes %v, incident.SignerPrefixes %v", documents.Prefixes, incident.SignerPrefixes)
	}
}

// TestDispatchFor: the office's part of a letter comes from the registry:
// letterhead, place, symbol and drafting unit, the recipient's name; a
// unit with none of it set is named by its Name.
func TestDispatchFor(t *testing.T) {
	signer := incident.Signer{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Nguyễn Thị Hường"}
	d := documents.DispatchFor(officeUnits, "lai-chau/tan-uyen", "lai-chau/so-vhttdl", documents.Issue{Number: 5, Date: letterDate, Signer: signer})
	want := documents.Dispatch{
		IssuingBody: "Ủy ban nhân dân\nxã Tân Uyên", Sender: "Ủy ban nhân dân xã Tân Uyên", Number: 5, Symbol: "UBND-VHTT",
		DraftingUnit: "VHTT", Place: "Tân Uyên", Date: letterDate,
		Recipients: []string{"Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu"},
		Signer:     documents.Signer{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Nguyễn Thị Hường"},
	}
	if !dispatchEqual(d, want) {
		t.Errorf("DispatchFor:\n got %+v\nwant %+v", d, want)
	}
	d = documents.DispatchFor(officeUnits, "lai-chau/xa-sin-ho", "lai-chau", documents.Issue{Number: 1, Date: letterDate, Signer: incident.Signer{Title: "Chủ tịch", Name: "A"}})
	if d.IssuingBody != "UBND xã Sìn Hồ" || d.Place != "UBND xã Sìn Hồ" || d.Symbol != "UBND-VP" || d.DraftingUnit != "VP" ||
		d.Recipients[0] != "Tỉnh Lai Châu" || d.Signer != (documents.Signer{Authority: "Chủ tịch", Name: "A"}) {
		t.Errorf("a unit without its letterhead: %+v", d)
	}
	if s := documents.SignerOf(incident.Signer{Prefix: "TL.", Title: "Chánh Văn phòng", Name: "B"}); s.Authority != documents.HeadOfBody {
		t.Errorf("prefix without authority: %+v", s)
	}
}

func dispatchEqual(a, b documents.Dispatch) bool {
	return a.ParentBody == b.ParentBody && a.IssuingBody == b.IssuingBody && a.Sender == b.Sender && a.Number == b.Number &&
		a.Symbol == b.Symbol && a.DraftingUnit == b.DraftingUnit && a.Place == b.Place && a.Date.Equal(b.Date) &&
		slices.Equal(a.Recipients, b.Recipients) && slices.Equal(a.AlsoTo, b.AlsoTo) && a.Signer == b.Signer
}

// TestDraft: a draft has no number yet: "Số: …/UBND-VHTT", the day and
// month left blank, "DỰ THẢO" on top; read back from the PDF and from the
// DOCX converted by LibreOffice. A numbered letter carries no mark.
func TestDraft(t *testing.T) {
	c := fixtureCase(t)
	draft, err := documents.EscalationLetter(officeUnits, c, documents.Issue{Date: letterDate, Draft: true,
		Signer: incident.Signer{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Nguyễn Thị Hường"}})
	if err != nil {
		t.Fatal(err)
	}
	if !draft.Draft || draft.Number != 0 {
		t.Fatalf("draft %+v", draft)
	}
	final := draft
	final.Draft, final.Number = false, 5
	if err := final.Validate(); err != nil {
		t.Fatal(err)
	}
	unnumbered := final
	unnumbered.Number = 0
	if err := unnumbered.Validate(); err == nil {
		t.Error("a letter that is no draft validates without a number")
	}

	dir := t.TempDir()
	pdf, err := documents.RenderPDF(draft)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, writeFile(t, dir, "draft.pdf", pdf))
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{documents.DraftMark, "Số: …/UBND-VHTT", "Tân Uyên, ngày … tháng … năm 2026", "KT. CHỦ TỊCH", "Nguyễn Thị Hường"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the draft PDF lacks %q:\n%s", want, text)
		}
	}
	if pages := strings.Split(text, "\f"); len(pages) > 2 && !strings.Contains(pages[1], documents.DraftMark) {
		t.Errorf("page 2 of the draft lacks the mark:\n%s", pages[1])
	}
	finalPDF, err := documents.RenderPDF(final)
	if err != nil {
		t.Fatal(err)
	}
	if finalText := pdfText(t, writeFile(t, dir, "final.pdf", finalPDF)); strings.Contains(finalText, documents.DraftMark) || !strings.Contains(finalText, "Số: 05/UBND-VHTT") {
		t.Errorf("the numbered letter:\n%s", finalText)
	}

	docx, err := documents.RenderDOCX(draft, documents.Options{})
	if err != nil {
		t.Fatal(err)
	}
	doc := docxPart(t, docx, "word/document.xml")
	for _, want := range []string{documents.DraftMark, "Số: …/UBND-VHTT", "ngày … tháng … năm 2026"} {
		if !strings.Contains(doc, want) {
			t.Errorf("the draft DOCX lacks %q", want)
		}
	}
	finalDOCX, err := documents.RenderDOCX(final, documents.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if doc := docxPart(t, finalDOCX, "word/document.xml"); strings.Contains(doc, documents.DraftMark) {
		t.Error("the numbered DOCX carries the draft mark")
	}
	soffice := tool(t, "soffice", "libreoffice-writer-nogui")
	p := writeFile(t, dir, "draft.docx", docx)
	run(t, 5*time.Minute, soffice, "-env:UserInstallation=file://"+dir+"/profile", "--headless", "--norestore",
		"--convert-to", "pdf", "--outdir", dir+"/out", p)
	converted := strings.Join(strings.Fields(pdfText(t, dir+"/out/draft.pdf")), " ")
	for _, want := range []string{documents.DraftMark, "Số: …/UBND-VHTT", "Tân Uyên, ngày … tháng … năm 2026"} {
		if !strings.Contains(converted, want) {
			t.Errorf("the draft DOCX converted by LibreOffice lacks %q:\n%s", want, converted)
		}
	}
}

func docxPart(t *testing.T, docx []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("no %s", name)
	return ""
}
