package incident

import (
	"fmt"
	"slices"
	"time"
)

// TakedownChannel is how a takedown request reaches its platform (issue 17,
// §2). Decree 147/2024/NĐ-CP, Art. 23's 24 hours run from a request of a
// competent authority, not from an office's report through the platform's
// own form, so the channel decides what a takedown's deadline means.
type TakedownChannel string

const (
	// TakedownPlatformReport is the office's own report through the
	// platform's form or contact: its deadline is a follow-up (when to
	// chase the platform), not a legal one. The default.
	TakedownPlatformReport TakedownChannel = "PLATFORM_REPORT"
	// TakedownAuthorityRequest is a removal request of a competent
	// authority (the ministry's department, the police cybersecurity unit,
	// the provincial department), named in Takedown.Authority: its
	// deadline is the legal one of Decree 147/2024, Art. 23.
	TakedownAuthorityRequest TakedownChannel = "AUTHORITY_REQUEST"
)

// TakedownChannels are the channels, in the contract's order.
var TakedownChannels = []TakedownChannel{TakedownPlatformReport, TakedownAuthorityRequest}

// ValidTakedownChannel reports whether ch is one of TakedownChannels.
func ValidTakedownChannel(ch TakedownChannel) bool { return slices.Contains(TakedownChannels, ch) }

// Via returns the channel t went through: the one its event recorded, and
// PLATFORM_REPORT for a takedown recorded before channels existed (its
// event has none; no authority request is on record for it, and its
// deadline stays the one its events gave it, from takedownResponse).
func (t Takedown) Via() TakedownChannel {
	if t.Channel == "" {
		return TakedownPlatformReport
	}
	return t.Channel
}

// LegalDeadline is when the platform must have answered by law: the due
// time of an AUTHORITY_REQUEST takedown, nil for a platform report.
func (t Takedown) LegalDeadline() *time.Time {
	if t.Via() != TakedownAuthorityRequest {
		return nil
	}
	due := t.DueAt
	return &due
}

// FollowUpAt is when the office chases the platform about a platform
// report that has not been answered: the due time of a PLATFORM_REPORT
// takedown, nil for an authority request.
func (t Takedown) FollowUpAt() *time.Time {
	if t.Via() != TakedownPlatformReport {
		return nil
	}
	due := t.DueAt
	return &due
}

// cleanTakedownChannel checks the channel and the authority of a takedown
// request: an empty channel is PLATFORM_REPORT; an AUTHORITY_REQUEST names
// the authority that sent it, and a PLATFORM_REPORT names none (it is the
// office's own report).
func cleanTakedownChannel(t RequestTakedown) (TakedownChannel, string, error) {
	ch := t.Channel
	if ch == "" {
		ch = TakedownPlatformReport
	}
	if !ValidTakedownChannel(ch) {
		return "", "", BadInput("channel", "unknown takedown channel %q (PLATFORM_REPORT or AUTHORITY_REQUEST)", ch)
	}
	authority, err := CleanText("authority", t.Authority, ch == TakedownAuthorityRequest, MaxShortText)
	if err != nil {
		return "", "", err
	}
	if ch == TakedownPlatformReport && authority != "" {
		return "", "", BadInput("authority", "names the authority of an AUTHORITY_REQUEST; a PLATFORM_REPORT is the office's own report and has none")
	}
	return ch, authority, nil
}

// ChannelSpan is how long a takedown of one channel waits for its
// platform: clock time, or working days of the policy's calendar (exactly
// one of them is set).
type ChannelSpan struct {
	Duration    time.Duration `json:"duration,omitempty"`
	WorkingDays int           `json:"workingDays,omitempty"`
}

// ForChannel returns the policy a takedown of channel ch runs under: p
// with the TAKEDOWN_RESPONSE span replaced by TakedownResponseByChannel's
// value for ch, or p itself when it gives none (takedownResponse applies
// to every takedown then). Its Due, Days and SpanText are the channel's.
func (p Policy) ForChannel(ch TakedownChannel) Policy {
	s, ok := p.TakedownResponseByChannel[ch]
	if !ok {
		return p
	}
	q := p
	q.WorkingDays = make(map[DeadlineKind]map[Severity]int, len(p.WorkingDays)+1)
	for k, v := range p.WorkingDays {
		if k != DeadlineTakedownResponse {
			q.WorkingDays[k] = v
		}
	}
	if s.WorkingDays > 0 {
		days := make(map[Severity]int, len(Severities))
		for _, sev := range Severities {
			days[sev] = s.WorkingDays
		}
		q.WorkingDays[DeadlineTakedownResponse] = days
	} else {
		q.TakedownResponse = s.Duration
	}
	return q
}

// validateChannelSpans checks TakedownResponseByChannel: known channels,
// each with one positive span.
func (p Policy) validateChannelSpans() error {
	for ch, s := range p.TakedownResponseByChannel {
		if !ValidTakedownChannel(ch) {
			return fmt.Errorf("policy: takedownResponseByChannel: unknown channel %q (PLATFORM_REPORT or AUTHORITY_REQUEST)", ch)
		}
		if (s.Duration > 0) == (s.WorkingDays > 0) || s.Duration < 0 || s.WorkingDays < 0 {
			return fmt.Errorf("policy: takedownResponseByChannel: %s needs one positive duration or number of working days", ch)
		}
	}
	return nil
}

// deadlinePolicy is the policy a deadline of kind for ref runs under: a
// takedown's response deadline runs under its channel's span.
func (b *batch) deadlinePolicy(kind DeadlineKind, ref string) Policy {
	if kind == DeadlineTakedownResponse {
		if t := b.c.Takedown(ref); t != nil {
			return b.p.ForChannel(t.Via())
		}
	}
	return b.p
}
