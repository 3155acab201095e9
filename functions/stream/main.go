// Command stream is the Stream Chat token function for AWS Lambda
// (provided.al2023). Its settings and secret are in pkg/stream/README.md.
package main

import (
	"github.com/vendortokens/vendor-token-functions/pkg/function"
	"github.com/vendortokens/vendor-token-functions/pkg/stream"
)

func main() { function.Main(stream.Descriptor) }
