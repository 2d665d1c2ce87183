package schema

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/graphql-go/graphql"

	"casetrail/eventstore"
	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// commandArgs builds a command from a mutation's arguments.
type commandArgs func(args map[string]any) (incident.Command, error)

func (r *resolver) mutationType() *graphql.Object {
	t := r.t
	id := &graphql.ArgumentConfig{Type: nn(graphql.ID)}
	ev := &graphql.ArgumentConfig{Type: graphql.Int}
	str := &graphql.ArgumentConfig{Type: nn(graphql.String)}
	opt := &graphql.ArgumentConfig{Type: graphql.String}
	args := func(extra graphql.FieldConfigArgument) graphql.FieldConfigArgument {
		a := graphql.FieldConfigArgument{"id": id, "expectedVersion": ev}
		for k, v := range extra {
			a[k] = v
		}
		return a
	}
	cmd := func(action string, a graphql.FieldConfigArgument, build commandArgs) *graphql.Field {
		return &graphql.Field{Type: nn(t.caseT), Args: a, Resolve: r.guard(action, func(p graphql.ResolveParams) (any, error) {
			return r.execute(p, action, build)
		})}
	}
	m := graphql.NewObject(graphql.ObjectConfig{Name: "Mutation", Fields: graphql.Fields{
		"reportIncident": {Type: nn(t.reportPayload), Args: graphql.FieldConfigArgument{"input": {Type: nn(t.reportInput)}},
			Resolve: r.guard(incident.CmdReportIncident, r.reportIncident)},
		"triageCase": cmd(incident.CmdTriageCase, args(graphql.FieldConfigArgument{
			"severity": {Type: nn(t.severity)}, "assignee": str, "note": opt,
		}), func(a map[string]any) (incident.Command, error) {
			sev, _ := a["severity"].(incident.Severity)
			return incident.Triage{Severity: sev, Assignee: argString(a, "assignee"), Note: argString(a, "note")}, nil
		}),
		"assignCase": cmd(incident.CmdAssignCase, args(graphql.FieldConfigArgument{"assignee": str}),
			func(a map[string]any) (incident.Command, error) {
				return incident.Assign{Assignee: argString(a, "assignee")}, nil
			}),
		"startAnalysis": cmd(incident.CmdStartAnalysis, args(nil), func(map[string]any) (incident.Command, error) {
			return incident.StartAnalysis{}, nil
		}),
		"recordAnalysis": cmd(incident.CmdRecordAnalysis, args(graphql.FieldConfigArgument{"input": {Type: nn(t.analysisInput)}}),
			func(a map[string]any) (incident.Command, error) {
				in := argObject(a, "input")
				v, _ := in["verdict"].(incident.Verdict)
				return incident.RecordAnalysis{Findings: argString(in, "findings"), Verdict: v, LegalBasis: argString(in, "legalBasis")}, nil
			}),
		"addEvidence": {Type: nn(t.caseT), Args: graphql.FieldConfigArgument{"id": id, "input": {Type: nn(t.evidenceInput)}},
			Resolve: r.guard(incident.CmdAddEvidence, r.addEvidence)},
		"requestTakedown": cmd(incident.CmdRequestTakedown, args(graphql.FieldConfigArgument{"input": {Type: nn(t.takedownInput)}}),
			func(a map[string]any) (incident.Command, error) {
				return takedownCommand(argObject(a, "input")), nil // schema/takedown_channel.go
			}),
		"recordTakedownResponse": cmd(incident.CmdRecordTakedownResponse, args(graphql.FieldConfigArgument{"input": {Type: nn(t.takedownResponseInput)}}),
			func(a map[string]any) (incident.Command, error) {
				in := argObject(a, "input")
				o, _ := in["outcome"].(incident.TakedownOutcome)
				td, err := idArg(in, "takedownId")
				if err != nil {
					return nil, badInput("input.takedownId", "is not a valid id")
				}
				return incident.RecordTakedownResponse{TakedownID: td, Outcome: o, PlatformReference: argString(in, "platformReference"), Note: argString(in, "note")}, nil
			}),
		"requestEscalation": cmd(incident.CmdRequestEscalation, args(graphql.FieldConfigArgument{"reason": str}),
			func(a map[string]any) (incident.Command, error) {
				return incident.RequestEscalation{Reason: argString(a, "reason")}, nil
			}),
		"approveEscalation": cmd(incident.CmdApproveEscalation, args(withArgs(graphql.FieldConfigArgument{"note": opt}, t.approveEscalationArgs())),
			func(a map[string]any) (incident.Command, error) { // signer, registerNumber: schema/letters.go
				n, given := argInt(a, "registerNumber")
				if given && n < 1 {
					return nil, badInput("registerNumber", "must be 1 or more, not %d", n)
				}
				return incident.ApproveEscalation{Note: argString(a, "note"), Signer: signerArg(a, "signer"), RegisterNumber: n}, nil
			}),
		"declineEscalation": cmd(incident.CmdDeclineEscalation, args(graphql.FieldConfigArgument{"reason": str}),
			func(a map[string]any) (incident.Command, error) {
				return incident.DeclineEscalation{Reason: argString(a, "reason")}, nil
			}),
		"recordEscalationResponse": cmd(incident.CmdRecordEscalationResponse, args(graphql.FieldConfigArgument{
			"response": str, "resolved": {Type: nn(graphql.Boolean)},
			// Beyond the contract (issue 17, §3; schema/recipients.go).
			"recipient": {Type: graphql.ID, Description: "The recipient unit that answered; left out, the addressee"},
		}), func(a map[string]any) (incident.Command, error) {
			res, _ := a["resolved"].(bool)
			return incident.RecordEscalationResponse{Response: argString(a, "response"), Resolved: res, Recipient: argString(a, "recipient")}, nil
		}),
		"resolveCase": cmd(incident.CmdResolveCase, args(graphql.FieldConfigArgument{"resolution": str}),
			func(a map[string]any) (incident.Command, error) {
				return incident.Resolve{Resolution: argString(a, "resolution")}, nil
			}),
		"closeCase": cmd(incident.CmdCloseCase, args(graphql.FieldConfigArgument{"note": opt}),
			func(a map[string]any) (incident.Command, error) {
				return incident.Close{Note: argString(a, "note")}, nil
			}),
		"rejectCase": cmd(incident.CmdRejectCase, args(graphql.FieldConfigArgument{"reason": str}),
			func(a map[string]any) (incident.Command, error) {
				return incident.Reject{Reason: argString(a, "reason")}, nil
			}),
		"reopenCase": cmd(incident.CmdReopenCase, args(graphql.FieldConfigArgument{"reason": str}),
			func(a map[string]any) (incident.Command, error) {
				return incident.Reopen{Reason: argString(a, "reason")}, nil
			}),
		"addComment": {Type: nn(t.caseT), Args: graphql.FieldConfigArgument{"id": id, "text": str},
			Resolve: r.guard(incident.CmdAddComment, func(p graphql.ResolveParams) (any, error) {
				return r.execute(p, incident.CmdAddComment, func(a map[string]any) (incident.Command, error) {
					return incident.Comment{Text: argString(a, "text")}, nil
				})
			})},
		"registerOfficialAccount": {Type: nn(t.officialAccount), Args: graphql.FieldConfigArgument{
			"unit": id, "platform": {Type: nn(t.platform)}, "url": str, "displayName": str,
			"reason": {Type: graphql.String, Description: "Why the account is registered (kept on the admin stream)"},
		}, Resolve: r.guard(incident.ActionRegisterOfficialAccount, r.registerOfficialAccount)},
	}})
	for name, f := range r.adminMutations() { // schema/admin_graph.go
		m.AddFieldConfig(name, f)
	}
	for name, f := range r.taskMutations(cmd, args) { // schema/tasks.go
		m.AddFieldConfig(name, f)
	}
	return m
}

// execute runs the command of mutation action on case id: NOT_FOUND for an
// unknown case, FORBIDDEN outside the caller's units, then the command with
// expectedVersion (a mismatch comes back as CONFLICT), then a wait until the
// read model has the result, so the caller's next read sees it.
func (r *resolver) execute(p graphql.ResolveParams, action string, build commandArgs) (any, error) {
	sub, err := subject(p.Context)
	if err != nil {
		return nil, err
	}
	id, err := idArg(p.Args, "id")
	if err != nil {
		return nil, err
	}
	if _, err := r.caseFor(p.Context, sub, action, id); err != nil {
		return nil, err
	}
	var expected *int64
	if v, ok := argInt(p.Args, "expectedVersion"); ok {
		if v < 0 {
			return nil, badInput("expectedVersion", "must not be negative, got %d", v)
		}
		n := int64(v)
		expected = &n
	}
	cmd, err := build(p.Args)
	if err != nil {
		return nil, err
	}
	c, err := r.commands.Execute(p.Context, id, sub, commandRequestID(p.Context, responsePath(p)), expected, cmd)
	if err != nil {
		return nil, err
	}
	r.waitFor(p.Context, action, c.Position)
	return &c, nil
}

// responsePath is the response key path of the field being resolved.
func responsePath(p graphql.ResolveParams) string {
	var keys []string
	for at := p.Info.Path; at != nil; at = at.Prev {
		keys = append(keys, fmt.Sprint(at.Key))
	}
	for i, j := 0, len(keys)-1; i < j; i, j = i+1, j-1 {
		keys[i], keys[j] = keys[j], keys[i]
	}
	return strings.Join(keys, ".")
}

// waitFor lets the projection catch up with position within the request's
// time. The command is already durable, so a failed wait is only logged: the
// caller still gets the command's result.
func (r *resolver) waitFor(ctx context.Context, op string, position int64) {
	if position <= 0 {
		return
	}
	if err := r.progress.WaitFor(ctx, position); err != nil {
		r.log.WarnContext(ctx, "read model did not catch up", "op", op, "position", position, "err", err)
	}
}

// reportIncident takes a report in through the intake service: it opens a
// case, or returns the case an earlier report with the same clientRequestId
// opened or merged into, or merges the report into an open case with one of
// its subjects (intake.Service.Report).
func (r *resolver) reportIncident(p graphql.ResolveParams) (any, error) {
	sub, err := subject(p.Context)
	if err != nil {
		return nil, err
	}
	in := argObject(p.Args, "input")
	kind, _ := in["kind"].(incident.Kind)
	rep := incident.Report{
		ClientRequestID: argString(in, "clientRequestId"),
		Kind:            kind,
		Unit:            argString(in, "unit"),
		Title:           argString(in, "title"),
		Description:     argString(in, "description"),
	}
	for _, s := range argList[map[string]any](in, "subjects") {
		pf, _ := s["platform"].(incident.Platform)
		rep.Subjects = append(rep.Subjects, incident.SubjectInput{Platform: pf, URL: argString(s, "url"), DisplayName: argString(s, "displayName")})
	}
	res, err := r.intake.Report(p.Context, sub, rep)
	if err != nil {
		return nil, err
	}
	return &reportPayload{c: &res.Case, merged: res.Merged}, nil
}

// intakeReads are the lookups of the intake (intake.Reads): the
// projections, the registry and the projector's progress.
type intakeReads struct {
	Cases
	Registry
	Progress
}

// intakeUnits checks the unit of a report against the registry the request
// has loaded (knownUnit: NOT_FOUND on the argument "unit").
type intakeUnits struct{ r *resolver }

func (u intakeUnits) CheckUnit(ctx context.Context, unit string) error {
	return u.r.knownUnit(ctx, "unit", unit)
}

func (u intakeUnits) UnitTree(ctx context.Context) (*incident.UnitTree, error) {
	s := u.r.state(ctx)
	if err := s.loadUnits(ctx); err != nil {
		return nil, err
	}
	return s.tree, nil
}

// maxEvidenceBase64 bounds the base64 text read before decoding: the
// encoding of MaxEvidence bytes plus room for line breaks.
var maxEvidenceBase64 = base64.StdEncoding.EncodedLen(incident.MaxEvidence) * 103 / 100

func (r *resolver) addEvidence(p graphql.ResolveParams) (any, error) {
	ctx := p.Context
	sub, err := subject(ctx)
	if err != nil {
		return nil, err
	}
	id, err := idArg(p.Args, "id")
	if err != nil {
		return nil, err
	}
	c, err := r.caseFor(ctx, sub, incident.CmdAddEvidence, id)
	if err != nil {
		return nil, err
	}
	in := argObject(p.Args, "input")
	desc, err := incident.CleanText("input.description", argString(in, "description"), true, incident.MaxText)
	if err != nil {
		return nil, err
	}
	mediaType, err := incident.CleanText("input.mediaType", argString(in, "mediaType"), true, incident.MaxMediaType)
	if err != nil {
		return nil, err
	}
	url := argString(in, "url")
	if url != "" {
		if url, err = cleanURL("input.url", url); err != nil {
			return nil, err
		}
	}
	content, err := decodeEvidence(argString(in, "contentBase64"))
	if err != nil {
		return nil, err
	}
	digest := sha256.Sum256(content)
	cmd := incident.AddEvidence{
		Description: desc, URL: url, MediaType: mediaType, SHA256: hex.EncodeToString(digest[:]), SizeBytes: int64(len(content)),
	}
	// Decide before storing: blobs are never deleted, so a command the case
	// refuses (its status, its input) must store nothing. The workflow
	// decides again on the case as it is when the command arrives.
	if _, err := incident.Decide(*c, cmd, time.Now(), incident.DefaultPolicy()); err != nil {
		return nil, err
	}
	if err := r.checkEvidenceQuota(ctx, sub, int64(len(content))); err != nil {
		return nil, err
	}
	sum, err := r.blobs.PutBlob(ctx, mediaType, content)
	if errors.Is(err, eventstore.ErrInvalid) {
		return nil, incident.BadInput("contentBase64", "%v", err)
	}
	if err != nil {
		return nil, err
	}
	if sum != cmd.SHA256 {
		return nil, fmt.Errorf("add evidence: blob stored as %s, content hashes to %s", sum, cmd.SHA256)
	}
	after, err := r.commands.Execute(ctx, id, sub, commandRequestID(ctx, responsePath(p)), nil, cmd)
	if err != nil {
		return nil, err
	}
	r.waitFor(ctx, incident.CmdAddEvidence, after.Position)
	return &after, nil
}

// checkEvidenceQuota refuses (BAD_USER_INPUT on input.contentBase64) evidence
// of size bytes that would take sub's evidence over the quota.
func (r *resolver) checkEvidenceQuota(ctx context.Context, sub string, size int64) error {
	if r.evidenceQuota < 0 {
		return nil
	}
	used, err := r.projected.EvidenceBytes(ctx, sub)
	if err != nil {
		return err
	}
	if used+size > r.evidenceQuota {
		return badInput("input.contentBase64", "evidence storage quota exceeded: you have added %s of evidence, this file is %s "+
			"and each user may add at most %s (stored evidence is never deleted); ask an administrator to raise CASETRAIL_EVIDENCE_QUOTA",
			byteSize(used), byteSize(size), byteSize(r.evidenceQuota))
	}
	return nil
}

// byteSize prints n bytes for people: bytes, KiB or MiB.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// decodeEvidence decodes standard base64 (padded or not, line breaks
// allowed) of at most incident.MaxEvidence bytes.
func decodeEvidence(s string) ([]byte, error) {
	const field = "input.contentBase64"
	if len(s) > maxEvidenceBase64 {
		return nil, badInput(field, "is larger than %d bytes decoded", incident.MaxEvidence)
	}
	// The decoder skips line breaks; padding is optional.
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(strings.TrimSpace(s), "="))
	if err != nil {
		return nil, badInput(field, "is not valid base64")
	}
	if len(b) == 0 {
		return nil, badInput(field, "is empty")
	}
	if len(b) > incident.MaxEvidence {
		return nil, badInput(field, "is %d bytes decoded; at most %d are allowed", len(b), incident.MaxEvidence)
	}
	return b, nil
}

func (r *resolver) registerOfficialAccount(p graphql.ResolveParams) (any, error) {
	ctx := p.Context
	sub, err := subject(ctx)
	if err != nil {
		return nil, err
	}
	unit, err := idArg(p.Args, "unit")
	if err != nil {
		return nil, err
	}
	if err := r.knownUnit(ctx, "unit", unit); err != nil {
		return nil, err
	}
	if err := r.allow(sub, incident.ActionRegisterOfficialAccount, unit); err != nil {
		return nil, err
	}
	platform, _ := p.Args["platform"].(incident.Platform)
	url, err := cleanURL("url", argString(p.Args, "url"))
	if err != nil {
		return nil, err
	}
	name, err := incident.CleanText("displayName", argString(p.Args, "displayName"), true, incident.MaxShortText)
	if err != nil {
		return nil, err
	}
	reason, err := adminReason(p.Args, false) // schema/admin_graph.go
	if err != nil {
		return nil, err
	}
	a, err := r.registrar.RegisterOfficialAccount(ctx, readmodel.Change{Actor: sub, Reason: reason}, unit, platform, url, name)
	if err != nil {
		return nil, err
	}
	return &a, nil
}
