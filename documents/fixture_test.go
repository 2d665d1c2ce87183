package documents_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"casetrail/documents"
	"casetrail/incident"
)

// reportedAt is when the fixture case is reported: 08:30 on 1 December 2026
// in Vietnam.
var reportedAt = time.Date(2026, 12, 1, 8, 30, 0, 0, documents.Vietnam)

// after returns reportedAt plus h hours.
func after(h float64) time.Time { return reportedAt.Add(time.Duration(h * float64(time.Hour))) }

// shaOf returns the hex SHA-256 of s, standing in for an evidence file.
func shaOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// caseBuilder drives a case through incident.Decide and incident.DueEvents
// and folds every event with incident.Apply, the way the workflow does.
type caseBuilder struct {
	t      *testing.T
	p      incident.Policy
	c      incident.Case
	n      int
	events []incident.Event // every event folded, in order
}

func (b *caseBuilder) record(actor string, now time.Time, ps []incident.Payload) {
	b.t.Helper()
	for _, p := range ps {
		b.n++
		e := incident.Event{ID: fmt.Sprintf("ev-%d", b.n), Type: p.EventType(), Actor: actor, At: now, Data: p}
		if err := incident.Apply(&b.c, e); err != nil {
			b.t.Fatalf("apply %s: %v", e.Type, err)
		}
		b.events = append(b.events, e)
	}
}

func (b *caseBuilder) do(actor string, now time.Time, cmd incident.Command) {
	b.t.Helper()
	ps, err := incident.Decide(b.c, cmd, now, b.p)
	if err != nil {
		b.t.Fatalf("%s: %v", cmd.Name(), err)
	}
	b.record(actor, now, ps)
}

func (b *caseBuilder) tick(now time.Time) {
	b.t.Helper()
	b.record(incident.SystemActor, now, incident.DueEvents(b.c, now, b.p))
}

// fixtureCase is an impersonation case of a commune: reported, verified,
// two pieces of evidence, a takedown TikTok answered (removed) and one
// Facebook left unanswered past its 24 hours, so the clock escalated it,
// and a leader approved the escalation.
func fixtureCase(t *testing.T) incident.Case {
	t.Helper()
	return fixtureBuilder(t).c
}

// fixtureBuilder drives the fixture case (fixtureCase) and returns the
// builder, holding its events.
func fixtureBuilder(t *testing.T) *caseBuilder {
	t.Helper()
	p := incident.DefaultPolicy()
	p.AutoEscalateOnTakedownMiss = true
	b := &caseBuilder{t: t, p: p}
	const (
		reporter = "nguoidan-01"
		handler  = "canbo-vhtt"
		leader   = "pct-ubnd"
		fakePage = "https://www.facebook.com/ubnd.xatanuyen.thongbao"
		fakeClip = "https://www.tiktok.com/@ubnd.tanuyen/video/7441234567890123456"
	)
	sim := 0.92
	b.do(reporter, after(0), incident.Report{
		CaseID:          "c-fixture",
		Number:          "VV-2026-000123",
		ClientRequestID: "req-fixture",
		Kind:            incident.Impersonation,
		Unit:            "lai-chau/tan-uyen",
		EscalatesTo:     "lai-chau/so-vhttdl",
		Title:           "Trang giả mạo UBND xã Tân Uyên thu phí làm hồ sơ đất đai",
		Description:     "Trang đăng thông báo thu phí giả, đề nghị người dân chuyển khoản.",
		Subjects: []incident.SubjectInput{
			{Platform: incident.Facebook, URL: fakePage, DisplayName: "UBND xã Tân Uyên - Thông báo"},
			{Platform: incident.TikTok, URL: fakeClip, DisplayName: "ubnd.tanuyen"},
		},
	})
	b.do(handler, after(0.5), incident.Triage{Severity: incident.High, Assignee: handler})
	b.do(handler, after(1), incident.StartAnalysis{})
	b.do(handler, after(2), incident.AddEvidence{
		Description: "Ảnh chụp màn hình trang giả mạo và bài đăng thu phí",
		MediaType:   "image/png", SHA256: shaOf("ảnh chụp trang giả mạo"), SizeBytes: 482113,
	})
	b.do(handler, after(2.2), incident.AddEvidence{
		Description: "Bản lưu video TikTok mạo danh",
		MediaType:   "video/mp4", SHA256: shaOf("video mạo danh"), SizeBytes: 7340032,
	})
	b.do(handler, after(3), incident.RecordAnalysis{
		Findings: "Trang sử dụng tên, biểu trưng của Ủy ban nhân dân xã, đăng thông báo thu phí làm hồ sơ đất đai " +
			"và số tài khoản cá nhân; Ủy ban nhân dân xã không có chủ trương thu phí này",
		Verdict:    incident.VerdictFalse,
		LegalBasis: "Khoản 1 Điều 8 Luật An ninh mạng năm 2018",
		Match: &incident.OfficialAccountRef{
			ID: "acc-1", Unit: "lai-chau/tan-uyen", Platform: incident.Facebook,
			URL: "https://www.facebook.com/ubnd.xatanuyen", DisplayName: "UBND xã Tân Uyên",
		},
		Similarity: &sim,
	})
	b.do(handler, after(4), incident.RequestTakedown{
		Platform: incident.Facebook, TargetURL: fakePage,
		Reason:  "Mạo danh cơ quan nhà nước, đăng thông tin sai sự thật nhằm chiếm đoạt tài sản",
		Channel: incident.TakedownAuthorityRequest, Authority: "Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu",
	})
	b.do(handler, after(4.5), incident.RequestTakedown{
		Platform: incident.TikTok, TargetURL: fakeClip, Reason: "Mạo danh cơ quan nhà nước",
	})
	b.do(handler, after(10), incident.RecordTakedownResponse{
		TakedownID: b.c.Takedowns[1].ID, Outcome: incident.OutcomeRemoved, PlatformReference: "TT-REQ-88213",
	})
	b.tick(after(28.5)) // the Facebook takedown's 24 hours ran out at +28 h
	if b.c.Escalation == nil {
		t.Fatalf("fixture: the missed takedown did not escalate (status %s)", b.c.Status)
	}
	b.do(leader, after(30), incident.ApproveEscalation{Note: "Đồng ý chuyển Sở"})
	return b
}

// letterDate is the fixture letter's date: 5 December 2026, Vietnam.
var letterDate = time.Date(2026, 12, 5, 9, 0, 0, 0, documents.Vietnam)

// escalationDispatch is the commune's part of the fixture escalation letter.
func escalationDispatch() documents.Dispatch {
	return documents.Dispatch{
		IssuingBody:  "Ủy ban nhân dân\nxã Tân Uyên",
		Sender:       "Ủy ban nhân dân xã Tân Uyên",
		Number:       5,
		Symbol:       "UBND-VHTT",
		DraftingUnit: "VHTT",
		Place:        "Tân Uyên",
		Date:         letterDate,
		Recipients:   []string{"Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu"},
		AlsoTo:       []string{"Chủ tịch, các PCT UBND xã", "Công an xã Tân Uyên"},
		Signer: documents.Signer{
			Prefix: documents.Deputy, Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Nguyễn Thị Hường",
		},
	}
}

// takedownDispatch is the province department's part of the fixture
// takedown letter: a body with a parent body, two recipients.
func takedownDispatch() documents.Dispatch {
	return documents.Dispatch{
		ParentBody:   "UBND tỉnh Lai Châu",
		IssuingBody:  "Sở Văn hóa, Thể thao\nvà Du lịch",
		Sender:       "Sở Văn hóa, Thể thao và Du lịch tỉnh Lai Châu",
		Number:       123,
		Symbol:       "SVHTTDL-TTBCXB",
		DraftingUnit: "TTBCXB",
		Place:        "Lai Châu",
		Date:         time.Date(2026, 12, 1, 14, 0, 0, 0, documents.Vietnam),
		Recipients:   []string{"Công ty Meta Platforms, Inc.", "Văn phòng đại diện Meta tại Việt Nam"},
		Signer: documents.Signer{
			Prefix: documents.Deputy, Authority: "Giám đốc", Title: "Phó Giám đốc", Name: "Lò Văn Thắng",
		},
	}
}
