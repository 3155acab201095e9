// Package hubspot obtains HubSpot visitor identification tokens for
// verified users, from HubSpot's "Generate a visitor identification token"
// call (POST /visitor-identification/2026-03/tokens/create on
// https://api.hubapi.com, the date-based version of the legacy
// /visitor-identification/v3/tokens/create), authenticating with a private
// app's access token as a Bearer token. The app hands the token and the
// email to HubSpot's chat widget (hsConversationsSettings
// identificationEmail and identificationToken), which then treats the
// visitor as a known contact.
//
// HubSpot identifies a visitor by email alone, so the email must be one the
// session says is verified (identity.Identity.Email): without one, Mint
// answers ErrNoEmail (403 forbidden) and HubSpot is not called. The
// session's name, when it has one, is sent as firstName and lastName (see
// SplitName); HubSpot sets them only on a new contact or one whose name it
// does not know.
//
// A token lives 12 hours (TokenLifetime), and HubSpot advises caching it
// across page loads. Mint keeps each token it obtains for CacheTTL (1
// hour), by exactly the email, first and last name it was issued for, so
// it is never given for another identity; an instance keeps at most
// CacheSize tokens, the oldest leaving first. expires_at is when the
// token was asked for plus 12 hours, so a reused token says so.
//
// Everything about the call but its wire format is package upstream's, as
// for every vendor whose function calls its vendor's API: the client and
// its cold-start warm-up, the HUBSPOT_TIMEOUT budget, the one retry of a
// transient fault (HubSpot's 429, 502, 503 and 504 among them), the re-read
// of the secret after a 401, the fault map and the metrics:
//
//   - ErrUnavailable (503 upstream_unavailable): HubSpot could not be
//     reached, timed out, or answered 429, 502, 503 or 504.
//   - ErrRejected (502 upstream_error): HubSpot refused the access token
//     (401) and the secret, read again, holds no other.
//   - ErrUpstream (502 upstream_error): any other answer that is not a 2xx
//     response carrying a non-blank token, such as 403 for an account
//     without a Professional or Enterprise subscription or a private app
//     without the conversations.visitor_identification.tokens.create scope.
//   - ErrCredentials (500 internal): the secret cannot be had or does not
//     hold a usable access token (CheckAccessToken).
//
// A failed call logs one line with the upstream status and HubSpot's error
// category (such as INVALID_AUTHENTICATION), never the body. No error text
// or log line carries the access token, the Authorization header, an
// identification token, the email or the name.
//
// Sources:
// https://developers.hubspot.com/docs/api-reference/2026-03/conversations/visitor-identification/create-visitor-identification
// (the call, its body and answer),
// https://developers.hubspot.com/docs/api/conversation/visitor-identification
// (the integration, the 12-hour lifetime and the advice to cache),
// https://developers.hubspot.com/docs/api/conversation/chat-widget-sdk
// (hsConversationsSettings, widget.load),
// https://developers.hubspot.com/docs/faq/api-error-responses (error
// bodies: status, message, correlationId, category),
// https://developers.hubspot.com/docs/api-reference/legacy/migration-guide
// (date-based versions; the legacy v3 APIs unsupported from September
// 2027).
package hubspot
