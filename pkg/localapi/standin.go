package localapi

import "github.com/vendortokens/vendor-token-functions/pkg/descriptor"

// StandInPath is where the local server serves the stand-in of v's
// upstream API: "/<name>-standin".
func StandInPath(v descriptor.Vendor) string { return "/" + v.Name + "-standin" }
