package main

import sdkworker "go.temporal.io/sdk/worker"

// caseWorkerOptions are the options of the case worker (workflows and
// activities on workflows.TaskQueue). The SDK's default of two pollers per
// task kind left the matching service without a waiting poll for most
// tasks in a deadline storm: about four tasks per deadline firing, one per
// workflow task, were written to Temporal's tasks table and read back
// instead of being handed to a poll (`casetrail bench --phases storm`,
// README, issue 19). Long polls are cheap: each waits in the server.
func caseWorkerOptions() sdkworker.Options {
	return sdkworker.Options{
		MaxConcurrentWorkflowTaskPollers: 8,
		MaxConcurrentActivityTaskPollers: 4,
	}
}
