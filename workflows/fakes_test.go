package workflows_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"

	"casetrail/incident"
	"casetrail/workflows"
)

// memActivities implements the activity contract of the workflow in memory,
// with the store's semantics: expected-version checks, idempotent append by
// the first event id, gap-free versions and global positions. Method names
// are the registered activity names.
type memActivities struct {
	mu       sync.Mutex
	streams  map[string][]workflows.StoredEvent
	ids      map[string]workflows.StoredEvent
	position int64
	numbers  map[string]string
	perYear  map[int]int
	dispatch map[string]string
	perUnit  map[string]int

	appendCalls int
	allocCalls  int
	notified    []workflows.NotifyInput
	takedowns   []workflows.TakedownInput
	escalations []workflows.EscalationInput
	prepared    []workflows.PrepareEscalationInput
	issued      []workflows.IssueEscalationInput
	delivered   []workflows.DeliverEscalationInput
	matches     int

	// manual makes the issuing units number by hand: PrepareEscalation
	// wants a typed number and refuses one used in that year.
	manual bool
	// typed are the typed numbers by issuer and year, and the key holding each.
	typed map[string]string
	// letters are the letters issued by key.
	letters map[string]incident.Letter

	// loseAppendResponses makes the next n appends store their events and
	// then fail, as if the answer was lost on the way back.
	loseAppendResponses int
	// loseTerminally makes those failures non-retryable, so the workflow
	// must read the stream back to learn the events are stored.
	loseTerminally bool
	// failDispatch makes SendEscalation fail that many times.
	failDispatch int
	// notifyErr makes every Notify fail.
	notifyErr   bool
	notifyCalls int
	// match is what MatchOfficialAccount answers.
	match workflows.MatchResult
}

func newMemActivities() *memActivities {
	return &memActivities{
		streams:  map[string][]workflows.StoredEvent{},
		ids:      map[string]workflows.StoredEvent{},
		numbers:  map[string]string{},
		perYear:  map[int]int{},
		dispatch: map[string]string{},
		perUnit:  map[string]int{},
		typed:    map[string]string{},
		letters:  map[string]incident.Letter{},
	}
}

func (m *memActivities) AppendEvents(_ context.Context, in workflows.AppendInput) (workflows.AppendResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.appendCalls++
	if len(in.Events) == 0 {
		return workflows.AppendResult{}, nil
	}
	if first, ok := m.ids[in.Events[0].ID]; ok {
		var out []workflows.StoredEvent
		for _, e := range m.streams[in.Stream][first.Version-1:] {
			out = append(out, e)
			if len(out) == len(in.Events) {
				break
			}
		}
		return workflows.AppendResult{Events: out}, nil
	}
	cur := int64(len(m.streams[in.Stream]))
	if cur != in.ExpectedVersion {
		return workflows.AppendResult{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("stream %s is at version %d, not %d", in.Stream, cur, in.ExpectedVersion), incident.CodeConflict, nil, "")
	}
	var out []workflows.StoredEvent
	for _, e := range in.Events {
		cur++
		m.position++
		se := workflows.StoredEvent{ID: e.ID, Type: e.Type, Version: cur, Data: e.Data, Actor: e.Actor, OccurredAt: e.OccurredAt, GlobalPosition: m.position}
		m.streams[in.Stream] = append(m.streams[in.Stream], se)
		m.ids[e.ID] = se
		out = append(out, se)
	}
	if m.loseAppendResponses > 0 {
		m.loseAppendResponses--
		if m.loseTerminally {
			return workflows.AppendResult{}, temporal.NewNonRetryableApplicationError("connection reset", "LOST", nil)
		}
		return workflows.AppendResult{}, errors.New("connection reset")
	}
	return workflows.AppendResult{Events: out}, nil
}

func (m *memActivities) ReadEvents(_ context.Context, in workflows.ReadInput) ([]workflows.StoredEvent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.streams[in.Stream]
	if in.FromVersion < 1 {
		in.FromVersion = 1
	}
	if in.FromVersion > int64(len(s)) {
		return nil, nil
	}
	return append([]workflows.StoredEvent(nil), s[in.FromVersion-1:]...), nil
}

func (m *memActivities) AllocateCaseNumber(_ context.Context, in workflows.AllocateInput) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.allocCalls++
	if n, ok := m.numbers[in.CaseID]; ok {
		return n, nil
	}
	m.perYear[in.Year]++
	n := fmt.Sprintf("VV-%d-%06d", in.Year, m.perYear[in.Year])
	m.numbers[in.CaseID] = n
	return n, nil
}

func (m *memActivities) Notify(_ context.Context, in workflows.NotifyInput) (workflows.NotifyResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.notifyCalls++
	if m.notifyErr {
		return workflows.NotifyResult{}, errors.New("webhook unreachable")
	}
	m.notified = append(m.notified, in)
	return workflows.NotifyResult{
		Key: in.Key, Event: in.Event, Recipients: in.Recipients, Subject: in.Message,
		Channels: []incident.NotificationChannel{{Channel: "log", OK: true}},
	}, nil
}

func (m *memActivities) SendTakedownRequest(_ context.Context, in workflows.TakedownInput) (workflows.DeliveryResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.takedowns = append(m.takedowns, in)
	return workflows.DeliveryResult{Channel: workflows.ChannelManual}, nil
}

func (m *memActivities) SendEscalation(_ context.Context, in workflows.EscalationInput) (workflows.EscalationResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.escalations = append(m.escalations, in)
	if m.failDispatch > 0 {
		m.failDispatch--
		return workflows.EscalationResult{}, temporal.NewNonRetryableApplicationError("dispatch register unavailable", "UNAVAILABLE", nil)
	}
	if n, ok := m.dispatch[in.Key]; ok {
		return workflows.EscalationResult{DispatchNumber: n, DeliveryResult: workflows.DeliveryResult{Channel: workflows.ChannelManual}}, nil
	}
	m.perUnit[in.To]++
	n := fmt.Sprintf("%d/SO-VHTTDL", m.perUnit[in.To])
	m.dispatch[in.Key] = n
	return workflows.EscalationResult{DispatchNumber: n, DeliveryResult: workflows.DeliveryResult{Channel: workflows.ChannelManual}}, nil
}

// defaultSigner is who signs when the leader names nobody.
var defaultSigner = incident.Signer{Prefix: "KT.", Authority: "Chủ tịch", Title: "Phó Chủ tịch", Name: "Lê Văn Thành"}

func (m *memActivities) PrepareEscalation(_ context.Context, in workflows.PrepareEscalationInput) (workflows.PrepareEscalationResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.prepared = append(m.prepared, in)
	res := workflows.PrepareEscalationResult{Signer: defaultSigner}
	if in.Signer != nil {
		res.Signer = *in.Signer
	}
	switch {
	case m.manual && in.RegisterNumber < 1:
		return res, temporal.NewNonRetryableApplicationError("give the number", incident.CodeBadUserInput, nil, "registerNumber")
	case !m.manual && in.RegisterNumber != 0:
		return res, temporal.NewNonRetryableApplicationError("leave the number out", incident.CodeBadUserInput, nil, "registerNumber")
	case !m.manual:
		return res, nil
	}
	slot := fmt.Sprintf("%s/%d/%d", in.Issuer, in.At.In(time.FixedZone("ICT", 7*3600)).Year(), in.RegisterNumber)
	if k, ok := m.typed[slot]; ok && k != in.Key {
		return res, temporal.NewNonRetryableApplicationError(fmt.Sprintf("number %02d is already used", in.RegisterNumber), incident.CodeBadUserInput, nil, "registerNumber")
	}
	m.typed[slot] = in.Key
	res.RegisterNumber = in.RegisterNumber
	return res, nil
}

func (m *memActivities) IssueEscalation(_ context.Context, in workflows.IssueEscalationInput) (workflows.IssueEscalationResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.issued = append(m.issued, in)
	manual := workflows.DeliveryResult{Channel: workflows.ChannelManual}
	if m.failDispatch > 0 {
		m.failDispatch--
		return workflows.IssueEscalationResult{}, temporal.NewNonRetryableApplicationError("dispatch register unavailable", "UNAVAILABLE", nil)
	}
	if l, ok := m.letters[in.Key]; ok {
		return workflows.IssueEscalationResult{Letter: l, DeliveryResult: manual}, nil
	}
	esc := in.Case.Escalation
	l := incident.Letter{Symbol: "UBND-VHTT", Issuer: in.Case.Unit, IssuedAt: in.At, SHA256: letterSHA(in.Key), Manual: esc.RegisterNumber > 0}
	if l.Manual {
		l.Number = esc.RegisterNumber
	} else {
		m.perUnit["issuer:"+in.Case.Unit]++
		l.Number = m.perUnit["issuer:"+in.Case.Unit]
	}
	if esc.Signer != nil {
		l.Signer = *esc.Signer
	}
	m.letters[in.Key] = l
	return workflows.IssueEscalationResult{Letter: l, DeliveryResult: manual}, nil
}

// letterSHA stands for the SHA-256 of the letter issued under key.
func letterSHA(key string) string {
	sum := sha256.Sum256([]byte("letter:" + key))
	return hex.EncodeToString(sum[:])
}

func (m *memActivities) MatchOfficialAccount(_ context.Context, in workflows.MatchInput) (workflows.MatchResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.matches++
	return m.match, nil
}

// events returns the stored events of case caseID.
func (m *memActivities) events(caseID string) []workflows.StoredEvent {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]workflows.StoredEvent(nil), m.streams[incident.StreamOf(caseID)]...)
}

func (m *memActivities) notifications() []workflows.NotifyInput {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]workflows.NotifyInput(nil), m.notified...)
}

// storeAhead appends events straight to the stream of caseID, as a run of
// older code that lost its workflow task after appending would have left
// them: stored, but unknown to the workflow's state.
func (m *memActivities) storeAhead(caseID string, actor string, payloads ...incident.Payload) {
	m.mu.Lock()
	defer m.mu.Unlock()
	stream := incident.StreamOf(caseID)
	for i, p := range payloads {
		data, err := incident.EncodePayload(p)
		if err != nil {
			panic(err)
		}
		m.position++
		se := workflows.StoredEvent{
			ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", m.position*100+int64(i)), Type: p.EventType(),
			Version: int64(len(m.streams[stream])) + 1, Data: data, Actor: actor,
			OccurredAt: t0.Add(time.Hour), GlobalPosition: m.position,
		}
		m.streams[stream] = append(m.streams[stream], se)
		m.ids[se.ID] = se
	}
}
