package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

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

var roles = map[string]bool{"REPORTER": true, "HANDLER": true, "LEADER": true, "AUDITOR": true, "ADMIN": true}

// ParseSeed reads a seed file strictly: unknown fields, missing values and
// dangling unit references are refused with the file's line and the field.
func ParseSeed(name string, data []byte) (*Seed, error) {
	var raw struct {
		Units            []yaml.Node `yaml:"units"`
		Grants           []yaml.Node `yaml:"grants"`
		OfficialAccounts []yaml.Node `yaml:"officialAccounts"`
		Users            []yaml.Node `yaml:"users"`
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
			"drafting", "numbering", "issuingBody", "parentBody", "place", "signer"); err != nil {
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
		case !roles[g.Role]:
			return nil, fmt.Errorf("%s: line %d: grant: role %q is not one of REPORTER, HANDLER, LEADER, AUDITOR, ADMIN", name, n.Line, g.Role)
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
	Triage                     *spans    `yaml:"triage"`
	Analysis                   *spans    `yaml:"analysis"`
	TakedownResponse           *spans    `yaml:"takedownResponse"`
	EscalationApproval         *spans    `yaml:"escalationApproval"`
	EscalationResponse         *spans    `yaml:"escalationResponse"`
	Resolution                 *spans    `yaml:"resolution"`
	Reminders                  []float64 `yaml:"reminders"`
	AutoEscalateOnTakedownMiss *bool     `yaml:"autoEscalateOnTakedownMiss"`
}

// spans is one duration for every severity, or a per-severity map.
type spans struct {
	all   time.Duration
	bySev map[incident.Severity]time.Duration
}

func (s *spans) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		d, err := time.ParseDuration(n.Value)
		if err != nil || d <= 0 {
			return fmt.Errorf("line %d: %q is not a positive Go duration (e.g. 4h, 90m)", n.Line, n.Value)
		}
		s.all = d
		return nil
	case yaml.MappingNode:
		s.bySev = map[incident.Severity]time.Duration{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			sev := incident.Severity(k.Value)
			switch sev {
			case incident.Low, incident.Medium, incident.High, incident.Critical:
			default:
				return fmt.Errorf("line %d: %q is not a severity (LOW, MEDIUM, HIGH, CRITICAL)", k.Line, k.Value)
			}
			d, err := time.ParseDuration(v.Value)
			if err != nil || d <= 0 {
				return fmt.Errorf("line %d: %s: %q is not a positive Go duration", v.Line, k.Value, v.Value)
			}
			s.bySev[sev] = d
		}
		return nil
	}
	return fmt.Errorf("line %d: expected a duration or a map of severities to durations", n.Line)
}

func (s *spans) single(field string) (time.Duration, error) {
	if s.bySev != nil {
		return 0, fmt.Errorf("%s: takes one duration, not a per-severity map", field)
	}
	return s.all, nil
}

func (s *spans) apply(m map[incident.Severity]time.Duration) {
	for _, sev := range incident.Severities {
		if s.bySev == nil {
			m[sev] = s.all
		} else if d, ok := s.bySev[sev]; ok {
			m[sev] = d
		}
	}
}

// ParsePolicy reads a deadline policy file over the defaults.
func ParsePolicy(name string, data []byte) (incident.Policy, error) {
	p := incident.DefaultPolicy()
	var f policyFile
	if err := strictDecode(data, &f); err != nil {
		return p, fmt.Errorf("%s: %w", name, err)
	}
	var err error
	set := func(dst *time.Duration, s *spans, field string) {
		if s == nil || err != nil {
			return
		}
		*dst, err = s.single(field)
	}
	set(&p.Triage, f.Triage, "triage")
	set(&p.TakedownResponse, f.TakedownResponse, "takedownResponse")
	set(&p.EscalationApproval, f.EscalationApproval, "escalationApproval")
	set(&p.EscalationResponse, f.EscalationResponse, "escalationResponse")
	if err != nil {
		return p, fmt.Errorf("%s: %w", name, err)
	}
	if f.Analysis != nil {
		f.Analysis.apply(p.Analysis)
	}
	if f.Resolution != nil {
		f.Resolution.apply(p.Resolution)
	}
	if f.Reminders != nil {
		p.Reminders = f.Reminders
	}
	if f.AutoEscalateOnTakedownMiss != nil {
		p.AutoEscalateOnTakedownMiss = *f.AutoEscalateOnTakedownMiss
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
