// Command zendesk is the Zendesk Messaging token function for AWS Lambda
// (provided.al2023). Its settings and secret are in pkg/zendesk/README.md.
package main

import (
	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/zendesk"
)

func main() { function.Main(zendesk.Descriptor) }
