// Command salesforce is the Salesforce Enhanced Chat user verification
// function for AWS Lambda (provided.al2023). Its settings, secret and key
// rotation are in pkg/salesforce/README.md.
package main

import (
	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/salesforce"
)

func main() { function.Main(salesforce.Descriptor) }
