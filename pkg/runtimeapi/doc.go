// Package runtimeapi builds bootstraps as the Makefile does, and serves a
// minimal Lambda Runtime API on loopback for the cold-start benchmark.
//
// Build and BuildFor build bootstraps with the production build flags,
// which they read from the module's Makefile (make print-lambda-goflags),
// so the binary under test is built as the shipped one is. The tests of the
// shipped binaries (functions/bootstrap_test.go) build with them and run
// the bootstraps under the AWS Lambda Runtime Interface Emulator, which
// checks them against the real Runtime API, init errors included.
//
// The Server remains for what the emulator cannot give BenchmarkBootstrap
// of package perf, which compares each bootstrap's cold start and peak
// memory with a yardstick's:
//
//   - The cold start on the benchmark's own clock: from the exec of the
//     bootstrap to its first GET .../invocation/next, with no process
//     between the benchmark and the function. The emulator starts a function only at its first
//     invocation, gives its init time only as a line of its log, and does
//     its own work (logging, collecting garbage) on the same cores
//     meanwhile.
//   - The bootstrap's process id, for its peak resident memory (VmHWM in
//     /proc/<pid>/status): under the emulator the function is the
//     emulator's child, whose id it does not report, and the "Max Memory
//     Used" of its REPORT line is the configured memory size, not a
//     measurement.
//
// A Server plays one execution environment: one function process, started
// with Server.Start, which the Server feeds one invocation at a time.
//
//	paths, err := runtimeapi.Build(ctx, dir, "example.com/m/functions/acme")
//	api := runtimeapi.NewServer(t)
//	fn, err := api.Start(ctx, paths[0], "ACME_SECRET_ID=...")
//	coldStart, err := fn.WaitReady(ctx) // exec to the first GET .../invocation/next
//	res, err := api.Invoke(ctx, event)  // res.Payload, or res.Error
//	pid := fn.Pid()                     // for /proc/<pid>/status, while it runs
//
// It serves only what a function that starts needs (Runtime API
// 2018-06-01):
//
//   - GET /2018-06-01/runtime/invocation/next: waits for an invocation and
//     answers it with its payload and the headers Lambda-Runtime-Aws-Request-Id,
//     Lambda-Runtime-Deadline-Ms, Lambda-Runtime-Invoked-Function-Arn and
//     Lambda-Runtime-Trace-Id.
//   - POST /2018-06-01/runtime/invocation/{id}/response and .../{id}/error:
//     complete invocation id (202), or 400 for an id that is not in flight.
//
// Any other path, /runtime/init/error included, is answered 404. A function
// that cannot start exits, and WaitReady then fails with its exit status;
// Process.Output holds what it wrote. Processes are killed and the server
// closed when the test or benchmark ends.
package runtimeapi
