package incident

// Actions checked by authorization besides the commands a user sends, whose
// action is the command's name (CmdReportIncident, CmdTriageCase, ...). The
// roles allowed each action are api's permissions table
// (docs/ARCHITECTURE.md, "Lifecycle").
const (
	// ActionReadCase guards case, caseByNumber and cases, and the merge of
	// a report into a case (the reporter must be allowed to read it).
	ActionReadCase = "readCase"
	// ActionReadHistory guards Case.history, caseAsOf and verifyCase.
	ActionReadHistory = "readHistory"
	// ActionReadStats guards stats.
	ActionReadStats = "readStats"
	// ActionReadOfficialAccounts guards officialAccounts and checkAccount
	// (the registry is one for the deployment: a grant of a role allowed
	// it on any unit opens all of it).
	ActionReadOfficialAccounts = "readOfficialAccounts"
	// ActionRegisterOfficialAccount guards registerOfficialAccount.
	ActionRegisterOfficialAccount = "registerOfficialAccount"
	// ActionReadAdminHistory guards adminHistory (checked on every root unit).
	ActionReadAdminHistory = "readAdminHistory"
)

// Actions returns every action authorization knows, in the order of
// docs/ARCHITECTURE.md: the commands a user sends (not the system's
// CmdMergeReport and CmdSendEscalation, which no one is granted), then the
// other actions above.
func Actions() []string {
	return []string{
		CmdReportIncident, CmdTriageCase, CmdAssignCase, CmdStartAnalysis, CmdRecordAnalysis,
		CmdAddEvidence, CmdRequestTakedown, CmdRecordTakedownResponse, CmdRequestEscalation,
		CmdApproveEscalation, CmdDeclineEscalation, CmdRecordEscalationResponse, CmdResolveCase,
		CmdCloseCase, CmdRejectCase, CmdReopenCase, CmdAddComment,
		ActionReadCase, ActionReadHistory, ActionReadStats, ActionReadOfficialAccounts,
		ActionRegisterOfficialAccount, ActionReadAdminHistory,
	}
}
