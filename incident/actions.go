package incident

// Actions checked by authorization besides the commands a user sends, whose
// action is the command's name (CmdReportIncident, CmdTriageCase, ...). The
// roles allowed each action are api's permissions table
// (docs/ARCHITECTURE.md, "Lifecycle").
const (
	// ActionReadCase guards case, caseByNumber and cases.
	ActionReadCase = "readCase"
	// ActionJoinCase guards the merge of a report into an open case of
	// the unit (intake): the roles that read cases, and PUBLIC, the role
	// of the citizens' report form (PublicSubject), whose reports join
	// the open case about their subject without reading it (issue 18).
	ActionJoinCase = "joinCase"
	// ActionReadPublicReporters guards Case.publicReporters: the name and
	// phone a citizen left with a public report, for the handlers and
	// leaders of the case's unit only (issue 18).
	ActionReadPublicReporters = "readPublicReporters"
	// ActionReadHistory guards Case.history, caseAsOf and verifyCase.
	ActionReadHistory = "readHistory"
	// ActionReadStats guards stats.
	ActionReadStats = "readStats"
	// ActionReadOfficialAccounts guards officialAccounts and checkAccount
	// (the registry is one for the deployment: a grant of a role allowed
	// it on any unit opens all of it).
	ActionReadOfficialAccounts = "readOfficialAccounts"
	// ActionRegisterOfficialAccount guards registerOfficialAccount and the
	// changes of a registered account (updateOfficialAccount,
	// setOfficialAccountVerified, setOfficialAccountDisabled), on the
	// account's unit (and, when it moves, the new one).
	ActionRegisterOfficialAccount = "registerOfficialAccount"
	// ActionReadAdminHistory guards adminHistory (checked on every root unit).
	ActionReadAdminHistory = "readAdminHistory"
	// ActionManageUnits guards createUnit (on the parent; a new root on
	// every root), updateUnit (on the unit, and on a new parent) and
	// closeUnit (on the unit).
	ActionManageUnits = "manageUnits"
	// ActionManageUsers guards users, user, createUser, resetPassword and
	// setUserDisabled (on every unit the user holds a grant on; a user
	// without grants: anywhere), grantRole and revokeRole (on the unit).
	ActionManageUsers = "manageUsers"
	// ActionReadPeriodicReport guards periodicReport (the báo cáo định kỳ
	// of a unit, checked on that unit) and its downloads.
	ActionReadPeriodicReport = "readPeriodicReport"
	// ActionReadCaseFile guards Case.caseFileUrl and the case file (hồ sơ
	// vụ việc) it links: the case's ZIP with its summary, history,
	// evidence, letters and manifest (casefile/).
	ActionReadCaseFile = "readCaseFile"
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
		CmdCloseCase, CmdRejectCase, CmdReopenCase, CmdAddComment, CmdCompleteTask, CmdWaiveTask,
		ActionReadCase, ActionReadHistory, ActionReadStats, ActionReadOfficialAccounts,
		ActionRegisterOfficialAccount, ActionReadAdminHistory, ActionReadPeriodicReport,
		ActionManageUnits, ActionManageUsers, ActionReadCaseFile,
		ActionJoinCase, ActionReadPublicReporters,
	}
}
