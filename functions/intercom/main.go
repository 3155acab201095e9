// Command intercom is the Intercom Messenger token function for AWS Lambda
// (provided.al2023). Its settings and secret are in pkg/intercom/README.md.
package main

import (
	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/intercom"
)

func main() { function.Main(intercom.Descriptor) }
