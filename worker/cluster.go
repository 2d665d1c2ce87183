package worker

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/dynamicconfig"
	"google.golang.org/protobuf/types/known/durationpb"
)

// EnsureCluster prepares an external Temporal cluster for CaseTrail: the
// namespace exists (registered with retention when missing) and our search
// attributes are registered on it. It is idempotent and safe to run from
// several processes at once.
func EnsureCluster(ctx context.Context, c client.Client, namespace string, retention time.Duration, attrs map[string]enumspb.IndexedValueType) error {
	if retention <= 0 {
		retention = DefaultRetention
	}
	_, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
	var nf *serviceerror.NamespaceNotFound
	if errors.As(err, &nf) {
		_, err = c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
			Namespace:                        namespace,
			WorkflowExecutionRetentionPeriod: durationpb.New(retention),
		})
		var exists *serviceerror.NamespaceAlreadyExists
		if errors.As(err, &exists) {
			err = nil
		}
		if err != nil {
			return fmt.Errorf("register namespace %s: %w", namespace, err)
		}
	} else if err != nil {
		return fmt.Errorf("describe namespace %s: %w", namespace, err)
	}
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, typ := range attrs {
		got, ok := have.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = typ
		case got != typ:
			return fmt.Errorf("search attribute %s is registered as %s, CaseTrail needs %s", name, got, typ)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: namespace, SearchAttributes: missing})
	var exists *serviceerror.AlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("add search attributes: %w", err)
	}
	return nil
}

// ClusterDynamicConfig is the Temporal dynamic configuration CaseTrail asks
// of the server its cases run on: the embedded server applies it, and
// config/temporal-dynamicconfig.yaml carries it to the cluster of
// docker-compose.yml (a test keeps the two equal).
var ClusterDynamicConfig = map[string]any{
	// Commands to one case queue up in its workflow, which takes them one at
	// a time. Temporal's default admits 10 in-flight updates per workflow
	// and refuses the rest (RESOURCE_EXHAUSTED), which the SDK retries with
	// back-off: seconds of latency for a burst of commands to one case.
	"history.maxInFlightUpdates": 200,
	// A worker that replays a case from its start gets its whole history in
	// the poll response (up to the server's continue-as-new suggestion at
	// 4,096 events) instead of fetching further pages, which may not hold a
	// speculative workflow task's events ("premature end of stream"): such a
	// task fails, and the server aborts every update in flight.
	"matching.historyMaxPageSize": 8192,
}

// DynamicConfig returns ClusterDynamicConfig as a server's static dynamic
// configuration (the embedded server's, and the test servers').
func DynamicConfig() dynamicconfig.StaticClient {
	dc := dynamicconfig.StaticClient{}
	for k, v := range ClusterDynamicConfig {
		dc[dynamicconfig.MakeKey(k)] = v
	}
	return dc
}
