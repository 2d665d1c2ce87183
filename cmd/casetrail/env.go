package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"casetrail/api"
	"casetrail/public"
	"casetrail/web"
	"casetrail/workflows"
)

const defaultTokenTTL = 8 * time.Hour

// Config is the run-time contract (README.md, "Configuration"): environment variables, which
// flags may override.
type Config struct {
	DatabaseURL string
	// MigrateDatabaseURL, when set, is the owner's connection: migrations
	// and role set-up run with it, and DatabaseURL is the server's own
	// least-privileged role (CASETRAIL_MIGRATE_DATABASE_URL; see dbrole.go).
	MigrateDatabaseURL string
	TemporalAddress    string
	TemporalNamespace  string
	// TemporalDatabaseURL puts the embedded Temporal server on PostgreSQL
	// (CASETRAIL_TEMPORAL_DATABASE_URL, e.g. postgres://…/temporal; its
	// visibility database is temporal_visibility beside it); "" keeps the
	// SQLite file in the data dir. Ignored with TEMPORAL_ADDRESS.
	TemporalDatabaseURL string
	// WorkflowCacheSize bounds the worker's cache of case workflows
	// (CASETRAIL_WORKFLOW_CACHE_SIZE; see workflowCacheSize).
	WorkflowCacheSize string
	Listen            string
	DataDir           string
	SeedPath          string
	DeadlinesPath     string
	PlaybooksPath     string
	// JWTSecret is the token signing secret from the environment only
	// (CASETRAIL_JWT_SECRET; never a flag, which the process list shows).
	JWTSecret string
	// JWTSecretFile names a file holding the signing secret
	// (CASETRAIL_JWT_SECRET_FILE), used when JWTSecret is empty.
	JWTSecretFile string
	// TokenMaxTTL is the longest token lifetime minted or accepted
	// (CASETRAIL_TOKEN_MAX_TTL, a Go duration).
	TokenMaxTTL string
	// MetricsListen is where production serves /metrics instead of beside
	// the API (CASETRAIL_METRICS_LISTEN).
	MetricsListen string
	Env           string
	// UIListen is where the Temporal Web UI is served beside an embedded
	// server ("off" disables it); empty means webUIListen's default.
	UIListen string
	// SessionIdle and SessionLifetime end a web session after so long
	// without a request, and in any case (CASETRAIL_SESSION_IDLE,
	// CASETRAIL_SESSION_LIFETIME; Go durations).
	SessionIdle, SessionLifetime string
	// TrustedProxies lists the reverse proxies whose X-Forwarded-For
	// names the client, for the public pages' limits
	// (CASETRAIL_TRUSTED_PROXIES: addresses or CIDR prefixes, comma
	// separated; see public.go). PublicRetention is how long a citizen's
	// contact is kept (CASETRAIL_PUBLIC_RETENTION, a Go duration).
	TrustedProxies, PublicRetention string
	// BaseURL is the public address of the web interface (CASETRAIL_BASE_URL,
	// "https://casetrail.example.gov.vn", no trailing slash): notifications
	// link to <BaseURL>/cases/<id>; without it they carry no link.
	BaseURL string
	// SMTPURL is the mail server notifications go out through
	// (CASETRAIL_SMTP_URL, smtp://user:pass@host:587?from=… or smtps://…;
	// see activities.ParseSMTPURL); without it there is no e-mail channel.
	// SMTPFrom is the sender's address (CASETRAIL_SMTP_FROM) when the URL
	// has no from parameter.
	SMTPURL, SMTPFrom string
	// DigestAt is the time of day (Vietnam time, "07:30") the leaders'
	// daily digest goes out, or "off" (CASETRAIL_DIGEST_AT; digest.go).
	DigestAt string
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func configFromEnv() Config {
	return Config{
		DatabaseURL:         env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/casetrail?sslmode=disable"),
		MigrateDatabaseURL:  env("CASETRAIL_MIGRATE_DATABASE_URL", ""),
		TemporalAddress:     env("TEMPORAL_ADDRESS", ""),
		TemporalNamespace:   env("TEMPORAL_NAMESPACE", "default"),
		TemporalDatabaseURL: env("CASETRAIL_TEMPORAL_DATABASE_URL", ""),
		WorkflowCacheSize:   env("CASETRAIL_WORKFLOW_CACHE_SIZE", strconv.Itoa(DefaultWorkflowCacheSize)),
		Listen:              env("CASETRAIL_LISTEN", "127.0.0.1:8080"),
		DataDir:             env("CASETRAIL_DATA_DIR", "./data"),
		SeedPath:            env("CASETRAIL_SEED", ""),
		DeadlinesPath:       env("CASETRAIL_DEADLINES", ""),
		PlaybooksPath:       env("CASETRAIL_PLAYBOOKS", ""),
		JWTSecret:           env("CASETRAIL_JWT_SECRET", ""),
		JWTSecretFile:       env("CASETRAIL_JWT_SECRET_FILE", ""),
		TokenMaxTTL:         env("CASETRAIL_TOKEN_MAX_TTL", api.DefaultMaxTokenLifetime.String()),
		MetricsListen:       env("CASETRAIL_METRICS_LISTEN", "127.0.0.1:9090"),
		Env:                 env("CASETRAIL_ENV", "development"),
		UIListen:            env("CASETRAIL_UI_LISTEN", ""),
		SessionIdle:         env("CASETRAIL_SESSION_IDLE", web.DefaultIdleTimeout.String()),
		SessionLifetime:     env("CASETRAIL_SESSION_LIFETIME", web.DefaultLifetime.String()),
		TrustedProxies:      env("CASETRAIL_TRUSTED_PROXIES", ""),
		PublicRetention:     env("CASETRAIL_PUBLIC_RETENTION", public.DefaultRetention.String()),
		BaseURL:             env("CASETRAIL_BASE_URL", ""),
		SMTPURL:             env("CASETRAIL_SMTP_URL", ""),
		SMTPFrom:            env("CASETRAIL_SMTP_FROM", ""),
		DigestAt:            env("CASETRAIL_DIGEST_AT", workflows.DefaultDigestAt),
	}
}

// production reports whether CASETRAIL_ENV=production.
func (c Config) production() bool { return c.Env == "production" }

// webUIListen is where the Temporal Web UI is served: UIListen when set,
// else loopback in development and "off" in production (an operator turns
// it on explicitly).
func (c Config) webUIListen() string {
	switch {
	case c.UIListen != "":
		return c.UIListen
	case c.production():
		return "off"
	}
	return "127.0.0.1:8233"
}

// jwtSecret returns the configured signing secret: CASETRAIL_JWT_SECRET, or
// the content of CASETRAIL_JWT_SECRET_FILE (surrounding white space
// trimmed); "" when neither is set (the key generated in the data dir is
// used then). Setting both is refused.
func (c Config) jwtSecret() (string, error) {
	switch {
	case c.JWTSecret != "" && c.JWTSecretFile != "":
		return "", errors.New("set CASETRAIL_JWT_SECRET or CASETRAIL_JWT_SECRET_FILE, not both")
	case c.JWTSecretFile != "":
		b, err := os.ReadFile(c.JWTSecretFile)
		if err != nil {
			return "", fmt.Errorf("jwt secret file: %w", err)
		}
		s := strings.TrimSpace(string(b))
		if s == "" {
			return "", fmt.Errorf("jwt secret file %s is empty", c.JWTSecretFile)
		}
		return s, nil
	}
	return c.JWTSecret, nil
}

// DefaultWorkflowCacheSize is the default of CASETRAIL_WORKFLOW_CACHE_SIZE:
// how many case workflows a worker process keeps in memory between their
// tasks (the SDK's sticky cache; its own default is 10,000). A case outside
// the cache is replayed from its history when its next task comes (a
// command, a timer): memory traded for replays (README, "Many open cases").
const DefaultWorkflowCacheSize = 1000

// workflowCacheSize parses WorkflowCacheSize.
func (c Config) workflowCacheSize() (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(c.WorkflowCacheSize))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("CASETRAIL_WORKFLOW_CACHE_SIZE %q is not a positive number of workflows", c.WorkflowCacheSize)
	}
	return n, nil
}

// tokenMaxTTL parses TokenMaxTTL.
func (c Config) tokenMaxTTL() (time.Duration, error) {
	d, err := time.ParseDuration(c.TokenMaxTTL)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("CASETRAIL_TOKEN_MAX_TTL %q is not a positive Go duration (e.g. 12h)", c.TokenMaxTTL)
	}
	return d, nil
}

// flags mirrors the environment as flags of the commands that use it.
func (c *Config) flags(fs *flag.FlagSet, cmd string) {
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "PostgreSQL URL (DATABASE_URL)")
	fs.StringVar(&c.MigrateDatabaseURL, "migrate-database-url", c.MigrateDatabaseURL, "PostgreSQL URL of the tables' owner, for migrations (CASETRAIL_MIGRATE_DATABASE_URL)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data directory (CASETRAIL_DATA_DIR)")
	fs.StringVar(&c.JWTSecretFile, "jwt-secret-file", c.JWTSecretFile, "file holding the JWT signing secret (CASETRAIL_JWT_SECRET_FILE; the secret itself only from the environment)")
	fs.StringVar(&c.TokenMaxTTL, "token-max-ttl", c.TokenMaxTTL, "longest token lifetime minted or accepted (CASETRAIL_TOKEN_MAX_TTL)")
	switch cmd {
	case "serve", "worker", "api", "bench":
		fs.StringVar(&c.TemporalAddress, "temporal-address", c.TemporalAddress, "Temporal frontend host:port; empty runs an embedded server (TEMPORAL_ADDRESS)")
		fs.StringVar(&c.TemporalNamespace, "temporal-namespace", c.TemporalNamespace, "Temporal namespace (TEMPORAL_NAMESPACE)")
		fs.StringVar(&c.TemporalDatabaseURL, "temporal-database-url", c.TemporalDatabaseURL, "PostgreSQL URL of the embedded Temporal server's database; empty keeps the SQLite file (CASETRAIL_TEMPORAL_DATABASE_URL)")
		fs.StringVar(&c.WorkflowCacheSize, "workflow-cache-size", c.WorkflowCacheSize, "case workflows kept in the worker's memory (CASETRAIL_WORKFLOW_CACHE_SIZE)")
		fs.StringVar(&c.Listen, "listen", c.Listen, "HTTP listen address (CASETRAIL_LISTEN)")
		fs.StringVar(&c.SeedPath, "seed", c.SeedPath, "seed file (CASETRAIL_SEED)")
		fs.StringVar(&c.DeadlinesPath, "deadlines", c.DeadlinesPath, "deadline policy file (CASETRAIL_DEADLINES)")
		fs.StringVar(&c.PlaybooksPath, "playbooks", c.PlaybooksPath, "playbook file, over the policy file's playbooks (CASETRAIL_PLAYBOOKS)")
		fs.StringVar(&c.Env, "env", c.Env, "development or production (CASETRAIL_ENV)")
		fs.StringVar(&c.MetricsListen, "metrics-listen", c.MetricsListen, "where production serves /metrics (CASETRAIL_METRICS_LISTEN)")
		fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public address of the web interface, for links in notifications (CASETRAIL_BASE_URL)")
		fs.StringVar(&c.SMTPFrom, "smtp-from", c.SMTPFrom, "sender address of notification e-mails (CASETRAIL_SMTP_FROM; the SMTP URL itself only from the environment)")
		fs.StringVar(&c.DigestAt, "digest-at", c.DigestAt, "time of day (Asia/Ho_Chi_Minh) of the leaders' daily digest, or off (CASETRAIL_DIGEST_AT)")
		fs.StringVar(&c.UIListen, "ui-listen", c.UIListen, "Temporal Web UI address beside the embedded server, or off (CASETRAIL_UI_LISTEN; default 127.0.0.1:8233 in development, off in production)")
	}
}

// role says which pieces a process runs.
type role struct {
	api, worker bool
}

func roleOf(cmd string) role {
	switch cmd {
	case "worker":
		return role{worker: true}
	case "api":
		return role{api: true}
	}
	return role{api: true, worker: true}
}
