// Package web is the case desk: the server-rendered web interface that
// `serve` and `api` mount at "/" beside /graphql (issue 14).
//
// People log in with a username and password (users in PostgreSQL,
// argon2id hashes) and keep a server-side session (scs, PostgreSQL store).
// Every read and write of a page goes through one door: the Exec the
// wiring gives, which runs a GraphQL document in-process as the logged-in
// user through the same schema, limits and Casbin checks as /graphql. This
// package never reads the read model and never asks Casbin itself.
//
// Layout, after Miniflux's ui package: routes.go lists every route; one
// small file per page or action (login_show.go, login_check.go, ...);
// templates/ and static/ are embedded; every text is in messages.go,
// Vietnamese first.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/graphql-go/graphql"
	"github.com/jackc/pgx/v5/pgxpool"

	"casetrail/inbox"
	"casetrail/incident"
)

// Exec runs one GraphQL operation in-process as subject and returns its
// result (never nil), as /graphql would answer that subject: the wiring
// passes api.Executor.Execute.
type Exec func(ctx context.Context, subject, query string, variables map[string]any) *graphql.Result

// Session durations by default (DESIGN: 30 minutes idle, 12 hours at most).
const (
	DefaultIdleTimeout = 30 * time.Minute
	DefaultLifetime    = 12 * time.Hour
)

// Options configure the web interface.
type Options struct {
	// Pool is the server's database (EnsureSchema applied): users,
	// sessions and the login throttle.
	Pool *pgxpool.Pool
	// Exec runs the pages' GraphQL documents as the logged-in user.
	Exec Exec
	// IdempotencyKey returns ctx carrying a key for the commands of the
	// next Exec, so that the same key repeats them instead of doing them
	// twice (the wiring passes api.WithIdempotencyKey). The forms derive
	// their keys from a request id they carry: the report form sent twice
	// adds its evidence once. Without it, a resent form does its commands
	// again (a report itself is idempotent by its clientRequestId anyway).
	IdempotencyKey func(ctx context.Context, key string) context.Context
	// Production marks cookies Secure (with the __Host- prefix): the
	// interface is then reachable only over HTTPS.
	Production bool
	// IdleTimeout ends a session after so long without a request;
	// Lifetime ends it in any case (DefaultIdleTimeout, DefaultLifetime
	// when zero).
	IdleTimeout, Lifetime time.Duration
	// Timeout bounds each request (30 s when zero).
	Timeout  time.Duration
	Throttle ThrottleOptions
	Logger   *slog.Logger
	// Blobs returns the stored content of an evidence blob by its hex
	// SHA-256 (eventstore.Store.GetBlob): the evidence download streams
	// it once the API has shown the user the case holds that evidence.
	// Nil: downloads answer 404. The escalation letters' PDF and DOCX are
	// read the same way (letter_download.go).
	Blobs Blobs
	// LetterPreview renders the draft (DỰ THẢO, not numbered) of the
	// escalation letter of a case, once the API has shown the user the
	// case and an escalation awaiting its letter. Nil: previews answer 404.
	LetterPreview func(ctx context.Context, caseID string) ([]byte, error)
	// TakedownLetter renders the draft (DỰ THẢO, not numbered) of the
	// letter asking the platform to take down the target of takedown
	// takedownID of a case, format "pdf" or "docx", once the API has shown
	// the user the case and the takedown (letter_download.go). Nil: these
	// drafts answer 404.
	TakedownLetter func(ctx context.Context, caseID, takedownID, format string) ([]byte, error)
	// CaseFile prepares the case file (hồ sơ vụ việc) of a case, once the
	// API has given the user its caseFileUrl (casefile_download.go): the
	// ZIP's name and a function that writes it, streaming. Nil: case files
	// answer 404.
	CaseFile func(ctx context.Context, caseID string) (name string, write func(ctx context.Context, w io.Writer) error, err error)
	// ReportFile makes the file of a periodic report the API gave the
	// user (periodic_download.go): format "xlsx", "csv", "docx" or "pdf".
	// Nil: the report's files answer 404.
	ReportFile func(ctx context.Context, format string, rep incident.PeriodicReport) ([]byte, error)
	// Public answers the public pages, which need no login (public.go;
	// the wiring passes public.Service). Nil: they answer 404.
	Public Public
	// PublicLimits are the public pages' rate limits (defaults when zero).
	PublicLimits PublicLimits
	// Inbox holds the users' in-app notifications (the inbox channel
	// stores them): the header of every page shows the unread count and
	// /notifications lists them, each user their own (notify_*.go). Nil:
	// no Thông báo.
	Inbox *inbox.Store
	// TrustedProxies are the reverse proxies in front of the server: a
	// request from one of them is counted for the client its
	// X-Forwarded-For names (the public pages' limits and duplicate
	// keys). Empty: every request is its TCP peer's.
	TrustedProxies []netip.Prefix
}

// Blobs reads a stored blob: its media type and content.
type Blobs func(ctx context.Context, sha256hex string) (mediaType string, content []byte, err error)

// Handler is the web interface. Close it when done.
type Handler struct {
	o        Options
	log      *slog.Logger
	users    *Users
	throttle *Throttle
	sessions *scs.SessionManager
	store    *pgxstore.PostgresStore
	pages    map[string]*template.Template
	root     http.Handler
	// guardPublic holds the public pages' rate limits (public.go).
	guardPublic *publicGuard
}

// Session keys.
const (
	keyUser   = "user"    // the username
	keyCred   = "cred"    // credential(password hash) at login
	keyAuthAt = "auth_at" // when the user logged in
	keyFlash  = "flash"   // a catalog key to show once
)

// New returns the web interface over o.
func New(o Options) (*Handler, error) {
	if o.Pool == nil || o.Exec == nil {
		return nil, errors.New("web: Pool and Exec are required")
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.Lifetime <= 0 {
		o.Lifetime = DefaultLifetime
	}
	if o.IdleTimeout > o.Lifetime {
		return nil, fmt.Errorf("web: session idle timeout %s exceeds the lifetime %s", o.IdleTimeout, o.Lifetime)
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	h := &Handler{
		o:        o,
		log:      o.Logger.With("component", "web"),
		users:    NewUsers(o.Pool),
		throttle: NewThrottle(o.Pool, o.Throttle),
		pages:    pages,
		// The public pages' buckets, per client address (public.go).
		guardPublic: newPublicGuard(o.PublicLimits, time.Now),
	}
	h.store = pgxstore.NewWithCleanupInterval(o.Pool, 5*time.Minute)
	sm := scs.New()
	sm.Store = h.store
	sm.IdleTimeout = o.IdleTimeout
	sm.Lifetime = o.Lifetime
	sm.HashTokenInStore = true // a copy of the table does not open sessions
	sm.Cookie.Name = "casetrail_session"
	if o.Production {
		sm.Cookie.Name = "__Host-casetrail_session" // Secure, Path=/, no Domain: set by this origin only
	}
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = o.Production
	sm.Cookie.Path = "/"
	sm.Cookie.Persist = false // a browser session cookie; the server ends it after IdleTimeout or Lifetime
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		h.fail(w, r, fmt.Errorf("session: %w", err))
	}
	h.sessions = sm
	h.root = h.routes()
	return h, nil
}

// ServeHTTP serves the interface.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.root.ServeHTTP(w, r) }

// Close stops the expired-session cleanup.
func (h *Handler) Close() { h.store.StopCleanup() }

// Users returns the users table the interface logs people in with.
func (h *Handler) Users() *Users { return h.users }

// query runs doc as user through Exec and decodes its data into out. It
// returns "" on success, else the contract code of the first error (an
// INTERNAL one is logged).
func (h *Handler) query(ctx context.Context, user *User, doc string, vars map[string]any, out any) string {
	res := h.o.Exec(ctx, user.Username, doc, vars)
	if len(res.Errors) > 0 {
		code, _ := res.Errors[0].Extensions["code"].(string)
		if code == "" || code == incident.CodeInternal {
			h.log.Error("graphql in-process", "subject", user.Username, "code", code, "message", res.Errors[0].Message)
			code = incident.CodeInternal
		}
		return code
	}
	if out == nil {
		return ""
	}
	b, err := json.Marshal(res.Data)
	if err == nil {
		err = json.Unmarshal(b, out)
	}
	if err != nil {
		h.log.Error("graphql in-process: decode", "subject", user.Username, "err", err)
		return incident.CodeInternal
	}
	return ""
}
