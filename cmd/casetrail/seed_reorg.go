package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// Units that change in the seed file (issue 17 §5): a unit's validFrom,
// and the reorganisations that closed units on a date, naming the unit
// that takes their new reports:
//
//	reorganisations:
//	  - date: 2025-07-01
//	    close: [lai-chau/tan-uyen/xa-phuc-khoa, lai-chau/tan-uyen]
//	    successor: lai-chau/phuong-tan-phong
//	    reason: "Nghị quyết 1670/NQ-UBTVQH15 sắp xếp đơn vị hành chính cấp xã"
//
// Issue 15 decided that only the administration closes a unit, never the
// seed file; issue 17 §5 lifts that: a reorganisation is data, and a seed
// file may say when units were merged. The closing goes through the
// administration's own path (readmodel.Admin.CloseUnitOn, the path of
// closeUnit): one UnitClosed event with actor "seed", dated on the
// reorganisation's day.

// SeedReorganisation closes units on a day, their new reports going to
// Successor.
type SeedReorganisation struct {
	// On is the day the units closed: its first instant in Vietnam.
	On        time.Time
	Close     []string
	Successor string
	Reason    string
	line      int
}

// seedDay reads a date of the seed file: a day (2025-07-01, its first
// instant in Vietnam, +07:00) or an RFC 3339 instant.
func seedDay(n *yaml.Node) (time.Time, error) {
	v := strings.TrimSpace(n.Value)
	if d, err := time.ParseInLocation("2006-01-02", v, incident.VietnamTime); err == nil {
		return d, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("line %d: %q is not a date (2025-07-01) or an RFC 3339 time", n.Line, v)
}

// parseSeedValidFrom sets u's ValidFrom from the unit's node n, when it
// gives one.
func parseSeedValidFrom(n *yaml.Node, u *incident.Unit) error {
	v := fieldNode(n, "validFrom")
	if v == nil {
		return nil
	}
	d, err := seedDay(v)
	if err != nil {
		return fmt.Errorf("unit %q: validFrom: %w", u.ID, err)
	}
	u.ValidFrom = d
	return nil
}

// parseSeedReorganisations reads the reorganisations of the seed file
// name: each a day, the units it closed (at least one) and their
// successor, all units of the file, a unit closed once in the file and
// never its own successor; the reason is optional.
func parseSeedReorganisations(name string, nodes []yaml.Node, units map[string]int) ([]SeedReorganisation, error) {
	var out []SeedReorganisation
	closedAt := map[string]int{}
	for _, n := range nodes {
		if err := checkFields(&n, "date", "close", "successor", "reason"); err != nil {
			return nil, fmt.Errorf("%s: reorganisation: %w", name, err)
		}
		var raw struct {
			Close     []string `yaml:"close"`
			Successor string   `yaml:"successor"`
			Reason    string   `yaml:"reason"`
		}
		if err := n.Decode(&raw); err != nil {
			return nil, fmt.Errorf("%s: line %d: reorganisation: %w", name, n.Line, err)
		}
		r := SeedReorganisation{Close: raw.Close, Successor: strings.TrimSpace(raw.Successor), Reason: strings.TrimSpace(raw.Reason), line: n.Line}
		on := fieldNode(&n, "date")
		if on == nil {
			return nil, fmt.Errorf("%s: line %d: reorganisation: on (the day, e.g. 2025-07-01) is required", name, n.Line)
		}
		var err error
		if r.On, err = seedDay(on); err != nil {
			return nil, fmt.Errorf("%s: reorganisation: date: %w", name, err)
		}
		if len(r.Close) == 0 {
			return nil, fmt.Errorf("%s: line %d: reorganisation: close (the units it closed) is required", name, n.Line)
		}
		if r.Successor == "" {
			return nil, fmt.Errorf("%s: line %d: reorganisation: successor (the unit that takes their new reports) is required", name, n.Line)
		}
		if _, ok := units[r.Successor]; !ok {
			return nil, fmt.Errorf("%s: line %d: reorganisation: successor %q is not a unit of this file", name, n.Line, r.Successor)
		}
		for i, id := range r.Close {
			id = strings.TrimSpace(id)
			r.Close[i] = id
			switch _, ok := units[id]; {
			case !ok:
				return nil, fmt.Errorf("%s: line %d: reorganisation: close: %q is not a unit of this file", name, n.Line, id)
			case id == r.Successor:
				return nil, fmt.Errorf("%s: line %d: reorganisation: %q cannot succeed itself", name, n.Line, id)
			case closedAt[id] != 0:
				return nil, fmt.Errorf("%s: line %d: reorganisation: %q is already closed by the reorganisation at line %d", name, n.Line, id, closedAt[id])
			}
			closedAt[id] = n.Line
		}
		if _, err := incident.CleanText("reason", r.Reason, false, incident.MaxShortText); err != nil {
			return nil, fmt.Errorf("%s: line %d: reorganisation: %w", name, n.Line, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// seedReorganisations applies the seed's reorganisations whose day has
// come: each unit they close that is still open is closed on the day
// (readmodel.Admin.CloseUnitOn: checked as closeUnit is, recorded as one
// UnitClosed by "seed" with the reason), units within others of the same
// reorganisation first. It is idempotent: a unit already closed on that
// day with that successor is left alone, and one closed otherwise (by the
// administration) too, with a warning. A reorganisation dated in the
// future waits for a start on or after its day (logged).
func (a *app) seedReorganisations(ctx context.Context, ch readmodel.Change, reorgs []SeedReorganisation) error {
	if len(reorgs) == 0 {
		return nil
	}
	admin := a.admin()
	now := time.Now()
	for _, r := range reorgs {
		day := r.On.In(incident.VietnamTime).Format("2006-01-02")
		if r.On.After(now) {
			a.log.Warn("seed: reorganisation not applied before its day", "on", day, "line", r.line)
			continue
		}
		units, err := a.registry.Units(ctx)
		if err != nil {
			return err
		}
		tree := incident.NewUnitTree(units)
		order := slices.Clone(r.Close)
		// The deepest first: a unit closes once the units below it have.
		slices.SortStableFunc(order, func(x, y string) int {
			return cmp.Compare(len(tree.Ancestors(y)), len(tree.Ancestors(x)))
		})
		change := ch
		if r.Reason != "" {
			change.Reason = ch.Reason + ": " + r.Reason
		}
		for _, id := range order {
			u, ok := tree.Unit(id)
			if !ok {
				return fmt.Errorf("seed reorganisation (line %d): unit %s not found", r.line, id)
			}
			if u.Closed() {
				if !u.ClosedAt.Equal(r.On) || u.Successor != r.Successor {
					a.log.Warn("seed: unit closed otherwise since; the reorganisation of the seed file is not applied to it",
						"unit", id, "closed_at", u.ClosedAt, "successor", u.Successor, "line", r.line)
				}
				continue
			}
			if _, err := admin.CloseUnitOn(ctx, change, id, r.Successor, r.On); err != nil {
				return fmt.Errorf("seed reorganisation of %s (line %d): close %s: %w", day, r.line, id, err)
			}
		}
	}
	return nil
}
