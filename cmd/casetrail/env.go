package main

import (
	"flag"
	"os"
	"time"
)

const defaultTokenTTL = 8 * time.Hour

// Config is the run-time contract of DESIGN.md: environment variables, which
// flags may override.
type Config struct {
	DatabaseURL       string
	TemporalAddress   string
	TemporalNamespace string
	Listen            string
	DataDir           string
	SeedPath          string
	DeadlinesPath     string
	JWTSecret         string
	Env               string
	// UIListen is where the Temporal Web UI is served beside an embedded
	// server ("off" disables it).
	UIListen string
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func configFromEnv() Config {
	return Config{
		DatabaseURL:       env("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/casetrail?sslmode=disable"),
		TemporalAddress:   env("TEMPORAL_ADDRESS", ""),
		TemporalNamespace: env("TEMPORAL_NAMESPACE", "default"),
		Listen:            env("CASETRAIL_LISTEN", "127.0.0.1:8080"),
		DataDir:           env("CASETRAIL_DATA_DIR", "./data"),
		SeedPath:          env("CASETRAIL_SEED", ""),
		DeadlinesPath:     env("CASETRAIL_DEADLINES", ""),
		JWTSecret:         env("CASETRAIL_JWT_SECRET", ""),
		Env:               env("CASETRAIL_ENV", "development"),
		UIListen:          env("CASETRAIL_UI_LISTEN", "127.0.0.1:8233"),
	}
}

// production reports whether CASETRAIL_ENV=production.
func (c Config) production() bool { return c.Env == "production" }

// flags mirrors the environment as flags of the commands that use it.
func (c *Config) flags(fs *flag.FlagSet, cmd string) {
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "PostgreSQL URL (DATABASE_URL)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data directory (CASETRAIL_DATA_DIR)")
	fs.StringVar(&c.JWTSecret, "jwt-secret", c.JWTSecret, "JWT signing secret (CASETRAIL_JWT_SECRET)")
	switch cmd {
	case "serve", "worker", "api", "bench":
		fs.StringVar(&c.TemporalAddress, "temporal-address", c.TemporalAddress, "Temporal frontend host:port; empty runs an embedded server (TEMPORAL_ADDRESS)")
		fs.StringVar(&c.TemporalNamespace, "temporal-namespace", c.TemporalNamespace, "Temporal namespace (TEMPORAL_NAMESPACE)")
		fs.StringVar(&c.Listen, "listen", c.Listen, "HTTP listen address (CASETRAIL_LISTEN)")
		fs.StringVar(&c.SeedPath, "seed", c.SeedPath, "seed file (CASETRAIL_SEED)")
		fs.StringVar(&c.DeadlinesPath, "deadlines", c.DeadlinesPath, "deadline policy file (CASETRAIL_DEADLINES)")
		fs.StringVar(&c.Env, "env", c.Env, "development or production (CASETRAIL_ENV)")
		fs.StringVar(&c.UIListen, "ui-listen", c.UIListen, "Temporal Web UI address beside the embedded server, or off (CASETRAIL_UI_LISTEN)")
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
