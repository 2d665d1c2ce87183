package web

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/incident"
)

// User is a person who logs in to the web interface. Username is the
// Casbin subject of the user's role grants.
type User struct {
	Username    string
	DisplayName string
	// Email is the address notifications go to ("" when none).
	Email string
	// PasswordHash is an argon2id or bcrypt hash; "" means no usable
	// password.
	PasswordHash       string
	Disabled           bool
	MustChangePassword bool
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// Errors of Users.
var (
	ErrNoUser     = errors.New("no such user")
	ErrUserExists = errors.New("user already exists")
)

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{0,63}$`)

// MaxDisplayName is the longest display name, in characters.
const MaxDisplayName = 200

// ValidUsername reports whether name can be a username: 1 to 64 lower-case
// letters, digits, '.', '_', '@' or '-', starting with a letter or digit
// (the users table checks the same).
func ValidUsername(name string) bool { return usernamePattern.MatchString(name) }

// ValidDisplayName reports whether name can be a display name: 1 to
// MaxDisplayName characters of valid UTF-8, not only white space.
func ValidDisplayName(name string) bool {
	return utf8.ValidString(name) && strings.TrimSpace(name) != "" && utf8.RuneCountInString(name) <= MaxDisplayName
}

// Users is the users table.
type Users struct {
	pool *pgxpool.Pool
}

// NewUsers returns the users of pool's database (EnsureSchema first).
func NewUsers(pool *pgxpool.Pool) *Users { return &Users{pool: pool} }

const userColumns = `username, display_name, coalesce(email, ''), password_hash, disabled, must_change_password, created_at, updated_at`

func scanUser(row pgx.Row) (*User, error) {
	var u User
	err := row.Scan(&u.Username, &u.DisplayName, &u.Email, &u.PasswordHash, &u.Disabled, &u.MustChangePassword, &u.CreatedAt, &u.UpdatedAt)
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// Get returns the user named username, or ErrNoUser.
func (s *Users) Get(ctx context.Context, username string) (*User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE username = $1`, username))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNoUser
	}
	if err != nil {
		return nil, fmt.Errorf("user %s: %w", username, err)
	}
	return u, nil
}

// List returns every user, by username.
func (s *Users) List(ctx context.Context) ([]User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, *u)
	}
	return out, rows.Err()
}

// Create adds u (CreatedAt and UpdatedAt are set by the database). It
// returns ErrUserExists when the username is taken.
func (s *Users) Create(ctx context.Context, u User) error {
	if !ValidUsername(u.Username) {
		return fmt.Errorf("username %q: 1 to 64 lower-case letters, digits, '.', '_', '@' or '-', starting with a letter or digit", u.Username)
	}
	if !ValidDisplayName(u.DisplayName) {
		return fmt.Errorf("display name of %s: 1 to %d characters", u.Username, MaxDisplayName)
	}
	if u.PasswordHash != "" {
		if err := CheckPasswordHash(u.PasswordHash); err != nil {
			return fmt.Errorf("password hash of %s: %w", u.Username, err)
		}
	}
	email, err := incident.CleanEmail(u.Email)
	if err != nil {
		return fmt.Errorf("e-mail address of %s: %w", u.Username, err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO users (username, display_name, email, password_hash, disabled, must_change_password)
		VALUES ($1, $2, nullif($3, ''), $4, $5, $6)`, u.Username, strings.TrimSpace(u.DisplayName), email, u.PasswordHash, u.Disabled, u.MustChangePassword)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return fmt.Errorf("user %s: %w", u.Username, ErrUserExists)
	}
	if err != nil {
		return fmt.Errorf("create user %s: %w", u.Username, err)
	}
	return nil
}

// update runs one UPDATE of the user's row; ErrNoUser when there is none.
func (s *Users) update(ctx context.Context, username, set string, args ...any) error {
	tag, err := s.pool.Exec(ctx, `UPDATE users SET `+set+`, updated_at = now() WHERE username = $1`, append([]any{username}, args...)...)
	if err != nil {
		return fmt.Errorf("update user %s: %w", username, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("user %s: %w", username, ErrNoUser)
	}
	return nil
}

// SetPassword replaces the user's password hash (which ends the user's
// other sessions: see credential) and sets whether it must be changed at
// the next login.
func (s *Users) SetPassword(ctx context.Context, username, hash string, mustChange bool) error {
	if err := CheckPasswordHash(hash); err != nil {
		return fmt.Errorf("password hash of %s: %w", username, err)
	}
	return s.update(ctx, username, `password_hash = $2, must_change_password = $3`, hash, mustChange)
}

// SetDisabled disables (or enables again) the user. A disabled user cannot
// log in, and each of its open sessions ends at its next request.
func (s *Users) SetDisabled(ctx context.Context, username string, disabled bool) error {
	return s.update(ctx, username, `disabled = $2`, disabled)
}

// SetDisplayName changes the user's display name.
func (s *Users) SetDisplayName(ctx context.Context, username, name string) error {
	if !ValidDisplayName(name) {
		return fmt.Errorf("display name of %s: 1 to %d characters", username, MaxDisplayName)
	}
	return s.update(ctx, username, `display_name = $2`, strings.TrimSpace(name))
}

// SetEmail sets the user's e-mail address ("" removes it); an address
// incident.CleanEmail refuses is its BAD_USER_INPUT error.
func (s *Users) SetEmail(ctx context.Context, username, email string) error {
	email, err := incident.CleanEmail(email)
	if err != nil {
		return err
	}
	return s.update(ctx, username, `email = nullif($2, '')`, email)
}

// People returns the people named subjects, in their order, as
// notifications address them (activities.Directory, wired by
// cmd/casetrail): the username, display name and e-mail address of each
// user. A subject that is no user (a machine client) comes back with its
// username only; a disabled user without an address (they no longer log
// in, so they are told nothing by e-mail). Duplicates and empty subjects
// are left out. One query, whatever the number of subjects.
func (s *Users) People(ctx context.Context, subjects []string) ([]incident.User, error) {
	want := make([]string, 0, len(subjects))
	seen := make(map[string]bool, len(subjects))
	for _, sub := range subjects {
		if sub != "" && !seen[sub] {
			seen[sub] = true
			want = append(want, sub)
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users WHERE username = ANY($1)`, want)
	if err != nil {
		return nil, fmt.Errorf("people: %w", err)
	}
	defer rows.Close()
	found := make(map[string]*User, len(want))
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("people: %w", err)
		}
		found[u.Username] = u
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("people: %w", err)
	}
	out := make([]incident.User, len(want))
	for i, sub := range want {
		u, ok := found[sub]
		if !ok {
			out[i] = incident.User{Username: sub}
			continue
		}
		out[i] = userOf(u)
		if u.Disabled {
			out[i].Email = ""
		}
	}
	return out, nil
}
