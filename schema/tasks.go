package schema

import (
	"github.com/graphql-go/graphql"

	"casetrail/incident"
)

// The playbooks' additions (issue 17, §1), all additive: Case.tasks (the
// playbook's tasks instantiated at triage), completeTask and waiveTask.
// resolveCase answers INVALID_TRANSITION naming the required tasks still
// open (incident.Case.OpenRequiredTasks).

// taskFields adds Case.tasks and its types; called from buildTypes.
func (r *resolver) taskFields(t *types) {
	t.taskState = enumOf("TaskState", "Where a playbook task stands", []incident.TaskState{
		incident.TaskStateOpen, incident.TaskStateDone, incident.TaskStateWaived,
	}, map[incident.TaskState]string{
		incident.TaskStateOpen:   "Neither done nor waived",
		incident.TaskStateDone:   "Done (completeTask)",
		incident.TaskStateWaived: "Waived with a reason (waiveTask)",
	})
	task := graphql.NewObject(graphql.ObjectConfig{Name: "Task", Description: "A task of the playbook for the case's kind (Nhiệm vụ), instantiated at triage", Fields: graphql.Fields{
		"id":    field(nn(graphql.ID), "", src(func(x *incident.Task) any { return x.ID })),
		"title": field(nn(graphql.String), "", src(func(x *incident.Task) any { return x.Title })),
		"required": field(nn(graphql.Boolean), "A required task must be done or waived before resolveCase",
			src(func(x *incident.Task) any { return x.Required })),
		"role": field(t.role, "The role that does it, as the playbook says (shown, not enforced)",
			src(func(x *incident.Task) any { return optString(x.Role) })),
		"dueAt": field(DateTime, "When the playbook wants it done (no timer is armed)",
			src(func(x *incident.Task) any { return optTime(x.DueAt) })),
		"recordsUrl": field(nn(graphql.Boolean), "completeTask needs the URL of what the task published (a correction, a public warning)",
			src(func(x *incident.Task) any { return x.RecordsURL })),
		"state": field(nn(t.taskState), "", src(func(x *incident.Task) any { return x.State })),
		"note":  field(graphql.String, "", src(func(x *incident.Task) any { return optString(x.Note) })),
		"url":   field(graphql.String, "What the task published", src(func(x *incident.Task) any { return optString(x.URL) })),
		"reason": field(graphql.String, "Why it was waived",
			src(func(x *incident.Task) any { return optString(x.Reason) })),
		"settledBy": field(graphql.String, "", src(func(x *incident.Task) any { return optString(x.SettledBy) })),
		"settledAt": field(DateTime, "", src(func(x *incident.Task) any { return optTime(x.SettledAt) })),
	}})
	t.caseT.AddFieldConfig("tasks", field(listOf(task), "The playbook's tasks for the case's kind, from triage on; empty for cases opened under a policy without playbooks",
		src(func(c *incident.Case) any { return ptrs(c.Tasks) })))
	t.caseT.AddFieldConfig("openRequiredTasks", field(listOf(graphql.ID), "The ids of the required tasks neither done nor waived: resolveCase waits for them",
		src(func(c *incident.Case) any { return c.OpenRequiredTasks() })))
}

// taskMutations are completeTask and waiveTask, built like the lifecycle's
// commands (mutationType's cmd and args).
func (r *resolver) taskMutations(cmd func(string, graphql.FieldConfigArgument, commandArgs) *graphql.Field,
	args func(graphql.FieldConfigArgument) graphql.FieldConfigArgument) graphql.Fields {
	taskID := &graphql.ArgumentConfig{Type: nn(graphql.ID)}
	opt := &graphql.ArgumentConfig{Type: graphql.String}
	return graphql.Fields{
		"completeTask": cmd(incident.CmdCompleteTask, args(graphql.FieldConfigArgument{"taskId": taskID, "note": opt, "url": opt}),
			func(a map[string]any) (incident.Command, error) {
				return incident.CompleteTask{TaskID: argString(a, "taskId"), Note: argString(a, "note"), URL: argString(a, "url")}, nil
			}),
		"waiveTask": cmd(incident.CmdWaiveTask, args(graphql.FieldConfigArgument{"taskId": taskID, "reason": {Type: nn(graphql.String)}}),
			func(a map[string]any) (incident.Command, error) {
				return incident.WaiveTask{TaskID: argString(a, "taskId"), Reason: argString(a, "reason")}, nil
			}),
	}
}
