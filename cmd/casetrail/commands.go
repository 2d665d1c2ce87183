package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"go.temporal.io/sdk/client"

	"casetrail/api"
	"casetrail/eventstore/readmodel"
	"casetrail/schema"
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
	if !r.api {
		return api.NewServer(opts) // health, readiness and metrics only
	}
	backend := &api.Backend{
		Store: a.store, Reader: a.reader, Registry: a.registry, Projector: a.projector,
		Temporal: a.temporal, Policy: a.policy,
	}
	s, err := schema.New(schema.Deps{
		Auth:     api.SchemaAuth{Authorizer: a.authz},
		Commands: backend,
		Reads:    backend,
		Logger:   a.log,
	})
	if err != nil {
		panic(fmt.Sprintf("graphql schema: %v", err)) // a programming error: the schema is static
	}
	opts.Schema = s
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

func token(cfg Config, sub string, ttl time.Duration, out io.Writer) error {
	if sub == "" {
		return errors.New("token: --sub is required")
	}
	secret, err := api.LoadOrCreateSecret(cfg.DataDir, cfg.JWTSecret)
	if err != nil {
		return err
	}
	t, err := api.NewAuthenticator(secret).Mint(sub, ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, t)
	return nil
}

// verify recomputes the hash chain of one case or of every case and fails
// when any chain is broken.
func verify(ctx context.Context, cfg Config, caseID string, out io.Writer) error {
	store, err := prepareDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	var streams []string
	if caseID != "" {
		streams = []string{readmodel.StreamOf(caseID)}
	} else if streams, err = store.Streams(ctx); err != nil {
		return err
	}
	broken := 0
	events := 0
	for _, s := range streams {
		rep, err := store.Verify(ctx, s)
		if err != nil {
			return fmt.Errorf("verify %s: %w", s, err)
		}
		events += rep.EventsChecked
		if !rep.OK {
			broken++
			fmt.Fprintf(out, "BROKEN %s: first bad version %d\n", s, rep.FirstBadVersion)
		} else if caseID != "" {
			fmt.Fprintf(out, "ok %s: %d events, head %s\n", s, rep.EventsChecked, rep.HeadHash)
		}
	}
	fmt.Fprintf(out, "%d streams, %d events checked, %d broken\n", len(streams), events, broken)
	if broken > 0 {
		return fmt.Errorf("%d hash chain(s) broken", broken)
	}
	return nil
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
	if err := readmodel.Generate(ctx, store, n, seed); err != nil {
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
