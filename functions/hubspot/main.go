// Command hubspot is the HubSpot token function for AWS Lambda (provided.al2023).
// Its settings and secret are described in README.md.
package main

import (
	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/hubspot"
)

func main() { function.Main(hubspot.Descriptor) }
