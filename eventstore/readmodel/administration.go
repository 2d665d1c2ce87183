package readmodel

import (
	"context"
	"errors"
	"strings"
	"time"

	"casetrail/incident"
)

// Grants is the policy of role grants as the administration changes it
// (api.Authorizer). Errors a caller can fix are *incident.Error.
type Grants interface {
	// CheckGrant returns nil when GrantRole would accept the grant: a known
	// role, a unit of the tree, a subject that is no role's name.
	CheckGrant(subject, role, unit string) error
	// GrantRole gives subject role on unit and its sub-units; a decision
	// made after it returns sees the grant.
	GrantRole(ctx context.Context, subject, role, unit string) error
	// RevokeRole takes it back; a decision made after it returns no longer
	// sees it.
	RevokeRole(ctx context.Context, subject, role, unit string) error
	// HasGrant reports whether the stored policy has subject holding role
	// on unit itself.
	HasGrant(ctx context.Context, subject, role, unit string) (bool, error)
	// HoldsGrants reports whether the stored policy has any grant to
	// subject.
	HoldsGrants(ctx context.Context, subject string) (bool, error)
	// SetUnits replaces the unit tree grants are matched against.
	SetUnits(units []incident.Unit) error
}

// UserStore keeps the people of the web interface (web.UserAdmin). Errors
// a caller can fix are *incident.Error.
type UserStore interface {
	// User returns the user named username; ok is false when there is none.
	User(ctx context.Context, username string) (u incident.User, ok bool, err error)
	// Users returns every user, by username.
	Users(ctx context.Context) ([]incident.User, error)
	// CheckNewUser returns nil when a user username with display name name
	// could be created (BAD_USER_INPUT naming the field otherwise; an
	// existing username too).
	CheckNewUser(ctx context.Context, username, name string) error
	// CreateUser creates the user with a new one-time password, to be
	// changed at the first login, and returns it.
	CreateUser(ctx context.Context, username, name string) (oneTimePassword string, err error)
	// ResetPassword gives the user a new one-time password, to be changed
	// at the next login, ends their sessions, and returns it.
	ResetPassword(ctx context.Context, username string) (oneTimePassword string, err error)
	// SetDisabled disables (or enables again) the user; a disabled user's
	// open sessions end at their next request.
	SetDisabled(ctx context.Context, username string, disabled bool) error
	// SetEmail sets the user's e-mail address ("" removes it).
	SetEmail(ctx context.Context, username, email string) error
}

// Admin is the administration: the one path by which units, role grants,
// users and official accounts change, for the GraphQL mutations (once the
// resolver has authorized the caller) and for the command line (the
// operator). Each change is checked against the stored state under the
// admin lock, recorded on AdminStream with ch's actor and reason, then
// made; a change that changes nothing records nothing.
//
// Units changed here reach the policy's unit tree before the method returns;
// other processes reload theirs on the NOTIFY the units table raises
// (api.Authorizer.FollowUnits). Policy and People may be nil for a caller
// that makes none of their changes (the command line's units).
type Admin struct {
	Registry *Registry
	Policy   Grants
	People   UserStore
}

// NewAdmin returns the administration of reg's registry, the policy g and
// the users of us.
func NewAdmin(reg *Registry, g Grants, us UserStore) *Admin {
	return &Admin{Registry: reg, Policy: g, People: us}
}

var (
	errNoGrants = errors.New("administration: no grant policy")
	errNoUsers  = errors.New("administration: no user store")
)

// CreateUnit adds a unit (Registry.CreateUnit).
func (a *Admin) CreateUnit(ctx context.Context, ch Change, u incident.Unit) (incident.Unit, error) {
	out, err := a.Registry.CreateUnit(ctx, ch, u)
	if err != nil {
		return out, err
	}
	return out, a.unitsChanged(ctx)
}

// UpdateUnit changes a unit (Registry.UpdateUnit).
func (a *Admin) UpdateUnit(ctx context.Context, ch Change, id string, c UnitChange) (incident.Unit, error) {
	out, err := a.Registry.UpdateUnit(ctx, ch, id, c)
	if err != nil {
		return out, err
	}
	return out, a.unitsChanged(ctx)
}

// CloseUnit closes a unit (Registry.CloseUnit).
func (a *Admin) CloseUnit(ctx context.Context, ch Change, id, successor string) (incident.Unit, error) {
	out, err := a.Registry.CloseUnit(ctx, ch, id, successor)
	if err != nil {
		return out, err
	}
	return out, a.unitsChanged(ctx)
}

// CloseUnitOn closes a unit on a date (Registry.CloseUnitOn): the seed
// file's reorganisations.
func (a *Admin) CloseUnitOn(ctx context.Context, ch Change, id, successor string, at time.Time) (incident.Unit, error) {
	out, err := a.Registry.CloseUnitOn(ctx, ch, id, successor, at)
	if err != nil {
		return out, err
	}
	return out, a.unitsChanged(ctx)
}

// unitsChanged gives the policy the stored units at once, so that this
// process's next decision matches grants against the new tree.
func (a *Admin) unitsChanged(ctx context.Context) error {
	if a.Policy == nil {
		return nil
	}
	units, err := a.Registry.Units(ctx)
	if err != nil {
		return err
	}
	return a.Policy.SetUnits(units)
}

// ChangeOfficialAccount changes an official account
// (Registry.ChangeOfficialAccount).
func (a *Admin) ChangeOfficialAccount(ctx context.Context, ch Change, id string, c AccountChange) (incident.OfficialAccount, error) {
	return a.Registry.ChangeOfficialAccount(ctx, ch, id, c)
}

// GrantRole grants role on unit to subject, recording RoleGranted. The
// subject must be a user of the web interface, or a machine client (an API
// token's subject) that already holds a grant (given by the seed file);
// the unit must exist. Granting a grant subject already holds records
// nothing.
func (a *Admin) GrantRole(ctx context.Context, ch Change, subject, role, unit string) error {
	if a.Policy == nil {
		return errNoGrants
	}
	g := RoleGrant{Subject: strings.TrimSpace(subject), Role: role, Unit: unit}
	check := func(ctx context.Context) error {
		if err := a.knownSubject(ctx, g.Subject); err != nil {
			return err
		}
		if err := a.Policy.CheckGrant(g.Subject, role, unit); err != nil {
			return err
		}
		if _, err := a.Registry.Unit(ctx, unit); incident.ErrorCode(err) == incident.CodeNotFound {
			return incident.BadInput("unit", "unit %s does not exist", unit)
		} else if err != nil {
			return err
		}
		if held, err := a.Policy.HasGrant(ctx, g.Subject, role, unit); err != nil {
			return err
		} else if held {
			return ErrUnchanged
		}
		return nil
	}
	return a.Registry.ChangeGrant(ctx, ch, g, false, check, func(ctx context.Context) error {
		return a.Policy.GrantRole(ctx, g.Subject, role, unit)
	})
}

// RevokeRole revokes subject's role on unit, recording RoleRevoked; a
// grant the policy does not hold is BAD_USER_INPUT (a grant on an
// ancestor is another grant: revoke that one).
func (a *Admin) RevokeRole(ctx context.Context, ch Change, subject, role, unit string) error {
	if a.Policy == nil {
		return errNoGrants
	}
	g := RoleGrant{Subject: strings.TrimSpace(subject), Role: role, Unit: unit}
	check := func(ctx context.Context) error {
		held, err := a.Policy.HasGrant(ctx, g.Subject, role, unit)
		if err != nil {
			return err
		}
		if !held {
			return incident.BadInput("role", "%s does not hold %s on %s (a grant on a unit above it is revoked there)", g.Subject, role, unit)
		}
		return nil
	}
	return a.Registry.ChangeGrant(ctx, ch, g, true, check, func(ctx context.Context) error {
		return a.Policy.RevokeRole(ctx, g.Subject, role, unit)
	})
}

// knownSubject returns nil when subject may be granted a role: a user of
// the web interface, or a subject already holding a grant (a machine
// client, whose grants the seed file gives).
func (a *Admin) knownSubject(ctx context.Context, subject string) error {
	if subject == "" {
		return incident.BadInput("subject", "is required")
	}
	if a.People != nil {
		if _, ok, err := a.People.User(ctx, subject); err != nil || ok {
			return err
		}
	}
	held, err := a.Policy.HoldsGrants(ctx, subject)
	if err != nil || held {
		return err
	}
	return incident.BadInput("subject", "%s is neither a user (create the user first) nor a machine client holding a grant "+
		"(a machine client's first grant is given in the seed file)", subject)
}

// User returns the user named username (ok false when there is none).
func (a *Admin) User(ctx context.Context, username string) (incident.User, bool, error) {
	if a.People == nil {
		return incident.User{}, false, errNoUsers
	}
	return a.People.User(ctx, username)
}

// Users returns every user of the web interface.
func (a *Admin) Users(ctx context.Context) ([]incident.User, error) {
	if a.People == nil {
		return nil, errNoUsers
	}
	return a.People.Users(ctx)
}

// CreateUser creates a user of the web interface, holding no grant, with a
// one-time password that it returns (to be changed at the first login),
// recording UserCreated.
func (a *Admin) CreateUser(ctx context.Context, ch Change, username, name string) (string, error) {
	if a.People == nil {
		return "", errNoUsers
	}
	username, name = strings.TrimSpace(username), strings.TrimSpace(name)
	var otp string
	err := a.Registry.Record(ctx, ch, TypeUserCreated, UserChange{Username: username, Name: name},
		func(ctx context.Context) error { return a.People.CheckNewUser(ctx, username, name) },
		func(ctx context.Context) (err error) {
			otp, err = a.People.CreateUser(ctx, username, name)
			return err
		})
	return otp, err
}

// ResetPassword gives the user a new one-time password, which it returns
// (to be changed at the next login; the user's sessions end), recording
// PasswordReset. An unknown user is NOT_FOUND.
func (a *Admin) ResetPassword(ctx context.Context, ch Change, username string) (string, error) {
	if a.People == nil {
		return "", errNoUsers
	}
	var otp string
	err := a.Registry.Record(ctx, ch, TypePasswordReset, UserChange{Username: username},
		a.existingUser(username, nil),
		func(ctx context.Context) (err error) {
			otp, err = a.People.ResetPassword(ctx, username)
			return err
		})
	return otp, err
}

// SetUserDisabled disables (or enables again) a user, recording
// UserDisabled (UserEnabled); nobody disables themself (ch.Actor); the
// user already so records nothing. An unknown user is NOT_FOUND.
func (a *Admin) SetUserDisabled(ctx context.Context, ch Change, username string, disabled bool) error {
	if a.People == nil {
		return errNoUsers
	}
	if disabled && username == ch.Actor {
		return incident.BadInput("username", "you cannot disable your own account")
	}
	typ := TypeUserEnabled
	if disabled {
		typ = TypeUserDisabled
	}
	return a.Registry.Record(ctx, ch, typ, UserChange{Username: username},
		a.existingUser(username, func(u incident.User) bool { return u.Disabled == disabled }),
		func(ctx context.Context) error { return a.People.SetDisabled(ctx, username, disabled) })
}

// SetUserEmail sets the user's e-mail address, where notifications go
// (email "" removes it), recording UserEmailChanged with the new address.
// The address is incident.CleanEmail's form (BAD_USER_INPUT on "email"
// otherwise); the same address again records nothing; an unknown user is
// NOT_FOUND.
func (a *Admin) SetUserEmail(ctx context.Context, ch Change, username, email string) error {
	if a.People == nil {
		return errNoUsers
	}
	email, err := incident.CleanEmail(email)
	if err != nil {
		return err
	}
	return a.Registry.Record(ctx, ch, TypeUserEmailChanged, UserChange{Username: username, Email: email},
		a.existingUser(username, func(u incident.User) bool { return u.Email == email }),
		func(ctx context.Context) error { return a.People.SetEmail(ctx, username, email) })
}

// existingUser is a check of Record: NOT_FOUND for an unknown user, and
// ErrUnchanged when already (non-nil) says the change is made.
func (a *Admin) existingUser(username string, already func(incident.User) bool) func(context.Context) error {
	return func(ctx context.Context) error {
		u, ok, err := a.People.User(ctx, username)
		switch {
		case err != nil:
			return err
		case !ok:
			return incident.Errorf(incident.CodeNotFound, "user %s not found", username)
		case already != nil && already(u):
			return ErrUnchanged
		}
		return nil
	}
}
