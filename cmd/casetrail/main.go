// Command casetrail runs the CaseTrail case-management engine.
//
//	casetrail serve     everything in one process (embedded Temporal unless TEMPORAL_ADDRESS)
//	casetrail worker    the Temporal worker and the projector (scale-out)
//	casetrail api       the GraphQL API (scale-out)
//	casetrail migrate   apply database migrations and exit
//	casetrail token     print a JWT for a subject
//	casetrail verify    recompute hash chains, check checkpoints; non-zero exit on any break
//	casetrail checkpoint sign a checkpoint of the log (Ed25519 key outside the database)
//	casetrail export-case write a case's case file (hồ sơ vụ việc, a ZIP that verify --bundle checks offline)
//	casetrail rebuild   drop and rebuild the read models from the event log
//	casetrail gen       generate demo/benchmark cases straight into the event log
//	casetrail bench     measure CaseTrail against its baselines
//	casetrail user      add, passwd, disable, enable, list the people of the web interface; grant, revoke roles
//	casetrail unit      list, add, rename, move, close the administrative units
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: casetrail <command> [flags]

commands:
  serve       run everything in one process (embedded Temporal unless TEMPORAL_ADDRESS is set)
  worker      run the Temporal worker and the projector against TEMPORAL_ADDRESS
  api         run the GraphQL API against TEMPORAL_ADDRESS
  migrate     apply database migrations and exit
  token       print a JWT: casetrail token --sub NAME [--ttl 8h];
              revoke: casetrail token --revoke JTI | --revoke-subject NAME [--reason TEXT]
  verify      recompute hash chains and check signed checkpoints:
              casetrail verify [--case ID] [--public-key FILE] [--checkpoints FILE];
              a case file offline, no database: casetrail verify --bundle FILE [--public-key FILE]
  checkpoint  sign a checkpoint of the log now; --public-key prints the key, --export FILE|- writes all
  export-case write the case file (hồ sơ vụ việc, ZIP) of a case: casetrail export-case --case ID --out FILE
  rebuild     drop and rebuild the read models from the event log
  gen         generate cases into the event log: casetrail gen --cases N
  bench       measure CaseTrail against its baselines: casetrail bench [--quick] [--phases intake,storm]
              [--stores sqlite,postgres] [--storm N] [--cases N]; casetrail bench --scale-out [--quick]
  user        people of the web interface: casetrail user add --username U --name "Display name"
              [--password-stdin]; user passwd U; user disable U; user enable U; user list;
              user grant|revoke U --role ROLE --unit UNIT --reason TEXT
  unit        administrative units: casetrail unit list; unit add --id ID --name N [--parent P] --reason TEXT;
              unit rename ID --name N; unit move ID --parent P; unit close ID --successor S (each --reason TEXT)
  healthcheck GET a URL and exit 0 on 200 (for container health checks)

environment: DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, CASETRAIL_LISTEN,
CASETRAIL_DATA_DIR, CASETRAIL_SEED, CASETRAIL_DEADLINES, CASETRAIL_JWT_SECRET, CASETRAIL_JWT_SECRET_FILE,
CASETRAIL_TOKEN_MAX_TTL, CASETRAIL_METRICS_LISTEN, CASETRAIL_ENV, CASETRAIL_CHECKPOINT_KEY_FILE,
CASETRAIL_CHECKPOINT_INTERVAL, CASETRAIL_CHECKPOINT_EVENTS, CASETRAIL_SESSION_IDLE, CASETRAIL_SESSION_LIFETIME,
CASETRAIL_TEMPORAL_DATABASE_URL, CASETRAIL_WORKFLOW_CACHE_SIZE
`

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "casetrail:", err)
		}
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	slog.SetDefault(logger)

	cmd, rest := args[0], args[1:]
	cfg := configFromEnv()
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.flags(fs, cmd)
	switch cmd {
	case "serve", "worker", "api":
		if err := fs.Parse(rest); err != nil {
			return err
		}
		applyMemoryLimit(logger)
		return serve(ctx, cfg, roleOf(cmd), logger)
	case "migrate":
		if err := fs.Parse(rest); err != nil {
			return err
		}
		return migrate(ctx, cfg, stdout)
	case "token":
		var req tokenRequest
		fs.StringVar(&req.sub, "sub", "", "subject (user name) of the token to mint")
		fs.DurationVar(&req.ttl, "ttl", defaultTokenTTL, "token lifetime (at most CASETRAIL_TOKEN_MAX_TTL)")
		fs.StringVar(&req.revoke, "revoke", "", "revoke the token with this jti")
		fs.StringVar(&req.revokeSubject, "revoke-subject", "", "revoke every token of this subject issued until now")
		fs.StringVar(&req.reason, "reason", "", "why (recorded with a revocation)")
		if err := fs.Parse(rest); err != nil {
			return err
		}
		return token(ctx, cfg, req, stdout, logger)
	case "verify":
		caseID := fs.String("case", "", "verify only this case id")
		pub := fs.String("public-key", "", "file of checkpoint public keys, one per line (default: derived from the checkpoint key file)")
		cps := fs.String("checkpoints", "", "exported checkpoints (JSON lines) to check as well")
		bundle := fs.String("bundle", "", "check this case file (export-case, the web interface's download) offline, without the database")
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if *bundle != "" {
			if *caseID != "" || *cps != "" {
				return fmt.Errorf("verify --bundle checks the case file alone: --case and --checkpoints do not apply")
			}
			return verifyBundle(cfg, *bundle, *pub, stdout)
		}
		return verify(ctx, cfg, *caseID, *pub, *cps, stdout)
	case "checkpoint":
		pub := fs.Bool("public-key", false, "print the checkpoint public key and exit")
		export := fs.String("export", "", "write every checkpoint as JSON lines to this file (- for stdout) instead of signing")
		if err := fs.Parse(rest); err != nil {
			return err
		}
		return checkpointCommand(ctx, cfg, *pub, *export, stdout)
	case "export-case":
		caseID := fs.String("case", "", "the case's id")
		path := fs.String("out", "", "the ZIP file to write")
		if err := fs.Parse(rest); err != nil {
			return err
		}
		return exportCase(ctx, cfg, *caseID, *path, stdout)
	case "rebuild":
		if err := fs.Parse(rest); err != nil {
			return err
		}
		return rebuild(ctx, cfg, stdout)
	case "gen":
		n := fs.Int("cases", 1000, "number of cases to generate")
		seed := fs.Int64("seed", 1, "random seed")
		if err := fs.Parse(rest); err != nil {
			return err
		}
		return generate(ctx, cfg, *n, *seed, stdout)
	case "bench":
		o := benchOptions{}
		fs.BoolVar(&o.quick, "quick", false, "short run (smoke test)")
		fs.IntVar(&o.cases, "cases", 0, "cases in the generated data set for the list figure (default 100000; 2000 with --quick)")
		fs.BoolVar(&o.keep, "keep", false, "keep the bench database instead of dropping it")
		fs.StringVar(&o.profileDir, "profile", "", "write a CPU profile of each phase into this directory")
		fs.StringVar(&o.phases, "phases", "all", "parts to run: list, intake, case, storm, append (comma-separated, or all); the data set is always generated")
		fs.StringVar(&o.stores, "stores", "all", "embedded Temporal stores for intake and storm: sqlite, postgres (comma-separated, or all)")
		fs.IntVar(&o.stormCases, "storm", 0, "open cases of the deadline storm (default 10000; 100 with --quick)")
		fs.BoolVar(&o.scaleOut, "scale-out", false, "instead: two worker and two api processes against one Temporal on PostgreSQL, beside one of each")
		if err := fs.Parse(rest); err != nil {
			return err
		}
		applyMemoryLimit(logger)
		return bench(ctx, cfg, o, stdout, logger)
	case "user":
		return userCommand(ctx, cfg, fs, rest, stdout)
	case "unit":
		return unitCommand(ctx, cfg, fs, rest, stdout)
	case "healthcheck":
		url := fs.String("url", "http://127.0.0.1:8080/readyz", "URL to GET")
		if err := fs.Parse(rest); err != nil {
			return err
		}
		return healthcheck(ctx, *url)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
