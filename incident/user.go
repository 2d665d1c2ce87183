package incident

// User is a person who logs in to the web interface as the administration
// sees them, never with their password. Username is the subject of their
// role grants. The users are kept by the web interface's user store; the
// type is here because the administration (the registry's Admin, the
// GraphQL graph) and the store both speak of it.
type User struct {
	Username string
	// Name is the display name.
	Name string
	// Email is the address notifications go to ("" when none;
	// CleanEmail's form).
	Email    string
	Disabled bool
	// MustChangePassword: the user must choose a new password at the next
	// login (after a one-time password).
	MustChangePassword bool
}
