package worker

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	enums "go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	"go.temporal.io/server/common/rpc/encryption"
	"go.temporal.io/server/common/searchattribute/sadefs"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"google.golang.org/protobuf/types/known/durationpb"

	"casetrail/workflows"
)

// CaseSearchAttributes are the custom search attributes case workflows
// upsert (workflows.SearchAttributeKeys, the one list) and their types, to be
// registered on the namespace (EmbeddedOptions.SearchAttributes for the
// embedded server; EnsureCluster or `temporal operator search-attribute
// create` on a cluster). All are Keyword: exact-match filters. The SQLite
// visibility store of the embedded server has ten Keyword slots per namespace.
var CaseSearchAttributes = func() map[string]enums.IndexedValueType {
	m := map[string]enums.IndexedValueType{}
	for _, k := range workflows.SearchAttributeKeys {
		m[k.GetName()] = enums.INDEXED_VALUE_TYPE_KEYWORD
	}
	return m
}()

// DefaultRetention is the namespace retention the embedded server uses when
// EmbeddedOptions.Retention is zero. It counts from a workflow's close, so it
// is how long the history of a closed case stays inspectable in Temporal.
const DefaultRetention = 30 * 24 * time.Hour

// EmbeddedStoreFile is the name of the SQLite file the embedded server keeps
// in EmbeddedOptions.DataDir.
const EmbeddedStoreFile = "temporal.db"

const (
	embeddedLockFile     = "temporal.lock"
	embeddedClusterName  = "active"
	embeddedInternalHost = "127.0.0.1"
	// sqliteDriverName is the database/sql driver the server's SQLite plugin
	// registers (modernc.org/sqlite); the store check opens the file with it.
	sqliteDriverName = "sqlite"
	// embeddedAppID marks SQLite files created by StartEmbedded
	// (PRAGMA application_id, "CTtp").
	embeddedAppID = 0x43547470
	// defaultReadyTimeout bounds StartEmbedded when ctx has no deadline.
	defaultReadyTimeout = 2 * time.Minute
)

// embeddedSchemaStamp identifies the Temporal SQLite schema version this
// build creates (PRAGMA user_version). The SQLite store cannot be upgraded in
// place, so a file stamped by another schema version is refused.
var embeddedSchemaStamp = int32(crc32.ChecksumIEEE([]byte(
	"temporal-sqlite/"+sqliteschema.Version+"/"+sqliteschema.VisibilityVersion))&0x7fffffff) | 1

// EmbeddedOptions configures the in-process server.
type EmbeddedOptions struct {
	// DataDir holds the SQLite store DataDir/temporal.db (the directory and the
	// file are created if missing), its write-ahead log (temporal.db-wal and
	// -shm: copy all three for a cold backup) and a lock file. Every commit is
	// synced to disk. "" keeps everything in memory (tests).
	DataDir string
	// Namespace is created if missing; default "default".
	Namespace string
	// Retention of closed workflows in the namespace; default DefaultRetention.
	// An existing namespace is updated to it.
	Retention time.Duration
	// Host is the IP address the frontend listens on; default 127.0.0.1.
	// The internal services (history, matching, worker: plaintext) always
	// listen on 127.0.0.1. The frontend requires mutual TLS wherever it
	// listens: only clients with Credentials are served.
	Host string
	// FrontendPort is the frontend gRPC port; 0 picks a free port.
	FrontendPort int
	// SearchAttributes are registered on the namespace on start if missing
	// (usually CaseSearchAttributes). An existing attribute of another type is
	// an error; attributes are never removed.
	SearchAttributes map[string]enums.IndexedValueType
	// Logger receives the server's own logs at WARN and above; nil discards them.
	Logger *slog.Logger
	// DatabaseURL, when set, puts the store on PostgreSQL instead of the
	// SQLite file: postgres://user:password@host:port/temporal?sslmode=...
	// names the store database, and the visibility database is beside it
	// (VisibilityDatabaseURL: temporal_visibility). Both are created when
	// missing (if the role may) and set up or upgraded to this build's
	// schema versions (PostgresSchemaVersion, PostgresVisibilitySchemaVersion)
	// with Temporal's schema tool. One embedded server may use a database at
	// a time (an advisory lock held while it runs). DataDir then only holds
	// the TLS credentials.
	DatabaseURL string
}

// Embedded is a running in-process Temporal server (frontend, history,
// matching and worker services) on a SQLite store, or on PostgreSQL
// (EmbeddedOptions.DatabaseURL). Its frontend serves only
// clients presenting the client certificate of TLSConfig (mutual TLS). As in
// the standalone server, an error the server deems fatal while running ends
// the process.
type Embedded struct {
	server    temporal.Server
	hostPort  string
	namespace string
	lock      *os.File
	pg        *postgresStore // the PostgreSQL store, if any
	logLevel  *slog.LevelVar // the server logger's threshold
	auth      *authority
	clientTLS *tls.Config // mutual TLS with the frontend, for HostPort

	stopOnce sync.Once
	stopErr  error
}

// StartEmbedded starts the server and returns once the frontend answers, the
// namespace exists with the requested retention and the search attributes are
// registered and usable in visibility queries. With a DataDir the store is
// durable: workflows, their histories and timers survive Stop (or a crash) and
// continue on the next start on the same DataDir. Only one server may use a
// DataDir at a time. ctx bounds the wait for readiness (two minutes if it has no
// deadline); on any error nothing is left running.
func StartEmbedded(ctx context.Context, opts EmbeddedOptions) (*Embedded, error) {
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	if opts.Retention == 0 {
		opts.Retention = DefaultRetention
	}
	if opts.Retention < 0 {
		return nil, fmt.Errorf("embedded temporal: negative retention %v", opts.Retention)
	}
	if opts.Host == "" || opts.Host == "localhost" {
		opts.Host = "127.0.0.1"
	}
	ip := net.ParseIP(opts.Host)
	if ip == nil {
		return nil, fmt.Errorf("embedded temporal: host %q is not an IP address", opts.Host)
	}
	if opts.FrontendPort < 0 || opts.FrontendPort > 65535 {
		return nil, fmt.Errorf("embedded temporal: bad frontend port %d", opts.FrontendPort)
	}
	if err := validateSearchAttributes(opts.SearchAttributes); err != nil {
		return nil, fmt.Errorf("embedded temporal: %w", err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultReadyTimeout)
		defer cancel()
	}

	var err error
	e := &Embedded{namespace: opts.Namespace}
	e.logLevel = new(slog.LevelVar)
	e.logLevel.Set(slog.LevelWarn)
	logger := newServerLogger(opts.Logger, e.logLevel)
	var stores storeConfig
	if opts.DatabaseURL != "" {
		if e.pg, err = openPostgresStore(ctx, opts.DatabaseURL, logger); err != nil {
			return nil, fmt.Errorf("embedded temporal: %w", err)
		}
		stores = storeConfig{shards: PostgresHistoryShards, dataStores: map[string]config.DataStore{
			"postgres-default":    {SQL: e.pg.store},
			"postgres-visibility": {SQL: e.pg.visibility},
		}, defaultStore: "postgres-default", visibilityStore: "postgres-visibility"}
		if opts.DataDir != "" {
			if err := os.MkdirAll(opts.DataDir, 0o750); err != nil {
				e.releaseLock()
				return nil, fmt.Errorf("embedded temporal: create data dir: %w", err)
			}
		}
	} else {
		nsConfig, err := sqliteschema.NewNamespaceConfig(embeddedClusterName, opts.Namespace, false, opts.SearchAttributes)
		if err != nil {
			return nil, fmt.Errorf("embedded temporal: namespace %s: %w", opts.Namespace, err)
		}
		nsConfig.Detail.Config.Retention = durationpb.New(opts.Retention)
		var sqlConf *config.SQL
		if opts.DataDir == "" {
			sqlConf, err = memoryStore()
		} else {
			sqlConf, e.lock, err = openFileStore(opts.DataDir, nsConfig)
		}
		if err != nil {
			return nil, fmt.Errorf("embedded temporal: %w", err)
		}
		// Creates the namespace in a store that predates it; no-op otherwise.
		if err := sqliteschema.CreateNamespaces(sqlConf, nsConfig); err != nil {
			e.releaseLock()
			return nil, fmt.Errorf("embedded temporal: create namespace %s: %w", opts.Namespace, err)
		}
		stores = storeConfig{shards: 1, dataStores: map[string]config.DataStore{sqliteplugin.PluginName: {SQL: sqlConf}},
			defaultStore: sqliteplugin.PluginName, visibilityStore: sqliteplugin.PluginName}
	}
	tlsDir := ""
	if opts.DataDir != "" {
		tlsDir = filepath.Join(opts.DataDir, EmbeddedTLSDir)
	}
	if e.auth, err = loadOrCreateAuthority(tlsDir, time.Now()); err != nil {
		e.releaseLock()
		return nil, fmt.Errorf("embedded temporal: %w", err)
	}

	// A port picked here may be taken by someone else before the server binds
	// it; with picked ports a bind failure is retried with new ones.
	for attempt := 1; ; attempt++ {
		err = e.startServer(opts, ip, stores, logger)
		if err == nil {
			break
		}
		if attempt == 3 || opts.FrontendPort != 0 || !isAddrInUse(err) {
			e.releaseLock()
			return nil, fmt.Errorf("embedded temporal: start: %w", err)
		}
	}

	if err := e.awaitReady(ctx, opts); err != nil {
		_ = e.Stop()
		return nil, fmt.Errorf("embedded temporal: %w", err)
	}
	return e, nil
}

// HostPort is the address clients dial (host:port of the frontend).
func (e *Embedded) HostPort() string { return e.hostPort }

// Namespace is the namespace the server was started for.
func (e *Embedded) Namespace() string { return e.namespace }

// TLSConfig is what a client needs to be served by the frontend at
// HostPort: the client certificate and the CA to verify the server with
// (client.Options.ConnectionOptions.TLS). Each call returns a new copy.
func (e *Embedded) TLSConfig() *tls.Config { return e.clientTLS.Clone() }

// Credentials are the PEM-encoded CA and client certificate and key behind
// TLSConfig, for clients configured by files or bytes (the Web UI). With a
// DataDir they are also in DataDir/tls (ca.pem, client.pem, client-key.pem).
func (e *Embedded) Credentials() Credentials { return e.auth.client }

// ServerName is the name (an IP address) the frontend's certificate is
// verified against by clients dialing HostPort.
func (e *Embedded) ServerName() string { return e.clientTLS.ServerName }

// Stop shuts the server down and releases the data directory. It is safe to
// call more than once; later calls return the first call's result. While
// stopping, the server's warnings (pollers losing their connections) are
// dropped; errors still reach the logger.
func (e *Embedded) Stop() error {
	e.stopOnce.Do(func() {
		e.logLevel.Set(slog.LevelError)
		if err := e.server.Stop(); err != nil {
			e.stopErr = fmt.Errorf("embedded temporal: stop: %w", err)
		}
		e.releaseLock()
	})
	return e.stopErr
}

func (e *Embedded) releaseLock() {
	if e.lock != nil {
		_ = e.lock.Close() // closing the descriptor drops the flock
		e.lock = nil
	}
	e.pg.close() // ending the session drops the advisory lock
}

// Store names where the server keeps its data: "sqlite" or "postgres".
func (e *Embedded) Store() string {
	if e.pg != nil {
		return "postgres"
	}
	return "sqlite"
}

// storeConfig is the persistence of the server: its data stores, which of
// them hold executions and visibility, and the number of history shards.
type storeConfig struct {
	dataStores                    map[string]config.DataStore
	defaultStore, visibilityStore string
	shards                        int32
}

// startServer builds and starts the server on fresh ports. On error the
// server is stopped again.
func (e *Embedded) startServer(opts EmbeddedOptions, ip net.IP, stores storeConfig, logger log.Logger) (err error) {
	var server temporal.Server
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(serverFatal)
			if !ok {
				panic(r)
			}
			err = f
			if server != nil {
				stopQuietly(server)
			}
		}
	}()
	frontendPort := opts.FrontendPort
	ports := make([]int, 0, 4)
	if frontendPort == 0 {
		p, err := freePort(opts.Host)
		if err != nil {
			return err
		}
		frontendPort = p
	}
	for range 3 {
		p, err := freePort(embeddedInternalHost)
		if err != nil {
			return err
		}
		ports = append(ports, p)
	}

	dialHost := opts.Host
	if ip.IsUnspecified() {
		dialHost = embeddedInternalHost
		if ip.To4() == nil {
			dialHost = "::1"
		}
	}
	frontendAddr := net.JoinHostPort(dialHost, strconv.Itoa(frontendPort))
	internal := func(p int) string { return net.JoinHostPort(embeddedInternalHost, strconv.Itoa(p)) }

	// Mutual TLS on the frontend: its own clients (the system worker, the
	// history service's frontend client) hold the client certificate too.
	// The internal services stay plaintext on loopback.
	now := time.Now()
	hosts := []string{embeddedInternalHost, "::1", "localhost", dialHost}
	if !ip.IsUnspecified() {
		hosts = append(hosts, opts.Host)
	}
	serverTLS, err := e.auth.serverTLS(hosts, now)
	if err != nil {
		return err
	}
	clientTLS, err := e.auth.client.TLSConfig(dialHost)
	if err != nil {
		return err
	}
	tlsProvider := &encryption.FixedTLSConfigProvider{
		FrontendServerConfig:       serverTLS,
		FrontendClientConfig:       clientTLS,
		RemoteClusterClientConfigs: map[string]*tls.Config{"*": clientTLS},
	}

	conf := &config.Config{}
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = embeddedInternalHost
	conf.Persistence.DefaultStore = stores.defaultStore
	conf.Persistence.VisibilityStore = stores.visibilityStore
	conf.Persistence.NumHistoryShards = stores.shards
	conf.Persistence.DataStores = stores.dataStores
	conf.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        embeddedClusterName,
		CurrentClusterName:       embeddedClusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			embeddedClusterName: {Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontendAddr},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Services = map[string]config.Service{
		string(primitives.FrontendService): {RPC: config.RPC{GRPCPort: frontendPort, BindOnIP: opts.Host}},
		string(primitives.HistoryService):  {RPC: config.RPC{GRPCPort: ports[0], BindOnIP: embeddedInternalHost}},
		string(primitives.MatchingService): {RPC: config.RPC{GRPCPort: ports[1], BindOnIP: embeddedInternalHost}},
		string(primitives.WorkerService):   {RPC: config.RPC{GRPCPort: ports[2], BindOnIP: embeddedInternalHost}},
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	// The server's own worker service (system workflows) dials this.
	conf.PublicClient.HostPort = frontendAddr

	authorizer, err := authorization.GetAuthorizerFromConfig(&conf.Global.Authorization)
	if err != nil {
		return fmt.Errorf("authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&conf.Global.Authorization, logger)
	if err != nil {
		return fmt.Errorf("claim mapper: %w", err)
	}
	dynConf := DynamicConfig()
	// The API and the projector may list cases through visibility.
	dynConf[dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key()] = 100
	server, err = temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(map[primitives.ServiceName]static.Hosts{
			primitives.FrontendService: static.SingleLocalHost(net.JoinHostPort(dialHost, strconv.Itoa(frontendPort))),
			primitives.HistoryService:  static.SingleLocalHost(internal(ports[0])),
			primitives.MatchingService: static.SingleLocalHost(internal(ports[1])),
			primitives.WorkerService:   static.SingleLocalHost(internal(ports[2])),
		}),
		temporal.WithLogger(logger),
		temporal.WithTLSConfigFactory(tlsProvider),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dynConf),
	)
	if err != nil {
		return err
	}
	if err := server.Start(); err != nil {
		_ = server.Stop()
		return err
	}
	e.server = server
	e.hostPort = frontendAddr
	e.clientTLS = clientTLS
	return nil
}

// awaitReady waits for the frontend and the namespace, sets the retention and
// registers the search attributes.
func (e *Embedded) awaitReady(ctx context.Context, opts EmbeddedOptions) error {
	var c client.Client
	err := poll(ctx, "frontend", func(ctx context.Context) error {
		var err error
		c, err = client.DialContext(ctx, client.Options{
			HostPort:          e.hostPort,
			Namespace:         e.namespace,
			Logger:            sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
			ConnectionOptions: client.ConnectionOptions{TLS: e.TLSConfig()},
		})
		return err
	}, nil)
	if err != nil {
		return err
	}
	defer c.Close()

	var desc *workflowservice.DescribeNamespaceResponse
	err = poll(ctx, "namespace "+e.namespace, func(ctx context.Context) error {
		var err error
		desc, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: e.namespace})
		var nf *serviceerror.NamespaceNotFound
		if errors.As(err, &nf) {
			// A new PostgreSQL store: the namespace is registered through
			// the frontend (the SQLite store has it from its creation).
			_, err = c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
				Namespace:                        e.namespace,
				WorkflowExecutionRetentionPeriod: durationpb.New(opts.Retention),
			})
			if err == nil {
				err = errors.New("namespace registered; waiting for it to be served")
			}
		}
		return err
	}, nil)
	if err != nil {
		return err
	}
	if desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration() != opts.Retention {
		err = poll(ctx, "namespace retention", func(ctx context.Context) error {
			_, err := c.WorkflowService().UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{
				Namespace: e.namespace,
				Config:    &namespacepb.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(opts.Retention)},
			})
			return err
		}, isInvalidArgument)
		if err != nil {
			return err
		}
	}

	if len(opts.SearchAttributes) == 0 {
		return nil
	}
	var registered map[string]enums.IndexedValueType
	err = poll(ctx, "search attributes", func(ctx context.Context) error {
		resp, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: e.namespace})
		registered = resp.GetCustomAttributes()
		return err
	}, nil)
	if err != nil {
		return err
	}
	missing := map[string]enums.IndexedValueType{}
	for name, typ := range opts.SearchAttributes {
		have, ok := registered[name]
		switch {
		case !ok:
			missing[name] = typ
		case have != typ:
			return fmt.Errorf("search attribute %s is registered as %v, not %v", name, have, typ)
		}
	}
	if len(missing) > 0 {
		err = poll(ctx, "add search attributes", func(ctx context.Context) error {
			_, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
				Namespace:        e.namespace,
				SearchAttributes: missing,
			})
			return err
		}, isInvalidArgument)
		if err != nil {
			return err
		}
	}

	// The frontend validates queries against its namespace cache, which picks
	// up added attributes within a few seconds; ready means queries work.
	terms := make([]string, 0, len(opts.SearchAttributes))
	for name := range opts.SearchAttributes {
		terms = append(terms, name+" IS NULL")
	}
	query := strings.Join(terms, " AND ")
	return poll(ctx, "visibility query", func(ctx context.Context) error {
		_, err := c.WorkflowService().CountWorkflowExecutions(ctx, &workflowservice.CountWorkflowExecutionsRequest{
			Namespace: e.namespace,
			Query:     query,
		})
		return err
	}, nil)
}

// stopQuietly stops a server that failed to start.
func stopQuietly(s temporal.Server) {
	defer func() { _ = recover() }()
	_ = s.Stop()
}

// poll calls fn until it succeeds, fails permanently or ctx ends.
func poll(ctx context.Context, what string, fn func(context.Context) error, permanent func(error) bool) error {
	wait := 20 * time.Millisecond
	for {
		callCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := fn(callCtx)
		cancel()
		if err == nil {
			return nil
		}
		if permanent != nil && permanent(err) {
			return fmt.Errorf("%s: %w", what, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w (last error: %v)", what, ctx.Err(), err)
		case <-time.After(wait):
		}
		wait = min(wait*2, 500*time.Millisecond)
	}
}

func isInvalidArgument(err error) bool {
	var ia *serviceerror.InvalidArgument
	return errors.As(err, &ia)
}

func isAddrInUse(err error) bool {
	return errors.Is(err, syscall.EADDRINUSE) || strings.Contains(err.Error(), "address already in use")
}

// freePort asks the kernel for a free TCP port on host.
func freePort(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("pick a free port: %w", err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func validateSearchAttributes(attrs map[string]enums.IndexedValueType) error {
	for name, typ := range attrs {
		if name == "" || sadefs.IsReserved(name) {
			return fmt.Errorf("search attribute name %q is reserved", name)
		}
		if typ == enums.INDEXED_VALUE_TYPE_UNSPECIFIED {
			return fmt.Errorf("search attribute %s has no type", name)
		}
		if _, ok := enums.IndexedValueType_name[int32(typ)]; !ok {
			return fmt.Errorf("search attribute %s has unknown type %d", name, typ)
		}
	}
	return nil
}

// memoryStore is a private in-memory SQLite database; the server's plugin
// creates its schema on first use.
func memoryStore() (*config.SQL, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("name in-memory store: %w", err)
	}
	return &config.SQL{
		PluginName:        sqliteplugin.PluginName,
		DatabaseName:      "casetrail-" + hex.EncodeToString(b[:]),
		ConnectAttributes: map[string]string{"mode": "memory", "cache": "shared"},
	}, nil
}

// fileStoreConfig is the store as the server uses it: write-ahead log, and
// every commit synced to disk (in WAL mode FULL syncs the log at each
// commit, which costs a workflow less than the rollback journal does).
func fileStoreConfig(path string) *config.SQL {
	return &config.SQL{
		PluginName:        sqliteplugin.PluginName,
		DatabaseName:      path,
		ConnectAttributes: map[string]string{"mode": "rwc", "journal_mode": "WAL", "synchronous": "FULL"},
	}
}

// openFileStore locks dir and makes sure dir/temporal.db holds a complete
// store of this build's schema version. A missing store is created whole
// (schema, namespace, stamp) in a temporary file that is then renamed into
// place, so an interrupted first start leaves no half-made store behind.
func openFileStore(dir string, ns *sqliteschema.NamespaceConfig) (*config.SQL, *os.File, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, nil, fmt.Errorf("create data dir: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, nil, err
	}
	path := filepath.Join(dir, EmbeddedStoreFile)
	if err := ensureStore(path, ns); err != nil {
		_ = lock.Close()
		return nil, nil, err
	}
	return fileStoreConfig(path), lock, nil
}

func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, embeddedLockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock data dir: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("data dir %s is in use by another Temporal server", dir)
		}
		return nil, fmt.Errorf("lock data dir: %w", err)
	}
	return f, nil
}

func ensureStore(path string, ns *sqliteschema.NamespaceConfig) error {
	_, err := os.Stat(path)
	if err == nil {
		return checkStore(path)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("store: %w", err)
	}

	// Leftovers of an interrupted first start.
	if stale, _ := filepath.Glob(path + ".init-*"); len(stale) > 0 {
		for _, f := range stale {
			_ = os.Remove(f)
		}
	}
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Errorf("create store: %w", err)
	}
	// A unique name: the server's SQLite plugin keeps connections open for the
	// life of the process, keyed by file name.
	tmp := path + ".init-" + hex.EncodeToString(b[:])
	// Nothing sees the file before it is complete and synced below, so the
	// many schema statements need not each wait for the disk. The rollback
	// journal keeps it one file, safe to rename; the server turns on WAL.
	tmpConf := &config.SQL{
		PluginName:        sqliteplugin.PluginName,
		DatabaseName:      tmp,
		ConnectAttributes: map[string]string{"mode": "rwc", "journal_mode": "DELETE", "synchronous": "OFF"},
	}
	if err := sqliteschema.SetupSchema(tmpConf); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("create store schema: %w", err)
	}
	if err := sqliteschema.CreateNamespaces(tmpConf, ns); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("create namespace %s: %w", ns.Detail.GetInfo().GetName(), err)
	}
	if err := stampStore(tmp); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := syncFile(tmp); err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("create store: %w", err)
	}
	return syncFile(filepath.Dir(path))
}

func stampStore(path string) error {
	db, err := sql.Open(sqliteDriverName, "file:"+path+"?mode=rw")
	if err != nil {
		return fmt.Errorf("stamp store: %w", err)
	}
	defer func() { _ = db.Close() }()
	_, err = db.Exec(fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = %d", embeddedAppID, embeddedSchemaStamp))
	if err != nil {
		return fmt.Errorf("stamp store: %w", err)
	}
	return nil
}

// checkStore refuses files that StartEmbedded did not create or that carry
// another schema version.
func checkStore(path string) error {
	// Read-write: reading a WAL store may need to recover its log.
	db, err := sql.Open(sqliteDriverName, "file:"+path+"?mode=rw")
	if err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	defer func() { _ = db.Close() }()
	var appID, version int32
	if err := db.QueryRow("PRAGMA application_id").Scan(&appID); err != nil {
		return fmt.Errorf("read store %s: %w", path, err)
	}
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read store %s: %w", path, err)
	}
	if appID != embeddedAppID {
		return fmt.Errorf("%s is not a Temporal store made by this program; move it away to start afresh", path)
	}
	if version != embeddedSchemaStamp {
		return fmt.Errorf("%s was made with another Temporal schema version (stamp %d, this build %d: SQLite schema %s, visibility %s); a SQLite store cannot be upgraded in place",
			path, version, embeddedSchemaStamp, sqliteschema.Version, sqliteschema.VisibilityVersion)
	}
	return nil
}

// syncFile flushes a file (or directory) to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	defer func() { _ = f.Close() }()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}

// serverLogger adapts the server's logger interface to slog. Debug and Info
// are dropped before any work is done on them, and so is everything below min.
type serverLogger struct {
	l    *slog.Logger
	min  *slog.LevelVar // WARN or above
	tags []tag.Tag
}

var (
	_ log.Logger     = serverLogger{}
	_ log.WithLogger = serverLogger{}
)

func newServerLogger(l *slog.Logger, min *slog.LevelVar) log.Logger {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return serverLogger{l: l, min: min}
}

func (serverLogger) Debug(string, ...tag.Tag)             {}
func (serverLogger) Info(string, ...tag.Tag)              {}
func (s serverLogger) Warn(msg string, tags ...tag.Tag)   { s.log(slog.LevelWarn, msg, tags) }
func (s serverLogger) Error(msg string, tags ...tag.Tag)  { s.log(slog.LevelError, msg, tags) }
func (s serverLogger) DPanic(msg string, tags ...tag.Tag) { s.log(slog.LevelError, msg, tags) }

// Panic and Fatal log, then panic: the server relies on them not returning
// (its zap logger exits on Fatal), e.g. when a listener cannot bind. While
// starting, StartEmbedded turns the panic into an error.
func (s serverLogger) Panic(msg string, tags ...tag.Tag) { s.Fatal(msg, tags...) }
func (s serverLogger) Fatal(msg string, tags ...tag.Tag) {
	s.log(slog.LevelError, msg, tags)
	panic(serverFatal{msg: msg, tags: append(s.tags[:len(s.tags):len(s.tags)], tags...)})
}

func (s serverLogger) With(tags ...tag.Tag) log.Logger {
	return serverLogger{l: s.l, min: s.min, tags: append(s.tags[:len(s.tags):len(s.tags)], tags...)}
}

func (s serverLogger) log(level slog.Level, msg string, tags []tag.Tag) {
	ctx := context.Background()
	if level < s.min.Level() || !s.l.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, len(s.tags)+len(tags)+1)
	attrs = append(attrs, slog.String("component", "temporal"))
	for _, t := range s.tags {
		attrs = append(attrs, slog.Any(t.Key(), t.Value()))
	}
	for _, t := range tags {
		attrs = append(attrs, slog.Any(t.Key(), t.Value()))
	}
	s.l.LogAttrs(ctx, level, msg, attrs...)
}

// serverFatal is the panic value of serverLogger.Fatal.
type serverFatal struct {
	msg  string
	tags []tag.Tag
}

func (f serverFatal) Error() string {
	var b strings.Builder
	b.WriteString(f.msg)
	for _, t := range f.tags {
		fmt.Fprintf(&b, " %s=%v", t.Key(), t.Value())
	}
	return b.String()
}
