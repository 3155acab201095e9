// Package localapi serves the functions' routes on one local HTTP server,
// with no AWS account: each request becomes an API Gateway HTTP API event
// (payload format 2.0) for the very handler that function.Build makes for
// Lambda, and the handler's response is written back as API Gateway would.
// cmd/local runs it (make local).
//
// Routes is the one route table, held equal to template.yaml's routes by a
// test. A Server answers a path no route has with 404 and the body
//
//	{"error": {"code": "not_found", "message": "...", "request_id": "..."}}
//
// and a method a route's path does not accept with 405, code
// "method_not_allowed" and an Allow header. (Deployed, API Gateway answers
// both with its own 404 {"message":"Not Found"}.) A body over
// MaxRequestBytes gets the handler's own 400 bad_request, and a query
// string with a parameter that is not valid percent-encoding gets 400
// bad_request (ErrBadQuery) without reaching the handler (see ParseQuery).
// Every response carries Apigw-Requestid, the event's request id, which the
// handler's error bodies and log lines repeat.
//
// A Server answers only requests whose Host is a loopback name or address
// (package loopback): any other Host, such as a web page's own name that
// has been made to resolve to 127.0.0.1 (DNS rebinding), gets 403
// forbidden with the same error body, before any route or stand-in sees
// the request. 403 rather than 400: the request is well formed, and
// refused by policy whoever sends it, so retrying cannot help.
//
// Settings are the functions' own environment variables. DevSettings are
// dev-only defaults that let the server run at once: hs256 sessions with a
// dev signing key, dev vendor secrets given as *_SECRET_JSON, and every API
// a function calls (descriptor.Vendor.Upstream) answered by that vendor's
// stand-in from the vendor list (vendors.StandIn), which the Server mounts
// at StandInPath, "/<name>-standin", and to which the API's base URL
// setting points. Getenv lays the real environment over them, so any
// variable that is set wins. DevSession signs a session token that those
// settings accept. The dev signing key is published here, so
// CheckDevSessionKey, which Run applies, refuses it beside settings that
// reach a real vendor; it reads SESSION_SECRET_JSON as the functions do
// (secrets.Parse).
package localapi
