package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// CASETRAIL_ENV=development is the default, so that the README's two
// commands work on a fresh machine. It leaves open what production closes;
// warnDevelopment says so at start, one WARN line listing each of them as
// this process actually runs.

// developmentOpen lists what the running process a, of role r with the
// API on listen, leaves open that production closes. It is empty in
// production.
func developmentOpen(ctx context.Context, a *app, r role, listen string) []string {
	cfg := a.cfg
	if cfg.production() {
		return nil
	}
	var open []string
	if r.api {
		open = append(open,
			"GraphiQL is served at http://"+listen+"/graphql and schema introspection is on",
			"GraphQL errors suggest field names (production masks them)")
		if secret, err := cfg.jwtSecret(); err == nil && secret == "" {
			open = append(open, "tokens are signed with the secret generated in "+cfg.DataDir+
				" (production requires CASETRAIL_JWT_SECRET or CASETRAIL_JWT_SECRET_FILE)")
		}
	}
	open = append(open, "/metrics is served beside the API on "+listen+
		" without a token (production serves it only on CASETRAIL_METRICS_LISTEN, loopback by default)")
	if a.embedded != nil && cfg.UIListen != "" && cfg.UIListen != "off" {
		open = append(open, "the Temporal Web UI is served on http://"+cfg.UIListen+" without a login")
	}
	if a.store != nil {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		role, err := currentRole(ctx, a.store.Pool())
		switch {
		case err != nil:
			open = append(open, "the server's database role could not be checked: "+err.Error())
		case role.superuser:
			open = append(open, "the server connects to PostgreSQL as the superuser "+role.name)
		case role.ownsEventLog:
			open = append(open, "the server connects to PostgreSQL as "+role.name+", the owner of the tables")
		case cfg.MigrateDatabaseURL == "":
			open = append(open, fmt.Sprintf("the server's database login role %s was created with the superuser of DATABASE_URL "+
				"(production refuses a superuser DATABASE_URL: give a login role and CASETRAIL_MIGRATE_DATABASE_URL)", role.name))
		}
	}
	return open
}

// warnDevelopment logs, in development, one WARN line naming what is left
// open (developmentOpen); nothing in production.
func warnDevelopment(ctx context.Context, log *slog.Logger, a *app, r role, listen string) {
	open := developmentOpen(ctx, a, r, listen)
	if len(open) == 0 {
		return
	}
	log.Warn("DEVELOPMENT MODE (CASETRAIL_ENV=development, the default) leaves open what CASETRAIL_ENV=production closes: "+
		strings.Join(open, "; ")+". Do not run it like this on a shared network (README, Security).",
		"env", a.cfg.Env, "open", open)
}
