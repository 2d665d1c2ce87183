package api

// Transport codes of the contract (docs/contract/schema.graphql, header):
// the refusals of the HTTP layer, before or around execution. The domain's
// codes are incident.Codes; TestContractErrorCodes checks that the two lists
// together are the contract's header.
const (
	// CodeRateLimited: a subject's request, cost or command budget is spent
	// (HTTP 429 with Retry-After).
	CodeRateLimited = "RATE_LIMITED"
	// CodeQueryTooComplex: a document over the depth, size or cost limits,
	// or a response over MaxResponseBytes.
	CodeQueryTooComplex = "QUERY_TOO_COMPLEX"
)

// TransportCodes lists the transport codes, in the order of the contract's header.
var TransportCodes = []string{CodeRateLimited, CodeQueryTooComplex}
