// Command hooli is the Hooli Chat token function for AWS Lambda
// (provided.al2023). Its settings and secret are in pkg/hooli/README.md.
package main

import (
	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/hooli"
)

func main() { function.Main(hooli.Descriptor) }
