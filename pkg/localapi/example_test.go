package localapi_test

import (
	"fmt"

	"github.com/vendortokens/vendor-token-functions/pkg/localapi"
)

func ExampleCurl() {
	fmt.Println(localapi.Curl("POST", "http://127.0.0.1:3000/example/token", "eyJ.e30.sig"))
	// Output:
	// curl -sS -X POST http://127.0.0.1:3000/example/token -H 'Authorization: Bearer eyJ.e30.sig'
}

// The environment wins over the dev defaults; naming a secret in Secrets
// Manager (<NAME>_SECRET_ID) drops its dev value (<NAME>_SECRET_JSON).
func ExampleGetenv() {
	environ := map[string]string{"SESSION_MODE": "jwks", "SESSION_SECRET_ID": "prod/session"}
	getenv := localapi.Getenv(func(k string) string { return environ[k] }, localapi.DevSettings())
	fmt.Printf("SESSION_MODE=%s\n", getenv("SESSION_MODE"))
	fmt.Printf("SESSION_ISSUER=%s\n", getenv("SESSION_ISSUER"))
	fmt.Printf("SESSION_SECRET_JSON=%q\n", getenv("SESSION_SECRET_JSON"))
	// Output:
	// SESSION_MODE=jwks
	// SESSION_ISSUER=https://dev-only-issuer.invalid/
	// SESSION_SECRET_JSON=""
}
