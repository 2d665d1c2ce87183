package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"casetrail/api"
	"casetrail/incident"
)

// Seed is the seed file (README.md, "Configuration"): units, role grants and official accounts,
// applied idempotently at start.
type Seed struct {
	Units            []incident.Unit `yaml:"units"`
	Grants           []SeedGrant     `yaml:"grants"`
	OfficialAccounts []SeedAccount   `yaml:"officialAccounts"`
	// Users are the people of the web interface (users.go).
	Users []SeedUser `yaml:"users"`
	// Reorganisations close units on a day (seed_reorg.go).
	Reorganisations []SeedReorganisation `yaml:"reorganisations"`
}

// SeedGrant gives a subject a role on a unit and all its sub-units.
type SeedGrant struct {
	Subject string `yaml:"subject"`
	Role    string `yaml:"role"`
	Unit    string `yaml:"unit"`
	line    int
}

// SeedAccount is an official account of a unit.
type SeedAccount struct {
	Unit        string            `yaml:"unit"`
	Platform    incident.Platform `yaml:"platform"`
	URL         string            `yaml:"url"`
	DisplayName string            `yaml:"displayName"`
	line        int
}

var roles = map[string]bool{"REPORTER": true, "HANDLER": true, "LEADER": true, "AUDITOR": true, "ADMIN": true, "CLERK": true}

// ParseSeed reads a seed file strictly: unknown fields, missing values and
// dangling unit references are refused with the file's line and the field.
func ParseSeed(name string, data []byte) (*Seed, error) {
	var raw struct {
		Units            []yaml.Node `yaml:"units"`
		Grants           []yaml.Node `yaml:"grants"`
		OfficialAccounts []yaml.Node `yaml:"officialAccounts"`
		Users            []yaml.Node `yaml:"users"`
		Reorganisations  []yaml.Node `yaml:"reorganisations"`
	}
	if err := strictDecode(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var s Seed
	units := map[string]int{}
	for _, n := range raw.Units {
		var u incident.Unit
		if err := n.Decode(&u); err != nil {
			return nil, fmt.Errorf("%s: line %d: %w", name, n.Line, err)
		}
		if err := checkFields(&n, "id", "name", "parent", "escalatesTo", "symbol",
			"drafting", "numbering", "issuingBody", "parentBody", "place", "signer",
			"validFrom"); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if s := fieldNode(&n, "signer"); s != nil {
			if err := checkFields(s, "prefix", "authority", "title", "name"); err != nil {
				return nil, fmt.Errorf("%s: unit signer: %w", name, err)
			}
		}
		if u.ID == "" || u.Name == "" {
			return nil, fmt.Errorf("%s: line %d: unit: id and name are required", name, n.Line)
		}
		if err := parseSeedValidFrom(&n, &u); err != nil { // seed_reorg.go
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		// The letter settings (issue 16) are checked as the registry will.
		if _, err := incident.CleanUnit(u); err != nil {
			return nil, fmt.Errorf("%s: line %d: unit %q: %w", name, n.Line, u.ID, err)
		}
		if prev, dup := units[u.ID]; dup {
			return nil, fmt.Errorf("%s: line %d: unit %q: id already defined at line %d", name, n.Line, u.ID, prev)
		}
		units[u.ID] = n.Line
		s.Units = append(s.Units, u)
	}
	for _, u := range s.Units {
		if u.Parent != "" {
			if _, ok := units[u.Parent]; !ok {
				return nil, fmt.Errorf("%s: line %d: unit %q: parent %q is not a unit of this file", name, units[u.ID], u.ID, u.Parent)
			}
		}
		if u.EscalatesTo != "" {
			if _, ok := units[u.EscalatesTo]; !ok {
				return nil, fmt.Errorf("%s: line %d: unit %q: escalatesTo %q is not a unit of this file", name, units[u.ID], u.ID, u.EscalatesTo)
			}
		}
		for _, k := range u.EscalationRoutes.Kinds() {
			for _, r := range u.EscalationRoutes.Route(k) {
				if _, ok := units[r.Unit]; !ok {
					return nil, fmt.Errorf("%s: line %d: unit %q: escalatesTo %s: %q is not a unit of this file", name, units[u.ID], u.ID, k, r.Unit)
				}
			}
		}
	}
	tree := incident.NewUnitTree(s.Units)
	for _, u := range s.Units {
		if tree.Loops(u.ID) {
			return nil, fmt.Errorf("%s: line %d: unit %q: parent chain forms a cycle", name, units[u.ID], u.ID)
		}
	}
	for _, n := range raw.Grants {
		var g SeedGrant
		if err := n.Decode(&g); err != nil {
			return nil, fmt.Errorf("%s: line %d: %w", name, n.Line, err)
		}
		if err := checkFields(&n, "subject", "role", "unit"); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		g.line = n.Line
		switch {
		case g.Subject == "":
			return nil, fmt.Errorf("%s: line %d: grant: subject is required", name, n.Line)
		case (g.Role == api.RolePublic) != (g.Subject == incident.PublicSubject):
			// The citizens' report form's subject (public.go).
			return nil, fmt.Errorf("%s: line %d: grant: the role %s goes to the subject %q alone, which holds no other",
				name, n.Line, api.RolePublic, incident.PublicSubject)
		case !roles[g.Role] && g.Role != api.RolePublic:
			return nil, fmt.Errorf("%s: line %d: grant: role %q is not one of REPORTER, HANDLER, LEADER, AUDITOR, ADMIN, CLERK", name, n.Line, g.Role)
		}
		if _, ok := units[g.Unit]; !ok {
			return nil, fmt.Errorf("%s: line %d: grant: unit %q is not a unit of this file", name, n.Line, g.Unit)
		}
		s.Grants = append(s.Grants, g)
	}
	for _, n := range raw.OfficialAccounts {
		var a SeedAccount
		if err := n.Decode(&a); err != nil {
			return nil, fmt.Errorf("%s: line %d: %w", name, n.Line, err)
		}
		if err := checkFields(&n, "unit", "platform", "url", "displayName"); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		a.line = n.Line
		if _, ok := units[a.Unit]; !ok {
			return nil, fmt.Errorf("%s: line %d: official account: unit %q is not a unit of this file", name, n.Line, a.Unit)
		}
		if !incident.ValidPlatform(a.Platform) {
			return nil, fmt.Errorf("%s: line %d: official account: platform %q is unknown", name, n.Line, a.Platform)
		}
		if _, err := incident.NormalizeURL(a.URL); err != nil {
			return nil, fmt.Errorf("%s: line %d: official account: url %q is not an absolute http(s) URL", name, n.Line, a.URL)
		}
		if a.DisplayName == "" {
			return nil, fmt.Errorf("%s: line %d: official account: displayName is required", name, n.Line)
		}
		s.OfficialAccounts = append(s.OfficialAccounts, a)
	}
	reorgs, err := parseSeedReorganisations(name, raw.Reorganisations, units) // seed_reorg.go
	if err != nil {
		return nil, err
	}
	s.Reorganisations = reorgs
	users, err := parseSeedUsers(name, raw.Users)
	if err != nil {
		return nil, err
	}
	s.Users = users
	return &s, nil
}

// checkFields refuses keys of a mapping node that are not in allowed.
func checkFields(n *yaml.Node, allowed ...string) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: expected a mapping", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		ok := false
		for _, a := range allowed {
			if k.Value == a {
				ok = true
			}
		}
		if !ok {
			return fmt.Errorf("line %d: unknown field %q (allowed: %s)", k.Line, k.Value, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// fieldNode returns the value node of key in mapping node n, if any.
func fieldNode(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func strictDecode(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// policyFile is the deadline policy file (README.md, "Configuration"); any key may be left out.
type policyFile struct {
	Triage                     *spans        `yaml:"triage"`
	Analysis                   *spans        `yaml:"analysis"`
	TakedownResponse           *spans        `yaml:"takedownResponse"`
	EscalationApproval         *spans        `yaml:"escalationApproval"`
	EscalationResponse         *spans        `yaml:"escalationResponse"`
	Resolution                 *spans        `yaml:"resolution"`
	Reminders                  []float64     `yaml:"reminders"`
	AutoEscalateOnTakedownMiss *bool         `yaml:"autoEscalateOnTakedownMiss"`
	Calendar                   *calendarFile `yaml:"calendar"`
	TakedownResponseByChannel  channelSpans  `yaml:"takedownResponseByChannel"`
	Playbooks                  playbooksFile `yaml:"playbooks"`
}

// playbooksFile gives per incident kind the playbook that replaces the
// embedded one (incident.DefaultPlaybooks); kinds left out keep theirs. It
// is the policy file's playbooks key and the whole of a playbook file
// (--playbooks).
type playbooksFile map[incident.Kind][]playbookTask

// playbookTask is one task as the files write it.
type playbookTask struct {
	ID         string        `yaml:"id"`
	Title      string        `yaml:"title"`
	Required   bool          `yaml:"required"`
	Role       string        `yaml:"role"`
	Within     time.Duration `yaml:"within"`
	RecordsURL bool          `yaml:"recordsUrl"`
}

// apply replaces the playbooks of p for the kinds f names and checks them.
func (f playbooksFile) apply(p *incident.Policy) error {
	if len(f) == 0 {
		return nil
	}
	books := maps.Clone(p.Playbooks)
	if books == nil {
		books = map[incident.Kind][]incident.PlaybookTask{}
	}
	for kind, tasks := range f {
		out := make([]incident.PlaybookTask, 0, len(tasks))
		for _, t := range tasks {
			out = append(out, incident.PlaybookTask{ID: t.ID, Title: t.Title, Required: t.Required, Role: t.Role, Within: t.Within, RecordsURL: t.RecordsURL})
		}
		books[kind] = out
	}
	if err := incident.ValidatePlaybooks(books, api.AllRoles()); err != nil {
		return err
	}
	p.Playbooks = books
	return nil
}

// loadPlaybooks applies the playbook file at path ("" = none) over p.
func loadPlaybooks(p *incident.Policy, path string) error {
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("playbooks: %w", err)
	}
	var f playbooksFile
	if err := strictDecode(data, &f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := f.apply(p); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// policySpan is a Go duration ("24h") or a count of working days ("1wd").
type policySpan struct {
	d  time.Duration
	wd int
}

// maxWorkingDays bounds a span in working days (a year of them).
const maxWorkingDays = 250

func parseSpan(line int, v string) (policySpan, error) {
	if n, ok := strings.CutSuffix(v, "wd"); ok {
		wd, err := strconv.Atoi(n)
		if err != nil || wd < 1 || wd > maxWorkingDays {
			return policySpan{}, fmt.Errorf("line %d: %q is not a number of working days between 1wd and %dwd", line, v, maxWorkingDays)
		}
		return policySpan{wd: wd}, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return policySpan{}, fmt.Errorf("line %d: %q is not a positive Go duration (e.g. 4h, 90m) or number of working days (e.g. 1wd)", line, v)
	}
	return policySpan{d: d}, nil
}

// spans is one span for every severity, or a per-severity map.
type spans struct {
	all   policySpan
	bySev map[incident.Severity]policySpan
}

func (s *spans) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		sp, err := parseSpan(n.Line, n.Value)
		s.all = sp
		return err
	case yaml.MappingNode:
		s.bySev = map[incident.Severity]policySpan{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			sev := incident.Severity(k.Value)
			switch sev {
			case incident.Low, incident.Medium, incident.High, incident.Critical:
			default:
				return fmt.Errorf("line %d: %q is not a severity (LOW, MEDIUM, HIGH, CRITICAL)", k.Line, k.Value)
			}
			sp, err := parseSpan(v.Line, v.Value)
			if err != nil {
				return fmt.Errorf("%s: %w", k.Value, err)
			}
			s.bySev[sev] = sp
		}
		return nil
	}
	return fmt.Errorf("line %d: expected a duration or a map of severities to durations", n.Line)
}

// apply writes s over the policy's spans of kind: durations into durs (one
// entry per severity), working days into p.WorkingDays. A field that takes
// one span (dur not nil) refuses a per-severity map.
func (s *spans) apply(p *incident.Policy, kind incident.DeadlineKind, field string, dur *time.Duration, durs map[incident.Severity]time.Duration) error {
	if dur != nil && s.bySev != nil {
		return fmt.Errorf("%s: takes one duration, not a per-severity map", field)
	}
	for _, sev := range incident.Severities {
		sp, ok := s.all, true
		if s.bySev != nil {
			sp, ok = s.bySev[sev]
		}
		if !ok {
			continue
		}
		if sp.wd > 0 {
			if p.WorkingDays == nil {
				p.WorkingDays = map[incident.DeadlineKind]map[incident.Severity]int{}
			}
			if p.WorkingDays[kind] == nil {
				p.WorkingDays[kind] = map[incident.Severity]int{}
			}
			p.WorkingDays[kind][sev] = sp.wd
			continue
		}
		delete(p.WorkingDays[kind], sev)
		if dur != nil {
			*dur = sp.d
		} else {
			durs[sev] = sp.d
		}
	}
	return nil
}

// calendarFile is the policy file's calendar: the days of the week off and
// the official days off, each a date or a range "2027-02-04..2027-02-10".
type calendarFile struct {
	Weekend  []string `yaml:"weekend"`
	Holidays []string `yaml:"holidays"`
	Workdays []string `yaml:"workdays"`
}

// weekdays by their names in the calendar file.
var weekdays = map[string]time.Weekday{
	"SUN": time.Sunday, "MON": time.Monday, "TUE": time.Tuesday, "WED": time.Wednesday,
	"THU": time.Thursday, "FRI": time.Friday, "SAT": time.Saturday,
}

// maxCalendarRange bounds a range of days off.
const maxCalendarRange = 31

func (f *calendarFile) calendar() (incident.Calendar, error) {
	var c incident.Calendar
	for _, w := range f.Weekend {
		d, ok := weekdays[strings.ToUpper(strings.TrimSpace(w))]
		if !ok {
			return c, fmt.Errorf("calendar: weekend: %q is not a day (MON … SUN)", w)
		}
		c.Weekend = append(c.Weekend, d)
	}
	var err error
	if c.Holidays, err = expandDates("holidays", f.Holidays); err != nil {
		return c, err
	}
	if c.Workdays, err = expandDates("workdays", f.Workdays); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// expandDates turns dates and ranges of dates into the list of dates.
func expandDates(field string, in []string) ([]string, error) {
	var out []string
	for _, v := range in {
		from, to, isRange := strings.Cut(strings.TrimSpace(v), "..")
		if !isRange {
			to = from
		}
		a, err1 := time.Parse(incident.DateLayout, strings.TrimSpace(from))
		b, err2 := time.Parse(incident.DateLayout, strings.TrimSpace(to))
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("calendar: %s: %q is not a date or a range of dates (2027-02-04 or 2027-02-04..2027-02-10)", field, v)
		}
		if b.Before(a) || b.Sub(a) > maxCalendarRange*24*time.Hour {
			return nil, fmt.Errorf("calendar: %s: %q must run forwards over at most %d days", field, v, maxCalendarRange)
		}
		for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
			out = append(out, d.Format(incident.DateLayout))
		}
	}
	return out, nil
}

// ParsePolicy reads a deadline policy file over the defaults.
func ParsePolicy(name string, data []byte) (incident.Policy, error) {
	p := incident.DefaultPolicy()
	var f policyFile
	if err := strictDecode(data, &f); err != nil {
		return p, fmt.Errorf("%s: %w", name, err)
	}
	fields := []struct {
		s     *spans
		kind  incident.DeadlineKind
		field string
		dur   *time.Duration
		durs  map[incident.Severity]time.Duration
	}{
		{f.Triage, incident.DeadlineTriage, "triage", &p.Triage, nil},
		{f.Analysis, incident.DeadlineAnalysis, "analysis", nil, p.Analysis},
		{f.TakedownResponse, incident.DeadlineTakedownResponse, "takedownResponse", &p.TakedownResponse, nil},
		{f.EscalationApproval, incident.DeadlineEscalationApproval, "escalationApproval", &p.EscalationApproval, nil},
		{f.EscalationResponse, incident.DeadlineEscalationResponse, "escalationResponse", &p.EscalationResponse, nil},
		{f.Resolution, incident.DeadlineResolution, "resolution", nil, p.Resolution},
	}
	for _, fl := range fields {
		if fl.s == nil {
			continue
		}
		if err := fl.s.apply(&p, fl.kind, fl.field, fl.dur, fl.durs); err != nil {
			return p, fmt.Errorf("%s: %w", name, err)
		}
	}
	if f.Reminders != nil {
		p.Reminders = f.Reminders
	}
	if f.AutoEscalateOnTakedownMiss != nil {
		p.AutoEscalateOnTakedownMiss = *f.AutoEscalateOnTakedownMiss
	}
	if f.Calendar != nil {
		c, err := f.Calendar.calendar()
		if err != nil {
			return p, fmt.Errorf("%s: %w", name, err)
		}
		p.Calendar = c
	}
	f.TakedownResponseByChannel.apply(&p) // config_channel.go
	if err := f.Playbooks.apply(&p); err != nil {
		return p, fmt.Errorf("%s: %w", name, err)
	}
	if err := p.Validate(); err != nil {
		return p, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}

// loadPolicy reads the policy file at path, or returns the defaults when path is "".
func loadPolicy(path string) (incident.Policy, error) {
	if path == "" {
		return incident.DefaultPolicy(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return incident.Policy{}, fmt.Errorf("deadline policy: %w", err)
	}
	return ParsePolicy(path, data)
}

// loadSeed reads the seed file at path; "" means no seed.
func loadSeed(path string) (*Seed, error) {
	if path == "" {
		return &Seed{}, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	return ParseSeed(path, data)
}
