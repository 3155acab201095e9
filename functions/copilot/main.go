// Command copilot is the Copilot.cx token function for AWS Lambda
// (provided.al2023). Its settings and secret are in pkg/copilot/README.md.
package main

import (
	"github.com/vendortokens/vendor-token-functions/pkg/copilot"
	"github.com/vendortokens/vendor-token-functions/pkg/function"
)

func main() { function.Main(copilot.Descriptor) }
