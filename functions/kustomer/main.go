// Command kustomer is the Kustomer Chat token function for AWS Lambda
// (provided.al2023). Its settings and secret are in pkg/kustomer/README.md.
package main

import (
	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/kustomer"
)

func main() { function.Main(kustomer.Descriptor) }
