package schema

import (
	"context"

	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// The administration of issue 15 (units, users and grants, the registry of
// official accounts) in the graph, all additive: the resolvers authorize
// the caller (ADMIN of a unit acts within its subtree: manageUnits,
// manageUsers, registerOfficialAccount) and hand the change, with the
// caller as actor and the reason, to the administration, which checks it
// against the stored state, records it on the admin stream and makes it
// (readmodel.Admin; the rules of the unit tree are incident's).

// Administration makes the administrative changes and reads the users
// (readmodel.Admin). Errors a caller can fix are *incident.Error naming
// the field.
type Administration interface {
	// CreateUnit adds a unit.
	CreateUnit(ctx context.Context, ch readmodel.Change, u incident.Unit) (incident.Unit, error)
	// UpdateUnit changes the unit id as c says.
	UpdateUnit(ctx context.Context, ch readmodel.Change, id string, c readmodel.UnitChange) (incident.Unit, error)
	// CloseUnit closes unit id, its new reports going to successor.
	CloseUnit(ctx context.Context, ch readmodel.Change, id, successor string) (incident.Unit, error)
	// ChangeOfficialAccount changes the official account id as c says.
	ChangeOfficialAccount(ctx context.Context, ch readmodel.Change, id string, c readmodel.AccountChange) (incident.OfficialAccount, error)
	// GrantRole grants role on unit to subject (a user, or a machine
	// client already holding a grant).
	GrantRole(ctx context.Context, ch readmodel.Change, subject, role, unit string) error
	// RevokeRole revokes subject's role on unit; a grant not held is
	// BAD_USER_INPUT.
	RevokeRole(ctx context.Context, ch readmodel.Change, subject, role, unit string) error
	// User returns the user of the web interface named username.
	User(ctx context.Context, username string) (u incident.User, ok bool, err error)
	// Users returns every user of the web interface.
	Users(ctx context.Context) ([]incident.User, error)
	// CreateUser creates a user holding no grant and returns its one-time
	// password.
	CreateUser(ctx context.Context, ch readmodel.Change, username, name string) (oneTimePassword string, err error)
	// ResetPassword gives the user a new one-time password and returns it.
	ResetPassword(ctx context.Context, ch readmodel.Change, username string) (oneTimePassword string, err error)
	// SetUserDisabled disables (or enables again) the user.
	SetUserDisabled(ctx context.Context, ch readmodel.Change, username string, disabled bool) error
	// SetUserEmail sets the user's e-mail address ("" removes it).
	SetUserEmail(ctx context.Context, ch readmodel.Change, username, email string) error
}

// AccountSearch reads the registry of official accounts beyond
// Registry.OfficialAccounts (readmodel.Registry); the Registry of Deps
// serves it when it implements it.
type AccountSearch interface {
	// OfficialAccount returns the account with id, disabled or not
	// (NOT_FOUND when none).
	OfficialAccount(ctx context.Context, id string) (incident.OfficialAccount, error)
	// SearchOfficialAccounts returns the accounts q selects.
	SearchOfficialAccounts(ctx context.Context, q readmodel.AccountQuery) ([]incident.OfficialAccount, error)
}
