package dev_test

import (
	"fmt"

	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

func ExampleSecret() {
	spec := secrets.Spec{Setting: "EXAMPLE_SECRET_ID", Keys: []string{"client_id", "client_secret"}}
	fmt.Println(dev.Secret("example", spec))
	// Output: {"client_id":"dev-only-example-client-id-not-for-production","client_secret":"dev-only-example-client-secret-not-for-production"}
}
