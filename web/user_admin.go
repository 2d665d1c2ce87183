package web

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/incident"
)

// UserAdmin is the users table as the administration changes it
// (readmodel.Admin's UserStore; issue 15): users seen without their
// password, one-time passwords made as `casetrail user add` makes them
// (OneTimePassword, HashPassword), and errors a caller can fix as
// *incident.Error. Recording the changes on the admin stream is the
// administration's, which calls it.
type UserAdmin struct {
	users *Users
}

// NewUserAdmin returns the administration of the users of pool's database.
func NewUserAdmin(pool *pgxpool.Pool) *UserAdmin { return &UserAdmin{users: NewUsers(pool)} }

func userOf(u *User) incident.User {
	return incident.User{Username: u.Username, Name: u.DisplayName, Email: u.Email, Disabled: u.Disabled, MustChangePassword: u.MustChangePassword}
}

// User returns the user named username; ok is false when there is none.
func (a *UserAdmin) User(ctx context.Context, username string) (incident.User, bool, error) {
	u, err := a.users.Get(ctx, username)
	if errors.Is(err, ErrNoUser) {
		return incident.User{}, false, nil
	}
	if err != nil {
		return incident.User{}, false, err
	}
	return userOf(u), true, nil
}

// Users returns every user, by username.
func (a *UserAdmin) Users(ctx context.Context) ([]incident.User, error) {
	list, err := a.users.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]incident.User, len(list))
	for i := range list {
		out[i] = userOf(&list[i])
	}
	return out, nil
}

// CheckNewUser returns nil when a user username named name can be created:
// a valid username (ValidUsername) no user has, a valid display name
// (ValidDisplayName); BAD_USER_INPUT on "username" or "name" otherwise.
func (a *UserAdmin) CheckNewUser(ctx context.Context, username, name string) error {
	if !ValidUsername(username) {
		return incident.BadInput("username", "%q: 1 to 64 lower-case letters, digits, '.', '_', '@' or '-', starting with a letter or digit", username)
	}
	if !ValidDisplayName(name) {
		return incident.BadInput("name", "1 to %d characters", MaxDisplayName)
	}
	_, ok, err := a.User(ctx, username)
	if err != nil {
		return err
	}
	if ok {
		return incident.BadInput("username", "user %s already exists", username)
	}
	return nil
}

// CreateUser creates the user with a new one-time password, to be changed
// at the first login, and returns it.
func (a *UserAdmin) CreateUser(ctx context.Context, username, name string) (string, error) {
	if err := a.CheckNewUser(ctx, username, name); err != nil {
		return "", err
	}
	otp := OneTimePassword()
	hash, err := HashPassword(otp)
	if err != nil {
		return "", err
	}
	err = a.users.Create(ctx, User{Username: username, DisplayName: name, PasswordHash: hash, MustChangePassword: true})
	if errors.Is(err, ErrUserExists) {
		return "", incident.BadInput("username", "user %s already exists", username)
	}
	if err != nil {
		return "", err
	}
	return otp, nil
}

// ResetPassword gives the user a new one-time password, to be changed at
// the next login (their sessions end with the old password), and returns
// it; an unknown user is NOT_FOUND.
func (a *UserAdmin) ResetPassword(ctx context.Context, username string) (string, error) {
	otp := OneTimePassword()
	hash, err := HashPassword(otp)
	if err != nil {
		return "", err
	}
	if err := a.users.SetPassword(ctx, username, hash, true); err != nil {
		return "", notFound(username, err)
	}
	return otp, nil
}

// SetDisabled disables (or enables again) the user; an unknown user is
// NOT_FOUND.
func (a *UserAdmin) SetDisabled(ctx context.Context, username string, disabled bool) error {
	return notFound(username, a.users.SetDisabled(ctx, username, disabled))
}

// SetEmail sets the user's e-mail address ("" removes it): an address
// incident.CleanEmail refuses is BAD_USER_INPUT on "email", an unknown
// user NOT_FOUND.
func (a *UserAdmin) SetEmail(ctx context.Context, username, email string) error {
	if _, err := incident.CleanEmail(email); err != nil {
		return err
	}
	return notFound(username, a.users.SetEmail(ctx, username, email))
}

// notFound turns ErrNoUser into NOT_FOUND.
func notFound(username string, err error) error {
	if errors.Is(err, ErrNoUser) {
		return incident.Errorf(incident.CodeNotFound, "user %s not found", username)
	}
	if err != nil {
		return fmt.Errorf("user %s: %w", username, err)
	}
	return nil
}
