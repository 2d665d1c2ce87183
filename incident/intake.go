package incident

import "strconv"

// Route is where a report goes (RouteReport).
type Route int

const (
	// RouteOpen: the report opens a case of its own.
	RouteOpen Route = iota
	// RouteRepeat: the same report again (same reporter, same
	// clientRequestId): it is answered with the case it opened or was
	// merged into, unchanged.
	RouteRepeat
	// RouteMerge: the report is merged into an open case about one of its
	// subjects (MergeReport).
	RouteMerge
)

// String returns the route's name.
func (r Route) String() string {
	switch r {
	case RouteOpen:
		return "open"
	case RouteRepeat:
		return "repeat"
	case RouteMerge:
		return "merge"
	}
	return "Route(" + strconv.Itoa(int(r)) + ")"
}

// IntakeFacts are what the lookups of a report found.
type IntakeFacts struct {
	// Earlier is the case an earlier report of the same reporter and
	// clientRequestId opened or was merged into ("" when none).
	Earlier string
	// Open is an open case having one of the report's normalized subject
	// URLs ("" when none).
	Open string
	// ReporterMayReadOpen tells whether the reporter may read case Open.
	ReporterMayReadOpen bool
}

// RouteReport decides where a report goes and returns the case it goes to
// ("" for RouteOpen):
//   - an earlier report with the same request went somewhere: RouteRepeat
//     to that case (the other facts do not matter, so their lookups may be
//     skipped);
//   - an open case has one of the subjects and the reporter may read it:
//     RouteMerge into it. Merging into a case the reporter may not read would
//     hand them a case outside their units (and tell them it exists), so
//     such a report opens a case of its own, which the handlers above both
//     units see side by side;
//   - otherwise RouteOpen.
//
// A merge the case refuses (INVALID_TRANSITION: it settled since the
// lookup) leaves no open case about the subjects: the report then opens a
// case, as RouteReport with Open = "" says.
func RouteReport(f IntakeFacts) (Route, string) {
	switch {
	case f.Earlier != "":
		return RouteRepeat, f.Earlier
	case f.Open != "" && f.ReporterMayReadOpen:
		return RouteMerge, f.Open
	}
	return RouteOpen, ""
}

// OpenedBy reports whether the report of reporter with clientRequestID
// opened c (rather than being merged into it). The report that opened a
// case is recorded in it, whatever the scheme of the case's id.
func (c *Case) OpenedBy(reporter, clientRequestID string) bool {
	return c.ReportedBy == reporter && c.ClientRequestID == clientRequestID
}
