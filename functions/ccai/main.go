// Command ccai is the CCAI Platform token function for AWS Lambda
// (provided.al2023). Its settings and secret are in pkg/ccai/README.md.
package main

import (
	"github.com/vendortokens/vendor-token-functions/pkg/ccai"
	"github.com/vendortokens/vendor-token-functions/pkg/function"
)

func main() { function.Main(ccai.Descriptor) }
