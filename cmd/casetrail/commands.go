package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/user"
	"time"

	"go.temporal.io/sdk/client"

	"casetrail/api"
	"casetrail/eventstore/readmodel"
	"casetrail/internal/benchdata"
	"casetrail/schema"
	"casetrail/workflows"
)

// handler is the HTTP surface of a process: the API for the api role, only
// health, readiness and metrics for a worker.
func (a *app) handler(r role) http.Handler {
	opts := api.ServerOptions{
		Auth:       a.auth,
		Production: a.cfg.production(),
		Ready:      a.readyCheck(r),
		Metrics:    a.metrics,
		Logger:     a.log,
	}
	// Production serves /metrics on CASETRAIL_METRICS_LISTEN instead (serve).
	opts.MetricsElsewhere = a.cfg.production()
	if !r.api {
		return api.NewServer(opts) // health, readiness and metrics only
	}
	quota, err := evidenceQuota(os.Getenv("CASETRAIL_EVIDENCE_QUOTA"))
	if err != nil {
		a.log.Error("evidence quota: using the default of 200 MiB", "err", err)
	}
	// The public's two doors (public.go): their reports go through an
	// intake of the same read model, workflows and Casbin as the graph's.
	if a.public, err = a.publicService(); err != nil {
		panic(fmt.Sprintf("public service: %v", err)) // start checked the settings
	}
	// The graph's interfaces are the concrete packages' own methods.
	s, err := schema.New(schema.Deps{
		Auth:          a.authz,
		Commands:      workflows.Commands{Client: a.temporal, Policy: a.policy},
		Cases:         a.reader,
		Streams:       a.reader,
		Registry:      a.registry,
		Progress:      a.projector,
		Blobs:         a.store,
		Registrar:     a.registry,
		Admin:         a.admin(),
		Public:        a.public,
		Logger:        a.log,
		EvidenceQuota: quota,
	})
	if err != nil {
		panic(fmt.Sprintf("graphql schema: %v", err)) // a programming error: the schema is static
	}
	opts.Schema = s
	// The web interface runs its GraphQL documents in-process through the
	// executor that also serves /graphql: one schema, one set of checks
	// and budgets (issue 14).
	opts.Executor = api.NewExecutor(opts)
	ui, err := a.webUI(opts.Executor)
	if err != nil {
		panic(fmt.Sprintf("web interface: %v", err)) // start checked the settings; the templates are static
	}
	opts.UI = ui
	return api.NewServer(opts)
}

// readyCheck reports whether the database, Temporal and (for a worker) the
// worker's pollers are usable.
func (a *app) readyCheck(r role) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		if err := a.store.Pool().Ping(ctx); err != nil {
			return errors.New("database unreachable")
		}
		if _, err := a.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
			return errors.New("temporal unreachable")
		}
		if r.worker && a.worker == nil {
			return errors.New("worker not started")
		}
		return nil
	}
}

func migrate(ctx context.Context, cfg Config, out io.Writer) error {
	store, err := prepareDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	store.Close()
	fmt.Fprintln(out, "migrations applied")
	return nil
}

// authenticator returns the token Authenticator of cfg: the secret from
// the environment, a file or the data dir, and the maximum lifetime.
func authenticator(cfg Config, opts ...api.AuthOption) (*api.Authenticator, error) {
	maxTTL, err := cfg.tokenMaxTTL()
	if err != nil {
		return nil, err
	}
	fromEnv, err := cfg.jwtSecret()
	if err != nil {
		return nil, err
	}
	if cfg.production() && fromEnv == "" {
		return nil, errors.New("CASETRAIL_ENV=production needs CASETRAIL_JWT_SECRET or CASETRAIL_JWT_SECRET_FILE: the generated development secret is refused")
	}
	secret, err := api.LoadOrCreateSecret(cfg.DataDir, fromEnv)
	if err != nil {
		return nil, err
	}
	return api.NewAuthenticator(secret, append([]api.AuthOption{api.WithMaxLifetime(maxTTL)}, opts...)...), nil
}

// tokenRequest is what `casetrail token` was asked: mint a token for sub,
// or revoke one token id, or every earlier token of a subject.
type tokenRequest struct {
	sub           string
	ttl           time.Duration
	revoke        string
	revokeSubject string
	reason        string
}

// token mints (printing the JWT on out) or revokes tokens, and logs who did
// what on log: the subject, the jti, the expiry and the OS user.
func token(ctx context.Context, cfg Config, req tokenRequest, out io.Writer, log *slog.Logger) error {
	n := 0
	for _, s := range []string{req.sub, req.revoke, req.revokeSubject} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return errors.New("token: give exactly one of --sub NAME, --revoke JTI, --revoke-subject NAME")
	}
	by := osUser()
	if req.sub != "" {
		auth, err := authenticator(cfg)
		if err != nil {
			return err
		}
		m, err := auth.MintToken(req.sub, req.ttl)
		if err != nil {
			return fmt.Errorf("token: %w", err)
		}
		log.Info("token minted", "subject", m.Subject, "jti", m.ID, "issued", m.IssuedAt.UTC(),
			"expires", m.ExpiresAt.UTC(), "ttl", req.ttl.String(), "os_user", by)
		fmt.Fprintln(out, m.Token)
		return nil
	}
	store, err := prepareDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	if req.revoke != "" {
		if err := api.RevokeToken(ctx, store.Pool(), req.revoke, time.Time{}, by, req.reason); err != nil {
			return err
		}
		log.Info("token revoked", "jti", req.revoke, "reason", req.reason, "os_user", by)
		fmt.Fprintf(out, "token %s revoked\n", req.revoke)
		return nil
	}
	nb, err := api.RevokeSubject(ctx, store.Pool(), req.revokeSubject, by, req.reason)
	if err != nil {
		return err
	}
	log.Info("tokens of subject revoked", "subject", req.revokeSubject, "not_before", nb.UTC(),
		"reason", req.reason, "os_user", by)
	fmt.Fprintf(out, "tokens of %s issued before %s revoked\n", req.revokeSubject, nb.UTC().Format(time.RFC3339))
	return nil
}

// osUser names the operating-system user running the command.
func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return fmt.Sprintf("uid %d", os.Getuid())
}

func rebuild(ctx context.Context, cfg Config, out io.Writer) error {
	store, err := prepareDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	began := time.Now()
	n, err := readmodel.NewProjector(store).Rebuild(ctx)
	if err != nil {
		return err
	}
	d := time.Since(began)
	fmt.Fprintf(out, "read model rebuilt to position %d in %s\n", n, d.Round(time.Millisecond))
	return nil
}

func generate(ctx context.Context, cfg Config, n int, seed int64, out io.Writer) error {
	store, err := prepareDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	began := time.Now()
	if err := benchdata.Generate(ctx, store, n, seed); err != nil {
		return err
	}
	fmt.Fprintf(out, "generated %d cases in %s; run `casetrail rebuild` (or serve) to project them\n", n, time.Since(began).Round(time.Millisecond))
	return nil
}

func healthcheck(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	return nil
}
