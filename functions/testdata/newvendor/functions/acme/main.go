// Command acme is the Acme Chat token function for AWS Lambda
// (provided.al2023). Its settings and secret are in pkg/acme/README.md.
package main

import (
	"github.com/vendortokens/vendor-token-functions/pkg/acme"
	"github.com/vendortokens/vendor-token-functions/pkg/function"
)

func main() { function.Main(acme.Descriptor) }
