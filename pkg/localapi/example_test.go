package localapi_test

import (
	"fmt"

	"github.com/vendortokens/vendor-token-functions/pkg/localapi"
)

func ExampleCurl() {
	fmt.Println(localapi.Curl("POST", "http://127.0.0.1:3000/kustomer/token", "eyJ.e30.sig"))
	// Output:
	// curl -sS -X POST http://127.0.0.1:3000/kustomer/token -H 'Authorization: Bearer eyJ.e30.sig'
}

// The environment wins over the dev defaults; naming a secret in Secrets
// Manager drops its dev value.
func ExampleGetenv() {
	environ := map[string]string{"SESSION_MODE": "jwks", "DECAGON_SECRET_ID": "prod/decagon"}
	getenv := localapi.Getenv(func(k string) string { return environ[k] }, localapi.DevSettings())
	fmt.Printf("SESSION_MODE=%s\n", getenv("SESSION_MODE"))
	fmt.Printf("CCAI_COMPANY_NAME=%s\n", getenv("CCAI_COMPANY_NAME"))
	fmt.Printf("DECAGON_SECRET_JSON=%q\n", getenv("DECAGON_SECRET_JSON"))
	// Output:
	// SESSION_MODE=jwks
	// CCAI_COMPANY_NAME=example-company
	// DECAGON_SECRET_JSON=""
}
