// Package secretstest is a stand-in for AWS Secrets Manager in tests: an
// httptest server on loopback that speaks the service's real wire protocol
// (AWS JSON 1.1) for GetSecretValue, so the real SDK client can be tested
// against it in process (Server.Client, or secrets.NewAPI under Server.Setenv)
// or from a subprocess (Server.Env), with no AWS account.
//
// It counts requests and how many overlap, can delay its answers like a
// network round trip or hold them until released (a service that hangs),
// and can fail on demand with the service's own error types:
//
//	srv := secretstest.NewServer(t, map[string]string{"acme": `{"secret":"dev"}`})
//	srv.SetDelay(50 * time.Millisecond)
//	srv.FailWith("acme", 400, "InvalidRequestException") // scheduled for deletion
//	cmd.Env = append(os.Environ(), srv.Env()...)
package secretstest
