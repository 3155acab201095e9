// Package front makes a function answer only the requests that came
// through the stack's protected front: a CloudFront distribution with an
// AWS WAF web ACL that limits each client IP's rate.
//
// API Gateway HTTP APIs take neither an AWS WAF web ACL nor a resource
// policy, so nothing in API Gateway can refuse a caller who skips
// CloudFront and calls the execute-api endpoint directly. Instead,
// CloudFront adds a header to every request it forwards (OriginHeader),
// whose value is a random token kept in Secrets Manager (Secret), and a
// Verifier in front of the session verifier refuses any request without
// it. Its Check is that refusal alone, the gate of the routes that need no
// session (httpapi.Handler.Gate), so they too answer only through the
// front. The template turns this on with the ProtectedFront parameter, which
// gives every function FRONT_SECRET_ID.
package front
