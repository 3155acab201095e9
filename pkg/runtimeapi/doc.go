// Package runtimeapi is a Lambda Runtime API served on loopback, for tests
// and benchmarks of built bootstraps: it runs a function's bootstrap as
// Lambda does and hands it invocations through the Runtime API
// (2018-06-01), so what is tested is the binary that is shipped.
//
// A Server plays one execution environment: one function process, started
// with Server.Start, which the Server feeds one invocation at a time.
//
//	paths, err := runtimeapi.Build(ctx, dir, "example.com/m/functions/kustomer")
//	api := runtimeapi.NewServer(t)
//	fn, err := api.Start(ctx, paths[0], "KUSTOMER_SECRET_ID=...")
//	coldStart, err := fn.WaitReady(ctx) // exec to the first GET .../invocation/next
//	res, err := api.Invoke(ctx, event)  // res.Payload, or res.Error
//
// It serves:
//
//   - GET /2018-06-01/runtime/invocation/next: waits for an invocation and
//     answers it with its payload and the headers Lambda-Runtime-Aws-Request-Id,
//     Lambda-Runtime-Deadline-Ms, Lambda-Runtime-Invoked-Function-Arn and
//     Lambda-Runtime-Trace-Id.
//   - POST /2018-06-01/runtime/invocation/{id}/response and .../{id}/error:
//     complete invocation id (202), or 400 for an id that is not in flight.
//   - POST /2018-06-01/runtime/init/error: records why the function could not
//     start (202); a later GET .../next is refused with 403, as the sandbox
//     would be torn down.
//
// Server.FirstNext is when the function first asked for an invocation, and
// Process.Started when it was executed: their difference is its cold start.
// Processes are killed and the server closed when the test ends.
//
// Build and BuildFor build bootstraps with the production build flags, which
// they read from the module's Makefile (make print-lambda-goflags), so the
// binary under test is built as the shipped one is.
package runtimeapi
