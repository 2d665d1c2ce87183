package workflows

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// The Schedule of the leaders' digest: a Temporal Schedule (the engine's
// own feature: `temporal schedule list` shows it) that starts DailyDigest
// on the case task queue every day at one time of day in Vietnam. serve and
// worker make it so at every start (EnsureDigestSchedule).

// DigestScheduleID is the id of the digest's Schedule (and the prefix of
// the ids of the workflows it starts: the server appends the time).
const DigestScheduleID = "casetrail-daily-digest"

// DigestTimeZone is the zone the schedule's time of day is in.
const DigestTimeZone = "Asia/Ho_Chi_Minh"

// DefaultDigestAt is the time of day of the digest when none is configured.
const DefaultDigestAt = "07:30"

// DigestCatchupWindow is how late the schedule still starts a digest the
// server missed (it was down at the time): a digest of the morning is
// still worth sending before noon, not in the afternoon.
const DigestCatchupWindow = 4 * time.Hour

// digestRunTimeout bounds one run, so that a run stuck without a worker
// does not make the schedule skip the next days (overlap policy skip).
const digestRunTimeout = 2 * time.Hour

// DigestAt is the time of day of the digest, or Off.
type DigestAt struct {
	Hour, Minute int
	// Off disables the digest: the schedule is deleted.
	Off bool
}

// ParseDigestAt reads "HH:MM" (24-hour clock, Vietnam time; "7:30" too) or
// "off"; "" is DefaultDigestAt.
func ParseDigestAt(s string) (DigestAt, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "":
		s = DefaultDigestAt
	case "off":
		return DigestAt{Off: true}, nil
	}
	h, m, ok := strings.Cut(s, ":")
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || len(h) < 1 || len(h) > 2 ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return DigestAt{}, fmt.Errorf("digest time %q: want HH:MM (00:00 to 23:59, %s) or off", s, DigestTimeZone)
	}
	return DigestAt{Hour: hour, Minute: minute}, nil
}

// String returns "07:30" or "off".
func (a DigestAt) String() string {
	if a.Off {
		return "off"
	}
	return fmt.Sprintf("%02d:%02d", a.Hour, a.Minute)
}

// Spec returns the schedule's spec: every day at a's time, second 0, in
// DigestTimeZone.
func (a DigestAt) Spec() client.ScheduleSpec {
	return client.ScheduleSpec{
		Calendars: []client.ScheduleCalendarSpec{{
			Second:  []client.ScheduleRange{{Start: 0}},
			Minute:  []client.ScheduleRange{{Start: a.Minute}},
			Hour:    []client.ScheduleRange{{Start: a.Hour}},
			Comment: "CaseTrail: tổng hợp hằng ngày cho lãnh đạo",
		}},
		TimeZoneName: DigestTimeZone,
	}
}

// DigestAction is what the schedule does: start DailyDigest on TaskQueue.
func DigestAction() *client.ScheduleWorkflowAction {
	return &client.ScheduleWorkflowAction{
		ID:                       DigestScheduleID,
		Workflow:                 DigestWorkflowName,
		Args:                     []any{DigestInput{}},
		TaskQueue:                TaskQueue,
		WorkflowExecutionTimeout: digestRunTimeout,
	}
}

// digestPolicies: a run still going when the next is due makes the next
// one skip; missed runs are caught up within DigestCatchupWindow.
func digestPolicies() *client.SchedulePolicies {
	return &client.SchedulePolicies{
		Overlap:       enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		CatchupWindow: DigestCatchupWindow,
	}
}

// What EnsureDigestSchedule did.
const (
	ScheduleCreated   = "created"
	ScheduleUpdated   = "updated"
	ScheduleUnchanged = "unchanged"
	ScheduleDeleted   = "deleted"
	ScheduleAbsent    = "absent"
)

// EnsureDigestSchedule makes the digest's Schedule as a says: created when
// missing, updated when its time, zone, action or policies differ (a
// paused schedule stays paused: only an operator unpauses it), deleted
// when a is Off. It is idempotent and safe to run from several processes
// at once; it returns what it did (Schedule*).
func EnsureDigestSchedule(ctx context.Context, c client.Client, a DigestAt) (string, error) {
	sc := c.ScheduleClient()
	if a.Off {
		err := sc.GetHandle(ctx, DigestScheduleID).Delete(ctx)
		var nf *serviceerror.NotFound
		switch {
		case errors.As(err, &nf):
			return ScheduleAbsent, nil
		case err != nil:
			return "", fmt.Errorf("delete schedule %s: %w", DigestScheduleID, err)
		}
		return ScheduleDeleted, nil
	}
	spec := a.Spec()
	_, err := sc.Create(ctx, client.ScheduleOptions{
		ID:            DigestScheduleID,
		Spec:          spec,
		Action:        DigestAction(),
		Overlap:       enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		CatchupWindow: DigestCatchupWindow,
		Note:          "CASETRAIL_DIGEST_AT=" + a.String(),
	})
	if err == nil {
		return ScheduleCreated, nil
	}
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return "", fmt.Errorf("create schedule %s: %w", DigestScheduleID, err)
	}
	did := ScheduleUnchanged
	err = sc.GetHandle(ctx, DigestScheduleID).Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			s := in.Description.Schedule
			if digestScheduleIs(s, a) {
				did = ScheduleUnchanged
				return nil, temporal.ErrSkipScheduleUpdate
			}
			did = ScheduleUpdated
			s.Spec, s.Action, s.Policy = &spec, DigestAction(), digestPolicies()
			return &client.ScheduleUpdate{Schedule: &s}, nil
		},
	})
	if err != nil {
		return "", fmt.Errorf("update schedule %s: %w", DigestScheduleID, err)
	}
	return did, nil
}

// digestScheduleIs reports whether s is the digest's schedule at a: one
// calendar at a's hour, minute and second 0 every day in DigestTimeZone, no
// other times, the DailyDigest action on TaskQueue, our policies.
func digestScheduleIs(s client.Schedule, a DigestAt) bool {
	if s.Spec == nil || s.Policy == nil || s.Spec.TimeZoneName != DigestTimeZone ||
		len(s.Spec.Calendars) != 1 || len(s.Spec.Intervals) != 0 || len(s.Spec.CronExpressions) != 0 || len(s.Spec.Skip) != 0 {
		return false
	}
	cal := s.Spec.Calendars[0]
	if !CalendarAt(cal, a.Hour, a.Minute) {
		return false
	}
	act, ok := s.Action.(*client.ScheduleWorkflowAction)
	if !ok || act.Workflow != DigestWorkflowName || act.TaskQueue != TaskQueue || act.WorkflowExecutionTimeout != digestRunTimeout {
		return false
	}
	return s.Policy.Overlap == enumspb.SCHEDULE_OVERLAP_POLICY_SKIP && s.Policy.CatchupWindow == DigestCatchupWindow
}

// CalendarAt reports whether cal matches exactly hour:minute:00 of every
// day (as the server describes a calendar: an unset day, month or weekday
// comes back as the full range).
func CalendarAt(cal client.ScheduleCalendarSpec, hour, minute int) bool {
	one := func(r []client.ScheduleRange, v int) bool {
		return len(r) == 1 && r[0].Start == v && (r[0].End == 0 || r[0].End == v)
	}
	all := func(r []client.ScheduleRange, lo, hi int) bool {
		return len(r) == 0 || (len(r) == 1 && r[0].Start == lo && r[0].End == hi && r[0].Step <= 1)
	}
	return one(cal.Second, 0) && one(cal.Minute, minute) && one(cal.Hour, hour) &&
		all(cal.DayOfMonth, 1, 31) && all(cal.Month, 1, 12) && all(cal.DayOfWeek, 0, 6) && len(cal.Year) == 0
}
