package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"gopkg.in/yaml.v3"

	"casetrail/api"
	"casetrail/eventstore/readmodel"
	"casetrail/inbox"
	"casetrail/incident"
	"casetrail/web"
)

// The people of the web interface (issue 14): the `user` command, the
// seed's users section and the wiring of the interface itself.

// SeedUser is a user of the web interface, created at start when missing.
// Username is the Casbin subject of the user's grants.
type SeedUser struct {
	Username string `yaml:"username"`
	Name     string `yaml:"name"`
	// Email is where e-mail notifications go (optional). A new user gets
	// it; an existing user without an address gets it (recorded as
	// UserEmailChanged by the seed); an address set since is kept.
	Email string `yaml:"email"`
	// PasswordHash is an argon2id or bcrypt hash. Without it, the user gets
	// a one-time password at creation, printed once in development; in
	// production none is printed and the user has no usable password until
	// an operator runs `casetrail user passwd`.
	PasswordHash string `yaml:"passwordHash"`
	// MustChangePassword forces a new password at the first login; it
	// defaults to true for a user without PasswordHash, false otherwise.
	MustChangePassword *bool `yaml:"mustChangePassword"`
	line               int
}

// mustChange is MustChangePassword with its default.
func (u SeedUser) mustChange() bool {
	if u.MustChangePassword != nil {
		return *u.MustChangePassword
	}
	return u.PasswordHash == ""
}

// parseSeedUsers reads the seed's users section strictly.
func parseSeedUsers(name string, nodes []yaml.Node) ([]SeedUser, error) {
	var out []SeedUser
	seen := map[string]int{}
	for _, n := range nodes {
		var u SeedUser
		if err := n.Decode(&u); err != nil {
			return nil, fmt.Errorf("%s: line %d: %w", name, n.Line, err)
		}
		if err := checkFields(&n, "username", "name", "email", "passwordHash", "mustChangePassword"); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		u.line = n.Line
		switch {
		case !web.ValidUsername(u.Username):
			return nil, fmt.Errorf("%s: line %d: user: username %q: 1 to 64 lower-case letters, digits, '.', '_', '@' or '-'", name, n.Line, u.Username)
		case !web.ValidDisplayName(u.Name):
			return nil, fmt.Errorf("%s: line %d: user %s: name: 1 to %d characters", name, n.Line, u.Username, web.MaxDisplayName)
		}
		if u.PasswordHash != "" {
			if err := web.CheckPasswordHash(u.PasswordHash); err != nil {
				return nil, fmt.Errorf("%s: line %d: user %s: passwordHash: %w", name, n.Line, u.Username, err)
			}
		}
		email, err := incident.CleanEmail(u.Email)
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: user %s: email %q: not an e-mail address (name@example.gov.vn)", name, n.Line, u.Username, u.Email)
		}
		u.Email = email
		if prev, dup := seen[u.Username]; dup {
			return nil, fmt.Errorf("%s: line %d: user %s: already defined at line %d", name, n.Line, u.Username, prev)
		}
		seen[u.Username] = n.Line
		out = append(out, u)
	}
	return out, nil
}

// seedUsers creates the seed's users that do not exist yet. An existing
// user keeps its password and flags (the seed does not undo a change made
// since); only its display name follows the seed.
func (a *app) seedUsers(ctx context.Context, users []SeedUser) error {
	store := web.NewUsers(a.store.Pool())
	for _, su := range users {
		u, err := store.Get(ctx, su.Username)
		if err == nil {
			if u.DisplayName != strings.TrimSpace(su.Name) {
				if err := store.SetDisplayName(ctx, su.Username, su.Name); err != nil {
					return fmt.Errorf("seed user (line %d): %w", su.line, err)
				}
			}
			if err := a.seedEmail(ctx, store, su); err != nil {
				return fmt.Errorf("seed user (line %d): %w", su.line, err)
			}
			continue
		}
		if !errors.Is(err, web.ErrNoUser) {
			return fmt.Errorf("seed user (line %d): %w", su.line, err)
		}
		nu := web.User{Username: su.Username, DisplayName: su.Name, Email: su.Email, PasswordHash: su.PasswordHash, MustChangePassword: su.mustChange()}
		otp := ""
		if nu.PasswordHash == "" && !a.cfg.production() {
			otp = web.OneTimePassword()
			if nu.PasswordHash, err = web.HashPassword(otp); err != nil {
				return err
			}
		}
		// Recorded on the admin stream (UserCreated by the seed), checked
		// again under the admin lock: another process of the cluster may
		// have created it first.
		created := false
		err = a.registry.Record(ctx, a.seedChange(), readmodel.TypeUserCreated, readmodel.UserChange{Username: nu.Username, Name: strings.TrimSpace(nu.DisplayName), Email: nu.Email},
			func(ctx context.Context) error {
				if _, err := store.Get(ctx, nu.Username); err == nil {
					return readmodel.ErrUnchanged
				} else if !errors.Is(err, web.ErrNoUser) {
					return err
				}
				return nil
			},
			func(ctx context.Context) error { created = true; return store.Create(ctx, nu) })
		if err != nil {
			return fmt.Errorf("seed user (line %d): %w", su.line, err)
		}
		if !created {
			continue
		}
		switch {
		case otp != "":
			// Development only, once: the user is new and its password
			// exists nowhere else.
			a.log.Warn("DEVELOPMENT: seed user created; its one-time password is shown only now",
				"username", nu.Username, "password", otp, "mustChangePassword", nu.MustChangePassword)
		case nu.PasswordHash == "":
			a.log.Warn("seed user created without a password (none is printed in production): set one with `casetrail user passwd "+nu.Username+"`",
				"username", nu.Username)
		default:
			a.log.Info("seed user created", "username", nu.Username)
		}
	}
	return nil
}

// seedEmail gives an existing user the seed's address when they have none
// (UserEmailChanged by the seed, checked again under the admin lock); an
// address set since, by an admin or the user, is kept.
func (a *app) seedEmail(ctx context.Context, store *web.Users, su SeedUser) error {
	if su.Email == "" {
		return nil
	}
	return a.registry.Record(ctx, a.seedChange(), readmodel.TypeUserEmailChanged, readmodel.UserChange{Username: su.Username, Email: su.Email},
		func(ctx context.Context) error {
			u, err := store.Get(ctx, su.Username)
			if err != nil {
				return err
			}
			if u.Email != "" {
				return readmodel.ErrUnchanged
			}
			return nil
		},
		func(ctx context.Context) error { return store.SetEmail(ctx, su.Username, su.Email) })
}

// sessionTimes parses CASETRAIL_SESSION_IDLE and CASETRAIL_SESSION_LIFETIME.
func (c Config) sessionTimes() (idle, lifetime time.Duration, err error) {
	idle, err = time.ParseDuration(c.SessionIdle)
	if err != nil || idle <= 0 {
		return 0, 0, fmt.Errorf("CASETRAIL_SESSION_IDLE %q is not a positive Go duration (e.g. 30m)", c.SessionIdle)
	}
	lifetime, err = time.ParseDuration(c.SessionLifetime)
	if err != nil || lifetime <= 0 {
		return 0, 0, fmt.Errorf("CASETRAIL_SESSION_LIFETIME %q is not a positive Go duration (e.g. 12h)", c.SessionLifetime)
	}
	if idle > lifetime {
		return 0, 0, fmt.Errorf("CASETRAIL_SESSION_IDLE (%s) exceeds CASETRAIL_SESSION_LIFETIME (%s)", idle, lifetime)
	}
	return idle, lifetime, nil
}

// webUI returns the web interface, run through exec (the same schema,
// limits and checks as /graphql), for the API's ServerOptions.UI.
func (a *app) webUI(exec *api.Executor) (http.Handler, error) {
	idle, lifetime, err := a.cfg.sessionTimes()
	if err != nil {
		return nil, err
	}
	proxies, _, err := a.cfg.publicSettings()
	if err != nil {
		return nil, err
	}
	h, err := web.New(web.Options{
		Pool:        a.store.Pool(),
		Exec:        exec.Execute,
		Production:  a.cfg.production(),
		IdleTimeout: idle,
		Lifetime:    lifetime,
		Logger:      a.log,
		// One key per evidence file of a report form: sent twice, added once.
		IdempotencyKey: api.WithIdempotencyKey,
		// Evidence downloads read the blob store once the API has shown
		// the user the case holds the evidence.
		Blobs: a.store.GetBlob,
		// The draft of an escalation letter (letters.go), rendered once
		// the API has shown the user the case.
		LetterPreview: a.letterPreview,
		ReportFile:    a.reportFile,

		// The takedown letters' drafts (letters.go) and the case file
		// (casefile.go), once the API has shown the user the case (and,
		// for the file, its link).
		TakedownLetter: a.takedownLetter,
		CaseFile:       a.caseFile,

		// The public's two doors (public.go), behind the proxies named.
		Public:         a.public,
		TrustedProxies: proxies,
		// The in-app notifications the inbox channel stores.
		Inbox: inbox.New(a.store.Pool()),
	})
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, h.Close)
	return h, nil
}

// stdin is where --password-stdin reads (a variable for tests).
var stdin io.Reader = os.Stdin

const userUsage = `usage:
  casetrail user add --username U --name "Display name" [--email ADDRESS] [--password-stdin [--must-change]]
  casetrail user email U --email ADDRESS (--email "" removes it)
  casetrail user passwd U [--password-stdin [--must-change]]
  casetrail user disable U
  casetrail user enable U
  casetrail user list
  casetrail user grant U --role ROLE --unit UNIT --reason "why"
  casetrail user revoke U --role ROLE --unit UNIT --reason "why"
Without --password-stdin a one-time password is printed once; it must be changed at the first login.
Every change is recorded on the admin stream with actor cli:<os user> (or --actor) and --reason
(required for grant and revoke). U of grant is a user, or a machine client already holding a grant.
`

// userCommand runs `casetrail user ...` on the owner's connection.
func userCommand(ctx context.Context, cfg Config, fs *flag.FlagSet, args []string, out io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(fs.Output(), userUsage)
		return flag.ErrHelp
	}
	sub, rest := args[0], args[1:]
	username := fs.String("username", "", "username (the subject of the user's role grants)")
	name := fs.String("name", "", "display name")
	email := fs.String("email", "", "add, email: the e-mail address notifications go to")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	mustChange := fs.Bool("must-change", false, "with --password-stdin: the password must be changed at the first login")
	role := fs.String("role", "", "grant, revoke: the role (REPORTER, HANDLER, LEADER, AUDITOR, ADMIN)")
	unit := fs.String("unit", "", "grant, revoke: the unit (the grant covers its sub-units)")
	af := newAdminFlags(fs) // units.go
	fs.Usage = func() { fmt.Fprint(fs.Output(), userUsage); fs.PrintDefaults() }
	if err := fs.Parse(rest); err != nil {
		return err
	}
	// A positional username may come before or after the flags.
	if fs.NArg() > 0 {
		if *username != "" && *username != fs.Arg(0) {
			return errors.New("user: give the username once")
		}
		*username = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return fmt.Errorf("user: unexpected argument %q", fs.Arg(0))
		}
	}
	if sub != "list" && *username == "" {
		return fmt.Errorf("user %s: the username is required\n%s", sub, userUsage)
	}
	store, err := prepareDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	users := web.NewUsers(store.Pool())
	reg := readmodel.NewRegistry(store.Pool())
	// The administration's user changes, as the GraphQL mutations make
	// them (grant and revoke add the policy below).
	admin := readmodel.NewAdmin(reg, nil, web.NewUserAdmin(store.Pool()))

	// password returns the password to set and whether it must be changed.
	password := func() (string, bool, error) {
		if !*fromStdin {
			return web.OneTimePassword(), true, nil
		}
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", false, fmt.Errorf("read the password: %w", err)
		}
		pw := strings.TrimRight(line, "\r\n")
		if err := web.ValidatePassword(*username, pw); err != nil {
			return "", false, err
		}
		return pw, *mustChange, nil
	}
	say := func(pw string, must bool) {
		if !*fromStdin {
			fmt.Fprintf(out, "one-time password of %s (shown only now; to be changed at the first login):\n%s\n", *username, pw)
		} else if must {
			fmt.Fprintf(out, "%s must change the password at the first login\n", *username)
		}
	}

	switch sub {
	case "add":
		if !web.ValidDisplayName(*name) {
			return fmt.Errorf("user add: --name: 1 to %d characters", web.MaxDisplayName)
		}
		if !web.ValidUsername(*username) {
			return fmt.Errorf("user add: username %q: 1 to 64 lower-case letters, digits, '.', '_', '@' or '-', starting with a letter or digit", *username)
		}
		addr, err := incident.CleanEmail(*email)
		if err != nil {
			return fmt.Errorf("user add: --email: %w", err)
		}
		pw, must, err := password()
		if err != nil {
			return err
		}
		hash, err := web.HashPassword(pw)
		if err != nil {
			return err
		}
		ch, err := af.change("user add", "casetrail user add")
		if err != nil {
			return err
		}
		err = reg.Record(ctx, ch, readmodel.TypeUserCreated, readmodel.UserChange{Username: *username, Name: strings.TrimSpace(*name)},
			func(ctx context.Context) error { return admin.People.CheckNewUser(ctx, *username, *name) },
			func(ctx context.Context) error {
				return users.Create(ctx, web.User{Username: *username, DisplayName: *name, PasswordHash: hash, MustChangePassword: must})
			})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "user %s (%s) added\n", *username, strings.TrimSpace(*name))
		if addr != "" {
			// Its own change, as createUser(email:) records it.
			if err := admin.SetUserEmail(ctx, ch, *username, addr); err != nil {
				return err
			}
			fmt.Fprintf(out, "notifications of %s go to %s\n", *username, addr)
		}
		say(pw, must)
		return nil
	case "email":
		ch, err := af.change("user email", "casetrail user email")
		if err != nil {
			return err
		}
		if err := admin.SetUserEmail(ctx, ch, *username, *email); err != nil {
			return err
		}
		if addr, _ := incident.CleanEmail(*email); addr != "" {
			fmt.Fprintf(out, "notifications of %s go to %s\n", *username, addr)
		} else {
			fmt.Fprintf(out, "%s has no e-mail address (in-app notifications only)\n", *username)
		}
		return nil
	case "passwd":
		if _, err := users.Get(ctx, *username); err != nil {
			return err
		}
		pw, must, err := password()
		if err != nil {
			return err
		}
		hash, err := web.HashPassword(pw)
		if err != nil {
			return err
		}
		ch, err := af.change("user passwd", "casetrail user passwd")
		if err != nil {
			return err
		}
		err = reg.Record(ctx, ch, readmodel.TypePasswordReset, readmodel.UserChange{Username: *username}, nil,
			func(ctx context.Context) error { return users.SetPassword(ctx, *username, hash, must) })
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "password of %s set; the user's open sessions end\n", *username)
		say(pw, must)
		return nil
	case "disable", "enable":
		ch, err := af.change("user "+sub, "casetrail user "+sub)
		if err != nil {
			return err
		}
		if err := admin.SetUserDisabled(ctx, ch, *username, sub == "disable"); err != nil {
			return err
		}
		if sub == "disable" {
			fmt.Fprintf(out, "user %s disabled; their open sessions end at their next request (their API tokens, if any: casetrail token --revoke-subject %s)\n", *username, *username)
		} else {
			fmt.Fprintf(out, "user %s enabled\n", *username)
		}
		return nil
	case "list":
		list, err := users.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tNAME\tDISABLED\tMUST CHANGE\tPASSWORD\tEMAIL")
		for _, u := range list {
			pw := "set"
			if u.PasswordHash == "" {
				pw = "none"
			}
			fmt.Fprintf(tw, "%s\t%s\t%t\t%t\t%s\t%s\n", u.Username, u.DisplayName, u.Disabled, u.MustChangePassword, pw, u.Email)
		}
		return tw.Flush()
	case "grant", "revoke":
		return grantCommand(ctx, store.Pool(), admin, af, sub, *username, *role, *unit, out)
	}
	return fmt.Errorf("user: unknown subcommand %q\n%s", sub, userUsage)
}

// grantCommand runs `casetrail user grant|revoke` through the
// administration with an authorizer of its own on the database (the
// running servers reload on the policy's NOTIFY).
func grantCommand(ctx context.Context, pool *pgxpool.Pool, admin *readmodel.Admin, af adminFlags, sub, subject, role, unit string, out io.Writer) error {
	if role == "" || unit == "" {
		return fmt.Errorf("user %s: --role and --unit are required\n%s", sub, userUsage)
	}
	ch, err := af.change("user "+sub, "")
	if err != nil {
		return err
	}
	if err := api.EnsureSchema(ctx, pool); err != nil {
		return err
	}
	authz, err := api.NewAuthorizer(ctx, pool)
	if err != nil {
		return err
	}
	defer authz.Close()
	units, err := admin.Registry.Units(ctx)
	if err != nil {
		return err
	}
	if err := authz.SetUnits(units); err != nil {
		return err
	}
	admin.Policy = authz
	role = strings.ToUpper(strings.TrimSpace(role))
	if sub == "grant" {
		if err := admin.GrantRole(ctx, ch, subject, role, unit); err != nil {
			return err
		}
		fmt.Fprintf(out, "%s holds %s on %s (and its sub-units)\n", subject, role, unit)
		return nil
	}
	if err := admin.RevokeRole(ctx, ch, subject, role, unit); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s no longer holds %s on %s; running servers stop allowing it at once\n", subject, role, unit)
	return nil
}
