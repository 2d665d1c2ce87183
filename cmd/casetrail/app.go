package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"casetrail/activities"
	"casetrail/api"
	"casetrail/eventstore"
	"casetrail/eventstore/readmodel"
	"casetrail/inbox"
	"casetrail/incident"
	"casetrail/public"
	"casetrail/web"
	"casetrail/worker"
	"casetrail/workflows"
)

// app is one running CaseTrail process: the pieces a role needs, wired.
type app struct {
	cfg       Config
	log       *slog.Logger
	policy    incident.Policy
	store     *eventstore.Store
	registry  *readmodel.Registry
	reader    *readmodel.Reader
	projector *readmodel.Projector
	authz     *api.Authorizer
	auth      *api.Authenticator
	revoked   *api.Revocations
	embedded  *worker.Embedded
	temporal  client.Client
	worker    sdkworker.Worker
	metrics   *api.Metrics
	// public is the public's two doors (public.go), built with the API.
	public *public.Service

	closers []func()
}

// prepareDatabase opens the store (creating the database when missing),
// applies the tern migrations of every package that owns tables (eventstore,
// readmodel, activities, api, web, public, inbox). Concurrent starters are safe.
func prepareDatabase(ctx context.Context, cfg Config) (*eventstore.Store, error) {
	store, err := eventstore.Open(ctx, cfg.migrateDatabaseURL())
	if err != nil {
		return nil, err
	}
	pool := store.Pool()
	for _, ensure := range []func(context.Context, *pgxpool.Pool) error{readmodel.EnsureSchema, activities.EnsureSchema, api.EnsureSchema, web.EnsureSchema,
		public.EnsureSchema, inbox.EnsureSchema} {
		if err := ensure(ctx, pool); err != nil {
			store.Close()
			return nil, err
		}
	}
	return store, nil
}

// start builds the pieces of role r. Files are read (and refused) before
// anything else is started.
func start(ctx context.Context, cfg Config, r role, logger *slog.Logger) (*app, error) {
	a := &app{cfg: cfg, log: logger}
	var err error
	if a.policy, err = loadPolicy(cfg.DeadlinesPath); err != nil {
		return nil, err
	}
	if err := loadPlaybooks(&a.policy, cfg.PlaybooksPath); err != nil {
		return nil, err
	}
	seed, err := loadSeed(cfg.SeedPath)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	if r.api {
		// Refuse a bad secret or lifetime before anything starts; the
		// Authenticator is built once the revocation list is loaded.
		if _, err := authenticator(cfg); err != nil {
			return nil, err
		}
		if _, _, err := cfg.sessionTimes(); err != nil {
			return nil, err
		}
		if _, _, err := cfg.publicSettings(); err != nil {
			return nil, err
		}
	}
	if r.worker {
		if _, err := cfg.digestAt(); err != nil { // digest.go
			return nil, err
		}
		if err := cfg.checkNotify(); err != nil { // notify.go
			return nil, err
		}
	}
	ok := false
	defer func() {
		if !ok {
			a.close()
		}
	}()

	owner, err := prepareDatabase(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if a.store, err = connectAsApp(ctx, cfg, owner, logger); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, a.store.Close)
	pool := a.store.Pool()
	a.registry = readmodel.NewRegistry(pool)
	a.reader = readmodel.NewReader(pool)
	a.projector = readmodel.NewProjector(a.store)
	a.metrics = api.NewMetrics(pool)
	if a.authz, err = api.NewAuthorizer(ctx, pool); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, a.authz.Close)
	if r.api {
		if a.revoked, err = api.NewRevocations(ctx, pool); err != nil {
			return nil, err
		}
		a.closers = append(a.closers, a.revoked.Close)
		if a.auth, err = authenticator(cfg, api.WithRevocations(a.revoked)); err != nil {
			return nil, err
		}
	}
	if err := a.applySeed(ctx, seed); err != nil {
		return nil, err
	}
	// The unit tree follows the registry: units the administration or the
	// command line change, in any process, reach this one's authorizer.
	if err := a.authz.FollowUnits(ctx, a.registry.Units); err != nil {
		return nil, err
	}

	if err := a.connectTemporal(ctx); err != nil {
		return nil, err
	}
	if r.worker {
		if err := a.startWorker(ctx); err != nil {
			return nil, err
		}
	}
	ok = true
	return a, nil
}

// applySeed writes the seed's units, grants, official accounts and users,
// each change first recorded on the admin stream (readmodel.AdminStream)
// with actor "seed" and reason "seed file <path>"; what is already as the
// seed says appends nothing, so re-applying an unchanged seed records
// nothing. The seed's reorganisations close units on their day (issue 17
// §5 lifted the rule that only the administration closes a unit). It
// first replays the admin stream, which restores a change whose
// event was recorded but whose write was cut short. The seed does not undo
// the administration: units an admin changed or closed stay so
// (DefineUnits), and of the grants removed from the file only those the
// seed itself gave are revoked (seed_admin.go).
func (a *app) applySeed(ctx context.Context, s *Seed) error {
	if _, err := a.registry.ReplayAdmin(ctx); err != nil {
		return err
	}
	ch := a.seedChange()
	if len(s.Units) > 0 {
		if _, err := a.registry.DefineUnits(ctx, ch, s.Units); err != nil {
			return fmt.Errorf("seed units: %w", err)
		}
	}
	if err := a.seedReorganisations(ctx, ch, s.Reorganisations); err != nil { // seed_reorg.go
		return err
	}
	if err := a.loadUnits(ctx); err != nil {
		return err
	}
	if err := a.seedGrants(ctx, ch, s.Grants); err != nil {
		return err
	}
	if err := a.seedAccounts(ctx, ch, s.OfficialAccounts); err != nil {
		return err
	}
	return a.seedUsers(ctx, s.Users)
}

// loadUnits gives the authorizer the unit hierarchy stored in the registry.
func (a *app) loadUnits(ctx context.Context) error {
	units, err := a.registry.Units(ctx)
	if err != nil {
		return err
	}
	return a.authz.SetUnits(units)
}

func (a *app) connectTemporal(ctx context.Context) error {
	// The SDK's workflow cache is one per process, made with the size set
	// when the process's first worker starts: the embedded server's own
	// system workers are the first, so it is sized before the server.
	cacheSize, err := a.cfg.workflowCacheSize()
	if err != nil {
		return err
	}
	if got := setWorkflowCacheSize(cacheSize); got != cacheSize {
		a.log.Warn("workflow cache already sized in this process; the new size is not applied", "size", got, "asked", cacheSize)
	}
	hostPort, ns := a.cfg.TemporalAddress, a.cfg.TemporalNamespace
	if hostPort == "" {
		emb, err := worker.StartEmbedded(ctx, worker.EmbeddedOptions{
			DataDir:          filepath.Join(a.cfg.DataDir, "temporal"),
			Namespace:        ns,
			SearchAttributes: worker.CaseSearchAttributes,
			Logger:           a.log,
			DatabaseURL:      a.cfg.TemporalDatabaseURL,
		})
		if err != nil {
			return fmt.Errorf("embedded temporal: %w", err)
		}
		a.embedded = emb
		a.closers = append(a.closers, func() { _ = emb.Stop() })
		hostPort = emb.HostPort()
		a.log.Info("embedded temporal server started (mutual TLS; clients need the certificate in its data dir)",
			"address", hostPort, "namespace", ns, "store", emb.Store(), "tls_dir", filepath.Join(a.cfg.DataDir, "temporal", worker.EmbeddedTLSDir))
		a.startWebUI(emb)
	}
	opts, err := a.temporalClientOptions(hostPort, ns)
	if err != nil {
		return err
	}
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return fmt.Errorf("temporal at %s: %w", hostPort, err)
	}
	a.temporal = c
	a.closers = append(a.closers, c.Close)
	if a.embedded == nil {
		if a.cfg.TemporalDatabaseURL != "" {
			a.log.Warn("CASETRAIL_TEMPORAL_DATABASE_URL is ignored: TEMPORAL_ADDRESS names the Temporal server to use")
		}
		if err := worker.EnsureCluster(ctx, c, ns, worker.DefaultRetention, worker.CaseSearchAttributes); err != nil {
			return err
		}
	}
	return nil
}

func (a *app) startWorker(ctx context.Context) error {
	acts := &activities.Activities{
		Store:            a.store,
		Logger:           a.log.With("component", "activities"),
		Leaders:          a.leaders,
		UnitSymbol:       a.unitSymbol,
		OfficialAccounts: a.registry.OfficialAccountRefs,
		// The letters (letters.go): the issuer's letterhead, register mode
		// and signer from the registry; the approver's name from the users.
		Units:       a.registry.Units,
		DisplayName: a.displayName,
		// Names and addresses of the people to tell (people.go).
		People: a.people,
	}
	// The in-app inbox, always on: every notification reaches its
	// recipients' list and the unread count of their pages.
	acts.Notifiers = append(acts.Notifiers, activities.Inbox{Store: inbox.New(a.store.Pool())})
	// E-mail and the case links (notify.go).
	if err := a.notifyChannels(acts); err != nil {
		return err
	}
	if err := acts.Validate(); err != nil {
		return err
	}
	w := sdkworker.New(a.temporal, workflows.TaskQueue, caseWorkerOptions()) // worker_options.go
	workflows.Register(w)
	activities.Register(w, acts)
	if err := a.registerDigest(w, acts); err != nil { // digest.go
		return err
	}
	if err := w.Start(); err != nil {
		return fmt.Errorf("temporal worker: %w", err)
	}
	a.ensureDigestSchedule(ctx)
	a.worker = w
	a.closers = append(a.closers, w.Stop)
	return nil
}

// workflowCache is the size given to the SDK's process-wide workflow cache:
// the first size set stays (the SDK makes its cache with the first worker of
// the process, and an embedded server's system workers may already run), so
// later calls with another size are reported, not applied.
var workflowCache struct {
	sync.Mutex
	size int
}

// setWorkflowCacheSize sizes the SDK's workflow cache the first time it is
// called in the process and returns the size in force.
func setWorkflowCacheSize(n int) int {
	workflowCache.Lock()
	defer workflowCache.Unlock()
	if workflowCache.size == 0 {
		sdkworker.SetStickyWorkflowCacheSize(n)
		workflowCache.size = n
	}
	return workflowCache.size
}

// leaders returns the subjects holding LEADER on unit or one of its ancestors.
func (a *app) leaders(_ context.Context, unit string) ([]string, error) {
	return a.authz.Holders(api.RoleLeader, unit)
}

func (a *app) unitSymbol(ctx context.Context, unit string) (string, error) {
	u, err := a.registry.Unit(ctx, unit)
	if err != nil {
		return "", err
	}
	return u.Symbol, nil
}

// close stops what start started, in reverse order.
func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
}

// serve runs role r until ctx ends, then drains HTTP requests and stops the
// worker cleanly.
func serve(ctx context.Context, cfg Config, r role, logger *slog.Logger) error {
	began := time.Now()
	cfg.UIListen = cfg.webUIListen() // off in production unless asked for
	a, err := start(ctx, cfg, r, logger)
	if err != nil {
		return err
	}
	defer a.close()

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, 3)
	if r.worker {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.projector.Run(runCtx); err != nil && runCtx.Err() == nil {
				errc <- fmt.Errorf("projector: %w", err)
			}
		}()
		// Signed checkpoints anchor the log (checkpoint.go); the last one
		// is signed after runCtx ends, before the store closes.
		cp, err := newCheckpointer(cfg, a.store, logger.With("component", "checkpoints"))
		if err != nil {
			cancel()
			wg.Wait()
			return err
		}
		if cp != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cp.run(runCtx)
			}()
		}
	}

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Listen, err)
	}
	servers := []*http.Server{newHTTPServer(a.handler(r))}
	listeners := []net.Listener{ln}
	metricsAt := "beside the API"
	if cfg.production() {
		// Production keeps /metrics off the public address (issue 12).
		mln, err := net.Listen("tcp", cfg.MetricsListen)
		if err != nil {
			ln.Close()
			return fmt.Errorf("metrics listen %s: %w", cfg.MetricsListen, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", a.metrics.Handler())
		servers = append(servers, newHTTPServer(api.SecureHeaders(mux)))
		listeners = append(listeners, mln)
		metricsAt = mln.Addr().String()
	}
	// Said before anything is served, so it precedes every answer.
	warnDevelopment(ctx, logger, a, r, ln.Addr().String())
	for i, srv := range servers {
		go func() {
			if err := srv.Serve(listeners[i]); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	}
	logger.Info("casetrail ready", "listen", ln.Addr().String(), "metrics", metricsAt, "api", r.api, "worker", r.worker,
		"embeddedTemporal", a.embedded != nil, "startup_ms", time.Since(began).Milliseconds())

	select {
	case <-ctx.Done():
		logger.Info("shutting down")
	case err = <-errc:
		logger.Error("stopping after a failure", "err", err)
	}
	shutdownCtx, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	for _, srv := range servers {
		if serr := srv.Shutdown(shutdownCtx); serr != nil {
			logger.Warn("http shutdown", "err", serr)
		}
	}
	cancel()
	wg.Wait()
	return err
}

// HTTP server timeouts. A request's handler has api.DefaultTimeout (30 s),
// body included; writing its buffered answer must fit in httpWriteTimeout,
// which counts from the end of the request's header.
const (
	httpReadHeaderTimeout = 10 * time.Second
	httpReadTimeout       = api.DefaultTimeout + 10*time.Second
	httpWriteTimeout      = api.DefaultTimeout + 15*time.Second
	httpIdleTimeout       = 2 * time.Minute
)

// newHTTPServer returns a server for h with every timeout set, so no client
// holds a connection by sending or reading slowly or by idling.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: httpReadHeaderTimeout,
		ReadTimeout:       httpReadTimeout,
		WriteTimeout:      httpWriteTimeout,
		IdleTimeout:       httpIdleTimeout,
	}
}
