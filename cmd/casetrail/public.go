package main

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"casetrail/eventstore/readmodel"
	"casetrail/incident"
	"casetrail/intake"
	"casetrail/public"
	"casetrail/workflows"
)

// The public's two doors (issue 18): the official-account check and the
// citizens' report form (package public), served by the web interface
// without login. A citizen's report goes through an intake built on the
// same read model, workflows and Casbin authorizer as the graph's, as the
// subject incident.PublicSubject: the seed file grants it the role PUBLIC
// on the units that take citizens' reports (config/demo-seed.yaml).

// publicPurgeInterval is how often the expired contacts are deleted.
const publicPurgeInterval = time.Hour

// publicService builds the public service of this process and starts the
// hourly purge of the contacts past their retention.
func (a *app) publicService() (*public.Service, error) {
	_, retention, err := a.cfg.publicSettings()
	if err != nil {
		return nil, err
	}
	in, err := intake.New(intake.Deps{
		Reads:    publicIntakeReads{a.reader, a.registry, a.projector},
		Commands: workflows.Commands{Client: a.temporal, Policy: a.policy},
		Auth:     a.authz,
		Units:    registryUnits{a.registry},
		Logger:   a.log,
	})
	if err != nil {
		return nil, err
	}
	svc, err := public.New(public.Deps{
		Pool: a.store.Pool(), Accounts: a.reader, Cases: a.reader, Units: a.registry, Intake: in, Auth: a.authz,
		Retention: retention, Logger: a.log,
	})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		svc.RunPurge(ctx, publicPurgeInterval)
	}()
	a.closers = append(a.closers, func() { cancel(); <-done })
	return svc, nil
}

// publicIntakeReads are the intake's lookups: the read model's cases and
// the case id key, the registry's escalation targets, the projector's
// progress (what schema's intakeReads are for the graph).
type publicIntakeReads struct {
	reader    *readmodel.Reader
	registry  *readmodel.Registry
	projector *readmodel.Projector
}

func (r publicIntakeReads) Case(ctx context.Context, id string) (*incident.Case, error) {
	return r.reader.Case(ctx, id)
}

func (r publicIntakeReads) CaseByRequest(ctx context.Context, reporter, clientRequestID string) (string, bool, error) {
	return r.reader.CaseByRequest(ctx, reporter, clientRequestID)
}

func (r publicIntakeReads) OpenCaseBySubject(ctx context.Context, normalizedURLs []string) (string, bool, error) {
	return r.reader.OpenCaseBySubject(ctx, normalizedURLs)
}

func (r publicIntakeReads) EscalationTarget(ctx context.Context, unitID string) (string, error) {
	return r.registry.EscalationTarget(ctx, unitID)
}

func (r publicIntakeReads) CaseIDKey(ctx context.Context) ([]byte, error) {
	return r.reader.CaseIDKey(ctx)
}

func (r publicIntakeReads) WaitFor(ctx context.Context, position int64) error {
	return r.projector.WaitFor(ctx, position)
}

// registryUnits check a report's unit against the registry (NOT_FOUND on
// "unit", as the graph answers).
type registryUnits struct{ registry *readmodel.Registry }

func (u registryUnits) CheckUnit(ctx context.Context, unit string) error {
	t, err := u.UnitTree(ctx)
	if err != nil {
		return err
	}
	if _, ok := t.Unit(unit); !ok {
		return &incident.Error{Code: incident.CodeNotFound, Field: "unit", Message: fmt.Sprintf("unit %s does not exist", unit)}
	}
	return nil
}

func (u registryUnits) UnitTree(ctx context.Context) (*incident.UnitTree, error) {
	units, err := u.registry.Units(ctx)
	if err != nil {
		return nil, err
	}
	return incident.NewUnitTree(units), nil
}

// publicSettings parses CASETRAIL_TRUSTED_PROXIES (addresses or CIDR
// prefixes, comma separated) and CASETRAIL_PUBLIC_RETENTION (a positive Go
// duration).
func (c Config) publicSettings() ([]netip.Prefix, time.Duration, error) {
	var proxies []netip.Prefix
	for f := range strings.SplitSeq(c.TrustedProxies, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, 0, fmt.Errorf("CASETRAIL_TRUSTED_PROXIES: %q is neither an address nor a CIDR prefix", f)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		proxies = append(proxies, p.Masked())
	}
	retention, err := time.ParseDuration(c.PublicRetention)
	if err != nil || retention <= 0 {
		return nil, 0, fmt.Errorf("CASETRAIL_PUBLIC_RETENTION %q is not a positive Go duration (e.g. 4320h for 180 days)", c.PublicRetention)
	}
	return proxies, retention, nil
}
