package incident

import "time"

// caseCommands are the commands sent to an existing case, each with empty
// input: Available asks Decide about them.
var caseCommands = []Command{
	MergeReport{}, Triage{}, Assign{}, StartAnalysis{}, RecordAnalysis{},
	AddEvidence{}, RequestTakedown{}, RecordTakedownResponse{},
	RequestEscalation{}, ApproveEscalation{}, DeclineEscalation{},
	SendEscalation{}, RecordEscalationResponse{}, Resolve{}, Close{},
	Reject{}, Reopen{}, Comment{}, CompleteTask{}, WaiveTask{},
}

// Available returns the names of the commands the state of c allows at now,
// in lifecycle order: those Decide would accept with some valid input. It
// asks Decide itself, with empty input, and keeps every command Decide
// refuses only for its input (BAD_USER_INPUT) or not at all, so the answer
// follows the same rules a command meets; the caller's role is not its
// business. A command on one item (a takedown, the escalation) is available
// when the case's state allows it for some item.
func Available(c Case, now time.Time, p Policy) []string {
	if c.Version == 0 {
		return nil
	}
	var out []string
	for _, cmd := range caseCommands {
		if _, ok := cmd.(RecordTakedownResponse); ok {
			if len(RespondableTakedowns(c, now, p)) > 0 {
				out = append(out, cmd.Name())
			}
			continue
		}
		if accepts(c, cmd, now, p) {
			out = append(out, cmd.Name())
		}
	}
	return out
}

// RespondableTakedowns returns the ids of the takedowns of c that a
// platform's response may be recorded for now.
func RespondableTakedowns(c Case, now time.Time, p Policy) []string {
	var out []string
	for _, t := range c.Takedowns {
		if accepts(c, RecordTakedownResponse{TakedownID: t.ID}, now, p) {
			out = append(out, t.ID)
		}
	}
	return out
}

// accepts reports whether Decide refuses cmd on c at most for its input.
func accepts(c Case, cmd Command, now time.Time, p Policy) bool {
	_, err := Decide(c, cmd, now, p)
	return err == nil || ErrorCode(err) == CodeBadUserInput
}
