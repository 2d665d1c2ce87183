package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"casetrail/eventstore/readmodel"
	"casetrail/incident"
)

// The units on the command line (issue 15): `casetrail unit …` makes the
// changes the GraphQL mutations make, through the same administration
// (readmodel.Admin: the registry's checks, the event on the admin stream
// with the actor and the reason). The operator needs no grant: the command
// runs on the database owner's connection. Running servers reload their
// unit tree on the units table's NOTIFY.

const unitUsage = `usage:
  casetrail unit list
  casetrail unit add --id ID --name "Name" [--parent ID] [--escalates-to ID] [--symbol UBND-VHTT] --reason "why"
  casetrail unit rename ID --name "New name" --reason "why"
  casetrail unit move ID --parent ID --reason "why"          (--parent "" makes it a root)
  casetrail unit close ID --successor ID --reason "why"      (new reports go to the successor)
Changes are recorded on the admin stream with actor cli:<os user> (or --actor) and the reason.
`

// vietnamTime is the time zone dates are printed in (Asia/Ho_Chi_Minh, no
// daylight saving).
var vietnamTime = time.FixedZone("+07", 7*60*60)

// adminFlags are the actor and reason flags of the commands that change
// the administration's data.
type adminFlags struct {
	actor, reason *string
}

func newAdminFlags(fs *flag.FlagSet) adminFlags {
	return adminFlags{
		actor:  fs.String("actor", "", "who makes the change, as recorded on the admin stream (default cli:<os user>)"),
		reason: fs.String("reason", "", "why the change is made (recorded on the admin stream; required)"),
	}
}

// change returns the recorded actor and reason; the reason is required
// unless a default is given.
func (f adminFlags) change(command, defaultReason string) (readmodel.Change, error) {
	actor := strings.TrimSpace(*f.actor)
	if actor == "" {
		actor = "cli:" + osUser()
	}
	reason := strings.TrimSpace(*f.reason)
	if reason == "" {
		reason = defaultReason
	}
	if reason == "" {
		return readmodel.Change{}, fmt.Errorf("%s: --reason is required (it is recorded on the admin stream)", command)
	}
	if n := len([]rune(reason)); n > 500 {
		return readmodel.Change{}, fmt.Errorf("%s: --reason: at most 500 characters, got %d", command, n)
	}
	return readmodel.Change{Actor: actor, Reason: reason}, nil
}

// parseWithID parses args, taking one positional id before or after the
// flags into *id (given once).
func parseWithID(fs *flag.FlagSet, args []string, id *string, what string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		if *id != "" && *id != fs.Arg(0) {
			return fmt.Errorf("give the %s once", what)
		}
		*id = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return fmt.Errorf("unexpected argument %q", fs.Arg(0))
		}
	}
	return nil
}

// unitCommand runs `casetrail unit ...` on the owner's connection.
func unitCommand(ctx context.Context, cfg Config, fs *flag.FlagSet, args []string, out io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(fs.Output(), unitUsage)
		return flag.ErrHelp
	}
	sub, rest := args[0], args[1:]
	id := fs.String("id", "", "unit id: a lower-case path-like slug (e.g. lai-chau/tan-uyen/xa-ta-mit)")
	name := fs.String("name", "", "the unit's name")
	var parent, escalatesTo, symbol, successor optString
	fs.Var(&parent, "parent", "the parent unit (move: \"\" makes the unit a root)")
	fs.Var(&escalatesTo, "escalates-to", "where the unit's cases are escalated to")
	fs.Var(&symbol, "symbol", "the unit's abbreviation on its documents, e.g. UBND-VHTT")
	fs.Var(&successor, "successor", "close: the open unit that takes the closed unit's new reports")
	af := newAdminFlags(fs)
	fs.Usage = func() { fmt.Fprint(fs.Output(), unitUsage); fs.PrintDefaults() }
	if err := parseWithID(fs, rest, id, "unit id"); err != nil {
		return err
	}
	if sub != "list" && *id == "" {
		return fmt.Errorf("unit %s: the unit id is required\n%s", sub, unitUsage)
	}
	store, err := prepareDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	reg := readmodel.NewRegistry(store.Pool())
	// Units need no policy here: the servers' authorizers follow the
	// registry (api.Authorizer.FollowUnits).
	admin := readmodel.NewAdmin(reg, nil, nil)

	switch sub {
	case "list":
		return listUnits(ctx, reg, out)
	case "add":
		ch, err := af.change("unit add", "")
		if err != nil {
			return err
		}
		u, err := admin.CreateUnit(ctx, ch, incident.Unit{ID: *id, Name: *name, Parent: parent.value, EscalatesTo: escalatesTo.value, Symbol: symbol.value})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "unit %s (%s) added\n", u.ID, u.Name)
		return nil
	case "rename":
		if strings.TrimSpace(*name) == "" {
			return errors.New("unit rename: --name is required")
		}
		return changeUnit(ctx, admin, af, "unit rename", *id, readmodel.UnitChange{Name: name}, out)
	case "move":
		if !parent.set {
			return errors.New("unit move: --parent is required (\"\" makes the unit a root)")
		}
		return changeUnit(ctx, admin, af, "unit move", *id, readmodel.UnitChange{Parent: &parent.value}, out)
	case "close":
		if !successor.set || successor.value == "" {
			return errors.New("unit close: --successor is required: the open unit that takes the closed unit's new reports")
		}
		ch, err := af.change("unit close", "")
		if err != nil {
			return err
		}
		u, err := admin.CloseUnit(ctx, ch, *id, successor.value)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "unit %s closed on %s; its new reports go to %s\n", u.ID, u.ClosedAt.In(vietnamTime).Format("15:04 02/01/2006"), u.Successor)
		return nil
	}
	return fmt.Errorf("unit: unknown subcommand %q\n%s", sub, unitUsage)
}

func changeUnit(ctx context.Context, admin *readmodel.Admin, af adminFlags, command, id string, c readmodel.UnitChange, out io.Writer) error {
	ch, err := af.change(command, "")
	if err != nil {
		return err
	}
	u, err := admin.UpdateUnit(ctx, ch, id, c)
	if err != nil {
		return err
	}
	parent := u.Parent
	if parent == "" {
		parent = "(root)"
	}
	fmt.Fprintf(out, "unit %s: %s, under %s\n", u.ID, u.Name, parent)
	return nil
}

// listUnits prints every unit, closed ones with their successor.
func listUnits(ctx context.Context, reg *readmodel.Registry, out io.Writer) error {
	units, err := reg.Units(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tPARENT\tESCALATES TO\tSYMBOL\tCLOSED\tSUCCESSOR")
	for _, u := range units {
		closed := ""
		if u.Closed() {
			closed = u.ClosedAt.In(vietnamTime).Format("02/01/2006")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Name, dash(u.Parent), dash(u.EscalatesTo), dash(u.Symbol), dash(closed), dash(u.Successor))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// optString is a string flag that knows whether it was given (an empty
// value given means "none").
type optString struct {
	value string
	set   bool
}

func (o *optString) String() string { return o.value }

func (o *optString) Set(s string) error {
	o.value, o.set = strings.TrimSpace(s), true
	return nil
}
