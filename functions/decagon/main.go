// Command decagon is the Decagon token function for AWS Lambda
// (provided.al2023). Its settings and secret are in pkg/decagon/README.md.
package main

import (
	"github.com/vendortokens/vendor-token-functions/pkg/decagon"
	"github.com/vendortokens/vendor-token-functions/pkg/function"
)

func main() { function.Main(decagon.Descriptor) }
