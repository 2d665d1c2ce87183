// Package benchdata writes realistic data sets into an event store: the
// cases of benchmarks (casetrail bench, the read model's benchmarks), of
// demos (casetrail gen) and of the tests that want many varied cases. It
// drives the domain (package incident) and the read model's registry as the
// application would; nothing in the application imports it.
package benchdata

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"casetrail/eventstore"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// Units are the units Generate registers and spreads its cases over: two
// provinces, departments, an intermediate level and communes.
var Units = []incident.Unit{
	{ID: "lai-chau", Name: "Tỉnh Lai Châu", Symbol: "UBND"},
	{ID: "lai-chau/so-vhttdl", Name: "Sở Văn hóa, Thể thao và Du lịch", Parent: "lai-chau", Symbol: "SVHTTDL"},
	{ID: "lai-chau/cong-an", Name: "Công an tỉnh Lai Châu", Parent: "lai-chau", Symbol: "CAT"},
	{ID: "lai-chau/tan-uyen", Name: "Tân Uyên", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl", Symbol: "UBND-VHTT"},
	{ID: "lai-chau/tan-uyen/xa-phuc-khoa", Name: "UBND xã Phúc Khoa", Parent: "lai-chau/tan-uyen", Symbol: "UBND"},
	{ID: "lai-chau/tan-uyen/xa-trung-dong", Name: "UBND xã Trung Đồng", Parent: "lai-chau/tan-uyen", Symbol: "UBND"},
	{ID: "lai-chau/tan-uyen/xa-muong-khoa", Name: "UBND xã Mường Khoa", Parent: "lai-chau/tan-uyen", Symbol: "UBND"},
	{ID: "lai-chau/phuong-tan-phong", Name: "UBND phường Tân Phong", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl", Symbol: "UBND"},
	{ID: "lai-chau/phuong-doan-ket", Name: "UBND phường Đoàn Kết", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl", Symbol: "UBND"},
	{ID: "lai-chau/xa-sin-ho", Name: "UBND xã Sìn Hồ", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl", Symbol: "UBND"},
	{ID: "lai-chau/xa-phong-tho", Name: "UBND xã Phong Thổ", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl", Symbol: "UBND"},
	{ID: "lai-chau/xa-muong-te", Name: "UBND xã Mường Tè", Parent: "lai-chau", EscalatesTo: "lai-chau/so-vhttdl", Symbol: "UBND"},
	{ID: "dien-bien", Name: "Tỉnh Điện Biên", Symbol: "UBND"},
	{ID: "dien-bien/so-vhttdl", Name: "Sở Văn hóa, Thể thao và Du lịch Điện Biên", Parent: "dien-bien", Symbol: "SVHTTDL"},
	{ID: "dien-bien/phuong-muong-thanh", Name: "UBND phường Mường Thanh", Parent: "dien-bien", EscalatesTo: "dien-bien/so-vhttdl", Symbol: "UBND"},
	{ID: "dien-bien/xa-tuan-giao", Name: "UBND xã Tuần Giáo", Parent: "dien-bien", EscalatesTo: "dien-bien/so-vhttdl", Symbol: "UBND"},
}

// genCaseUnits are the units cases are reported in (the departments report
// rarely, so they are left out).
var genCaseUnits = []string{
	"lai-chau/tan-uyen", "lai-chau/tan-uyen/xa-phuc-khoa", "lai-chau/tan-uyen/xa-trung-dong",
	"lai-chau/tan-uyen/xa-muong-khoa", "lai-chau/phuong-tan-phong", "lai-chau/phuong-doan-ket",
	"lai-chau/xa-sin-ho", "lai-chau/xa-phong-tho", "lai-chau/xa-muong-te",
	"dien-bien/phuong-muong-thanh", "dien-bien/xa-tuan-giao",
}

var (
	genPlaces = []string{"xã Phúc Khoa", "xã Trung Đồng", "xã Mường Khoa", "phường Tân Phong", "phường Đoàn Kết",
		"xã Sìn Hồ", "xã Phong Thổ", "xã Mường Tè", "phường Mường Thanh", "xã Tuần Giáo", "bản Nà Bó", "bản Hua Pầu"}
	genTopics = []string{"lũ quét", "sạt lở đất", "dịch sốt xuất huyết", "giá đất tái định cư", "thi tuyển công chức",
		"hỗ trợ hộ nghèo", "thu hồi đất làm đường", "học phí năm học mới", "cháy rừng phòng hộ",
		"đền bù giải phóng mặt bằng", "nước sinh hoạt nhiễm bẩn", "an toàn thực phẩm ở chợ phiên",
		"tiêm chủng cho trẻ em", "mưa đá", "giá chè búp tươi", "chương trình nông thôn mới"}
	genTitles = map[incident.Kind][]string{
		incident.Impersonation: {
			"Trang Facebook giả mạo %[1]s",
			"Tài khoản TikTok mạo danh Chủ tịch %[2]s",
			"Fanpage giả danh %[1]s kêu gọi quyên góp ủng hộ %[3]s",
			"Nhóm Zalo mạo danh cán bộ %[2]s để lừa đảo",
			"Kênh YouTube giả mạo đài truyền thanh %[2]s",
		},
		incident.AccountCompromised: {
			"Fanpage %[1]s bị chiếm quyền quản trị",
			"Tài khoản Zalo OA của %[1]s bị khóa",
			"Trang thông tin %[2]s bị đăng nội dung lạ",
			"Mất quyền truy cập tài khoản TikTok của %[1]s",
		},
		incident.FalseInformation: {
			"Tin sai sự thật về %[3]s tại %[2]s",
			"Thông tin xuyên tạc về %[3]s ở %[2]s",
			"Video cắt ghép về %[3]s tại %[2]s lan truyền trên mạng",
			"Bài viết bịa đặt về %[3]s gây hoang mang dư luận",
		},
	}
	genSentences = []string{
		"Người dân phản ánh qua đường dây nóng của Ủy ban nhân dân.",
		"Nội dung đã thu hút hơn %d lượt chia sẻ và bình luận.",
		"Trang này sử dụng logo, hình ảnh và tên gọi của cơ quan nhà nước.",
		"Đề nghị kiểm tra, xác minh và xử lý theo quy định của pháp luật.",
		"Một số bình luận cho rằng thông tin chưa được kiểm chứng.",
		"Bài đăng kèm số tài khoản ngân hàng cá nhân để nhận tiền ủng hộ.",
		"Quản trị viên trang chính thức không còn đăng nhập được từ tối hôm qua.",
		"Cán bộ văn hóa xã đã chụp màn hình lưu lại bằng chứng.",
		"Thông tin gây hoang mang cho bà con ở các bản vùng cao.",
		"Theo Nghị định 147/2024/NĐ-CP, nền tảng phải gỡ bỏ trong vòng 24 giờ.",
	}
	genPlatforms = []incident.Platform{incident.Facebook, incident.Facebook, incident.Facebook, incident.TikTok,
		incident.Zalo, incident.YouTube, incident.Website}
	genVerdicts = []incident.Verdict{incident.VerdictFalse, incident.VerdictFalse, incident.VerdictMisleading,
		incident.VerdictUnverified, incident.VerdictTrue}
)

// genAccounts are the official accounts Generate registers.
var genAccounts = []struct {
	unit, url, name string
	platform        incident.Platform
}{
	{"lai-chau/tan-uyen", "https://www.facebook.com/ubndtanuyen", "UBND huyện Tân Uyên", incident.Facebook},
	{"lai-chau", "https://www.facebook.com/laichau.gov.vn", "Cổng thông tin điện tử tỉnh Lai Châu", incident.Facebook},
	{"lai-chau/tan-uyen/xa-phuc-khoa", "https://zalo.me/ubndxaphuckhoa", "UBND xã Phúc Khoa", incident.Zalo},
	{"lai-chau/phuong-tan-phong", "https://www.tiktok.com/@phuongtanphong", "Phường Tân Phong", incident.TikTok},
	{"dien-bien", "https://www.facebook.com/dienbien.gov.vn", "Cổng thông tin điện tử tỉnh Điện Biên", incident.Facebook},
}

// Generate writes n realistic cases to store (for benchmarks, demos and the
// `casetrail gen` command): Vietnamese titles with diacritics, cases spread
// over Units (which it registers, with a few official accounts) and over the
// past year, mixed kinds, severities and statuses, about a dozen events
// each. Every case is decided by incident.Decide, its
// deadlines run by the domain clock (reminders, misses, automatic
// escalation) up to now, and appended in two chunks whose appends are
// interleaved with other cases', so the global log mixes streams as in
// production. Event ids derive from seed: running Generate again with the
// same seed and n appends nothing new. Case numbers are VV-<year>-<n>, so
// generate into a database of its own.
func Generate(ctx context.Context, store *eventstore.Store, n int, seed int64) error {
	return GenerateAt(ctx, store, n, seed, time.Now().UTC().Truncate(time.Second), 4)
}

// GenerateAt is Generate with a fixed now (the end of the simulated year:
// the same now and seed give the same events) and workers concurrent
// appenders.
func GenerateAt(ctx context.Context, store *eventstore.Store, n int, seed int64, now time.Time, workers int) error {
	if err := readmodel.EnsureSchema(ctx, store.Pool()); err != nil {
		return err
	}
	reg := readmodel.NewRegistry(store.Pool())
	if err := reg.UpsertUnits(ctx, Units); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	accounts := map[string]incident.OfficialAccountRef{}
	for _, a := range genAccounts {
		acc, err := reg.RegisterOfficialAccount(ctx, readmodel.Change{Actor: "generate", Reason: "generated data"}, a.unit, a.platform, a.url, a.name)
		if incident.ErrorCode(err) == incident.CodeConflict {
			continue // registered to another unit before: leave it
		}
		if err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		accounts[a.unit] = acc.Ref()
	}
	g := newGenerator(seed, now, accounts)
	const group = 32
	jobs := make(chan int)
	errs := make(chan error, workers)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for start := range jobs {
				if err := g.appendGroup(ctx, store, start, min(start+group, n)); err != nil {
					errs <- err
					cancel()
					return
				}
			}
		}()
	}
feed:
	for start := 0; start < n; start += group {
		select {
		case jobs <- start:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return ctx.Err()
}

type generator struct {
	seed     int64
	now      time.Time
	policy   incident.Policy
	accounts map[string]incident.OfficialAccountRef
	units    map[string]incident.Unit
	tree     *incident.UnitTree
}

// newGenerator returns the generator of seed and now over Units, matching
// analyses against accounts (official account by unit).
func newGenerator(seed int64, now time.Time, accounts map[string]incident.OfficialAccountRef) *generator {
	g := &generator{seed: seed, now: now, policy: incident.DefaultPolicy(), accounts: accounts, units: map[string]incident.Unit{}, tree: incident.NewUnitTree(Units)}
	for _, u := range Units {
		g.units[u.ID] = u
	}
	return g
}

// genCase is one simulated case: its events cut into the chunks appended.
type genCase struct {
	stream string
	chunks [][]eventstore.EventData
}

// appendGroup simulates cases [from, to) and appends their chunks round by
// round, so the streams interleave in the global log.
func (g *generator) appendGroup(ctx context.Context, store *eventstore.Store, from, to int) error {
	cases := make([]genCase, 0, to-from)
	for i := from; i < to; i++ {
		gc, err := g.simulate(i)
		if err != nil {
			return err
		}
		cases = append(cases, gc)
	}
	for round := 0; ; round++ {
		more := false
		for ci := range cases {
			gc := &cases[ci]
			if round >= len(gc.chunks) {
				continue
			}
			more = true
			expected := int64(0)
			for _, ch := range gc.chunks[:round] {
				expected += int64(len(ch))
			}
			if _, err := store.Append(ctx, gc.stream, expected, gc.chunks[round]...); err != nil {
				return fmt.Errorf("generate: %w", err)
			}
		}
		if !more {
			return nil
		}
	}
}

// sim is the state of one case being simulated.
type sim struct {
	g      *generator
	rng    *rand.Rand
	c      incident.Case
	events []eventstore.EventData
	cuts   []int // event counts after each command
	corr   string
}

func (s *sim) uuid() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], s.rng.Uint64())
	binary.LittleEndian.PutUint64(b[8:], s.rng.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return uuid.UUID(b).String()
}

func (s *sim) pick(list []string) string { return list[s.rng.IntN(len(list))] }

// record folds payloads into the simulated case and keeps them as events.
func (s *sim) record(actor string, at time.Time, pays []incident.Payload) error {
	for _, p := range pays {
		data, err := incident.EncodePayload(p)
		if err != nil {
			return err
		}
		if err := incident.Apply(&s.c, incident.Event{Type: p.EventType(), Actor: actor, At: at, Data: p}); err != nil {
			return err
		}
		s.events = append(s.events, eventstore.EventData{
			ID: s.uuid(), Type: p.EventType(), Data: data, OccurredAt: at,
			Metadata: eventstore.Metadata{Actor: actor, CorrelationID: s.corr},
		})
	}
	return nil
}

// clock runs the deadlines up to at, as the workflow's timers would.
func (s *sim) clock(at time.Time) error {
	for {
		wake, ok := incident.NextWake(&s.c, s.g.policy)
		if !ok || wake.After(at) {
			return nil
		}
		wake = wake.Truncate(time.Microsecond)
		pays := incident.DueEvents(s.c, wake, s.g.policy)
		if len(pays) == 0 {
			return nil
		}
		if err := s.record(incident.SystemActor, wake, pays); err != nil {
			return err
		}
	}
}

// do runs the clock up to at, then decides cmd; a command the case no longer
// allows (the clock escalated it, say) is skipped. It reports false once at
// is in the future: the case stops there.
func (s *sim) do(at time.Time, actor string, cmd incident.Command) (bool, error) {
	if at.After(s.g.now) {
		return false, nil
	}
	if err := s.clock(at); err != nil {
		return false, err
	}
	s.corr = s.uuid()
	pays, err := incident.Decide(s.c, cmd, at, s.g.policy)
	if err != nil {
		if code := incident.ErrorCode(err); code == incident.CodeInvalidTransition || code == incident.CodeNotFound {
			return true, nil
		}
		return false, fmt.Errorf("generate: %s: %w", cmd.Name(), err)
	}
	if err := s.record(actor, at.UTC(), pays); err != nil {
		return false, err
	}
	s.cuts = append(s.cuts, len(s.events))
	return true, nil
}

// simulate builds case i: the same i and seed always give the same events.
func (g *generator) simulate(i int) (genCase, error) {
	s := &sim{g: g, rng: rand.New(rand.NewPCG(uint64(g.seed), uint64(i)))}
	rng := s.rng
	unit := genCaseUnits[rng.IntN(len(genCaseUnits))]
	kind := incident.Kinds[rng.IntN(len(incident.Kinds))]
	place := s.pick(genPlaces)
	title := fmt.Sprintf(s.pick(genTitles[kind]), g.units[unit].Name, place, s.pick(genTopics))
	var desc []string
	for range 2 + rng.IntN(3) {
		sentence := s.pick(genSentences)
		if strings.Contains(sentence, "%d") {
			sentence = fmt.Sprintf(sentence, 100+rng.IntN(20000))
		}
		desc = append(desc, sentence)
	}
	reportedAt := g.now.Add(-time.Duration(rng.Int64N(int64(365 * 24 * time.Hour)))).Truncate(time.Second)
	caseID := s.uuid()
	subjects := []incident.SubjectInput{g.subject(s, kind)}
	if rng.IntN(5) == 0 {
		subjects = append(subjects, g.subject(s, kind))
	}
	reporter := fmt.Sprintf("reporter-%d", rng.IntN(40))
	handler := fmt.Sprintf("handler-%d", rng.IntN(12))
	leader := fmt.Sprintf("leader-%d", rng.IntN(4))
	at := reportedAt
	later := func(minH, maxH float64) time.Time {
		at = at.Add(time.Duration((minH + rng.Float64()*(maxH-minH)) * float64(time.Hour))).Truncate(time.Second)
		return at
	}
	report := incident.Report{
		CaseID: caseID, Number: fmt.Sprintf("VV-%d-%06d", reportedAt.Year(), i+1), ClientRequestID: s.uuid(),
		Kind: kind, Unit: unit, EscalatesTo: g.tree.EscalationTarget(unit), Title: title,
		Description: strings.Join(desc, " "), Subjects: subjects,
	}
	// target is how far the case's life goes, unless it runs into now: most
	// cases older than a month are settled.
	target := rng.IntN(100)
	if g.now.Sub(reportedAt) > 30*24*time.Hour && rng.IntN(10) < 8 {
		target = 60 + rng.IntN(40)
	}
	// Compromised accounts are recovered, not taken down; half of the false
	// information is corrected without a takedown.
	takedown := kind == incident.Impersonation || (kind == incident.FalseInformation && rng.IntN(2) == 0) ||
		(target >= 28 && target < 60)
	steps := []func() (bool, error){
		func() (bool, error) { return s.do(at, reporter, report) },
		func() (bool, error) {
			if rng.IntN(12) != 0 {
				return true, nil
			}
			again := report
			again.ClientRequestID = s.uuid()
			return s.do(later(0.5, 20), fmt.Sprintf("reporter-%d", rng.IntN(40)), incident.MergeReport{Report: again})
		},
		func() (bool, error) {
			if target < 6 {
				return false, nil // stays REPORTED
			}
			sev := []incident.Severity{incident.Low, incident.Medium, incident.Medium, incident.High, incident.Critical}[rng.IntN(5)]
			return s.do(later(0.2, 3), handler, incident.Triage{Severity: sev, Assignee: handler})
		},
		func() (bool, error) {
			if target < 10 {
				_, err := s.do(later(1, 24), handler, incident.Reject{Reason: "Không thuộc phạm vi xử lý của đơn vị."})
				return false, err
			}
			if target < 16 {
				return false, nil // stays TRIAGED
			}
			return s.do(later(0.1, 2), handler, incident.StartAnalysis{})
		},
		func() (bool, error) {
			if rng.IntN(2) == 0 {
				return true, nil
			}
			sum := sha256.Sum256([]byte(caseID))
			return s.do(later(0.1, 2), handler, incident.AddEvidence{Description: "Ảnh chụp màn hình bài đăng",
				MediaType: "image/png", SHA256: hex.EncodeToString(sum[:]), SizeBytes: 20000 + rng.Int64N(500000)})
		},
		func() (bool, error) {
			if rng.IntN(3) != 0 {
				return true, nil
			}
			return s.do(later(0.1, 3), leader, incident.Comment{Text: "Đề nghị khẩn trương xác minh và báo cáo kết quả."})
		},
		func() (bool, error) {
			if target < 22 {
				return false, nil // stays in ANALYSIS
			}
			a := incident.RecordAnalysis{Findings: "Đã đối chiếu với nguồn tin chính thức của " + g.units[unit].Name + ".",
				Verdict: genVerdicts[rng.IntN(len(genVerdicts))], LegalBasis: "Nghị định 147/2024/NĐ-CP"}
			if kind == incident.Impersonation {
				a.Verdict = incident.VerdictFalse
				if ref, ok := g.accounts[unit]; ok && rng.IntN(2) == 0 {
					sim := 0.7 + rng.Float64()*0.29
					a.Match, a.Similarity = &ref, &sim
				}
			}
			if target < 28 {
				if _, err := s.do(later(0.5, 6), handler, a); err != nil {
					return false, err
				}
				_, err := s.do(later(1, 30), handler, incident.Reject{Reason: "Thông tin đã được xác minh là đúng sự thật."})
				return false, err
			}
			return s.do(later(0.5, 6), handler, a)
		},
		func() (bool, error) {
			if !takedown {
				return true, nil
			}
			return s.do(later(0.2, 5), handler, incident.RequestTakedown{Platform: subjects[0].Platform,
				TargetURL: subjects[0].URL, Reason: "Nội dung giả mạo, sai sự thật", LegalBasis: "Điều 23 Nghị định 147/2024/NĐ-CP"})
		},
		func() (bool, error) {
			if !takedown {
				return true, nil
			}
			if target < 40 {
				return false, nil // stays in ACTION, waiting for the platform
			}
			out := []incident.TakedownOutcome{incident.OutcomeRemoved, incident.OutcomeRemoved, incident.OutcomeAcknowledged, incident.OutcomeRejected}[rng.IntN(4)]
			return s.do(later(1, 30), handler, incident.RecordTakedownResponse{TakedownID: "TD-1", Outcome: out,
				PlatformReference: fmt.Sprintf("REF-%08d", rng.IntN(1e8))})
		},
		func() (bool, error) {
			if target >= 52 {
				return true, nil
			}
			if _, err := s.do(later(0.5, 10), handler, incident.RequestEscalation{Reason: "Nền tảng chưa gỡ bỏ nội dung vi phạm."}); err != nil {
				return false, err
			}
			if target < 44 {
				return false, nil // waits for approval
			}
			if _, err := s.do(later(0.2, 5), leader, incident.ApproveEscalation{Note: "Đồng ý chuyển Sở."}); err != nil {
				return false, err
			}
			if _, err := s.do(later(0.1, 1), incident.SystemActor, incident.SendEscalation{
				DispatchNumber: fmt.Sprintf("%d/%s", 1+rng.IntN(999), g.units[unit].Symbol)}); err != nil {
				return false, err
			}
			return false, nil // waits for the province
		},
		func() (bool, error) {
			if target < 60 {
				return false, nil
			}
			return s.do(later(0.5, 12), handler, incident.Resolve{Resolution: "Nội dung vi phạm đã được gỡ bỏ, đã đăng cải chính trên trang chính thức."})
		},
		func() (bool, error) {
			if target < 75 {
				return false, nil // stays RESOLVED
			}
			return s.do(later(1, 72), leader, incident.Close{Note: "Đồng ý kết thúc vụ việc."})
		},
	}
	for _, step := range steps {
		ok, err := step()
		if err != nil {
			return genCase{}, fmt.Errorf("generate case %d: %w", i, err)
		}
		if !ok {
			break
		}
	}
	if err := s.clock(g.now); err != nil {
		return genCase{}, fmt.Errorf("generate case %d: %w", i, err)
	}
	// Two chunks, cut at the command boundary nearest the middle.
	gc := genCase{stream: incident.StreamOf(caseID)}
	cut := len(s.events)
	for _, c := range s.cuts {
		if c >= len(s.events)/2 {
			cut = c
			break
		}
	}
	for _, ch := range [][]eventstore.EventData{s.events[:cut], s.events[cut:]} {
		for len(ch) > 0 {
			n := min(len(ch), eventstore.MaxBatch)
			gc.chunks = append(gc.chunks, ch[:n])
			ch = ch[n:]
		}
	}
	return gc, nil
}

func (g *generator) subject(s *sim, kind incident.Kind) incident.SubjectInput {
	p := genPlatforms[s.rng.IntN(len(genPlatforms))]
	slug := fmt.Sprintf("%s.%06x", strings.ReplaceAll(incident.FoldText(s.pick(genPlaces)), " ", ""), s.rng.IntN(1<<24))
	var url string
	switch p {
	case incident.Facebook:
		url = "https://www.facebook.com/" + slug + "?fbclid=IwAR" + fmt.Sprint(s.rng.IntN(1e6))
	case incident.TikTok:
		url = "https://www.tiktok.com/@" + slug
	case incident.Zalo:
		url = fmt.Sprintf("https://zalo.me/%d", 840000000+s.rng.IntN(1e8))
	case incident.YouTube:
		url = "https://www.youtube.com/@" + slug
	default:
		url = "https://" + slug + ".blogspot.com/2025/tin-nong.html"
	}
	name := ""
	if kind != incident.FalseInformation {
		name = "UBND " + s.pick(genPlaces)
	}
	return incident.SubjectInput{Platform: p, URL: url, DisplayName: name}
}
