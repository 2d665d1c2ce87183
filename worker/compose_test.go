package worker

import (
	"bufio"
	"io/fs"
	"os"
	"path"
	"strings"
	"testing"

	"go.temporal.io/server/common/config"
	postgresplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	serverschema "go.temporal.io/server/schema"
	"gopkg.in/yaml.v3"
)

// composeFile is the part of docker-compose.yml the test reads.
type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Environment map[string]string `yaml:"environment"`
		Command     []string          `yaml:"command"`
		DependsOn   map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
	} `yaml:"services"`
}

// goModVersion is the version go.mod requires of module.
func goModVersion(t *testing.T, module string) string {
	t.Helper()
	f, err := os.Open("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == module {
			return strings.TrimPrefix(fields[1], "v")
		}
	}
	t.Fatalf("go.mod does not require %s", module)
	return ""
}

// TestComposeTemporal (issue 19): docker-compose.yml runs the plain
// temporalio/server image of the pinned server version after a one-shot
// schema job of the admin tools of the same version, which applies the
// schema versions the embedded server on PostgreSQL applies, from version
// directories the server module ships; the server's own configuration
// template, filled from the service's environment as the image does,
// gives a PostgreSQL store and visibility on the databases the job set up,
// with this package's number of history shards. (No Docker engine here:
// this is what can be checked without one.)
func TestComposeTemporal(t *testing.T) {
	b, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	server := goModVersion(t, "go.temporal.io/server")
	ui := goModVersion(t, "github.com/temporalio/ui-server/v2")
	temporal, job, ready := c.Services["temporal"], c.Services["temporal-schema"], c.Services["temporal-ready"]
	for name, want := range map[string]string{
		"temporal": "temporalio/server:" + server, "temporal-schema": "temporalio/admin-tools:" + server,
		"temporal-ready": "temporalio/admin-tools:" + server, "temporal-ui": "temporalio/ui:" + ui,
	} {
		if got := c.Services[name].Image; got != want {
			t.Errorf("service %s image %q, want %q", name, got, want)
		}
	}
	if d := temporal.DependsOn["temporal-schema"].Condition; d != "service_completed_successfully" {
		t.Errorf("temporal depends on temporal-schema with %q, want service_completed_successfully", d)
	}
	for _, name := range []string{"worker", "api", "temporal-ui"} {
		if d := c.Services[name].DependsOn["temporal-ready"].Condition; d != "service_completed_successfully" {
			t.Errorf("%s depends on temporal-ready with %q, want service_completed_successfully", name, d)
		}
	}
	if ready.DependsOn["temporal"].Condition == "" {
		t.Error("temporal-ready does not wait for temporal")
	}

	// The schema job: the same versions as the embedded server, from
	// directories of the server's schema.
	// "$$" is compose's escape of a "$" for the shell.
	script := strings.ReplaceAll(strings.Join(job.Command, "\n"), "$$", "$")
	dbName := "temporal"
	visName := dbName + PostgresVisibilitySuffix
	for _, want := range []string{
		"temporal-sql-tool --db " + dbName + " create-database",
		"temporal-sql-tool --db " + dbName + " setup-schema -v 0.0",
		"temporal-sql-tool --db " + dbName + " update-schema -d $S/temporal/versioned -v " + PostgresSchemaVersion,
		"temporal-sql-tool --db " + visName + " create-database",
		"temporal-sql-tool --db " + visName + " setup-schema -v 0.0",
		"temporal-sql-tool --db " + visName + " update-schema -d $S/visibility/versioned -v " + PostgresVisibilitySchemaVersion,
		"S=/etc/temporal/schema/postgresql/v12",
	} {
		if !strings.Contains(script, want) {
			t.Errorf("schema job lacks %q:\n%s", want, script)
		}
	}
	for schemaName, version := range map[string]string{postgresSchemaName: PostgresSchemaVersion, postgresVisibilitySchemaName: PostgresVisibilitySchemaVersion} {
		dir := path.Join(schemaName, "versioned", "v"+version)
		if _, err := fs.Stat(serverschema.Assets(), path.Join(dir, "manifest.json")); err != nil {
			t.Errorf("the server module has no schema version %s: %v", dir, err)
		}
	}
	if job.Environment["SQL_PLUGIN"] != postgresplugin.PluginName && job.Environment["SQL_PLUGIN"] != postgresplugin.PluginNamePGX {
		t.Errorf("schema job plugin %q", job.Environment["SQL_PLUGIN"])
	}

	// The image's configuration: the server's template from the environment.
	for k, v := range temporal.Environment {
		t.Setenv(k, strings.ReplaceAll(v, "${TEMPORAL_DB_PASSWORD:-temporal}", "temporal"))
	}
	cfg, err := config.Load(config.WithEmbedded())
	if err != nil {
		t.Fatalf("the server's configuration from the compose environment: %v", err)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("configuration invalid: %v", err)
	}
	p := cfg.Persistence
	if p.NumHistoryShards != PostgresHistoryShards {
		t.Errorf("history shards %d, want %d", p.NumHistoryShards, PostgresHistoryShards)
	}
	def, vis := p.DataStores[p.DefaultStore].SQL, p.DataStores[p.VisibilityStore].SQL
	if def == nil || vis == nil {
		t.Fatalf("store %+v, visibility %+v: want SQL", p.DataStores[p.DefaultStore], p.DataStores[p.VisibilityStore])
	}
	for _, s := range []struct {
		sql  *config.SQL
		name string
	}{{def, dbName}, {vis, visName}} {
		if s.sql.PluginName != postgresplugin.PluginNamePGX || s.sql.DatabaseName != s.name || s.sql.ConnectAddr != "temporal-db:5432" || s.sql.User != "temporal" {
			t.Errorf("datastore %+v; want %s on temporal-db:5432 as temporal with the pgx plugin", s.sql, s.name)
		}
	}
	if got := cfg.DynamicConfigClient; got == nil || got.Filepath != "/etc/temporal/config/dynamicconfig/casetrail.yaml" {
		t.Errorf("dynamic config %+v", got)
	}
}
