package hubspottest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/vendortokens/vendor-token-functions/pkg/dev"
	"github.com/vendortokens/vendor-token-functions/pkg/hubspot"
)

// StandIn answers HubSpot's visitor identification call (POST
// /visitor-identification/2026-03/tokens/create, relative to its base URL,
// hubspot.Path) as the real API does, for local use and tests:
//
//   - Authorization "Bearer <AccessToken>" and a JSON body with a non-blank
//     string "email" (and, optionally, string "firstName" and "lastName")
//     get 200 {"token": "<random>"}, a new token each time;
//   - no or another Authorization gets 401 with HubSpot's error body,
//     {"status": "error", "message": "...", "correlationId": "<uuid>",
//     "category": "INVALID_AUTHENTICATION"};
//   - a body that is not such a JSON object gets 400 (category
//     VALIDATION_ERROR), a body that is not JSON 415, another method 405
//     and another path 404 (category OBJECT_NOT_FOUND).
//
// It keeps no state.
type StandIn struct {
	AccessToken string
}

// Dev returns the stand-in that accepts the dev-only access token of
// hubspot.Descriptor (package dev).
func Dev() StandIn {
	return StandIn{AccessToken: dev.Value(hubspot.Descriptor.Name, "access_token")}
}

// maxStandInBody bounds the request body the stand-in reads.
const maxStandInBody = 4 << 10

// ServeHTTP answers one request.
func (s StandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path != "/"+hubspot.Path:
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "No route found for this path.")
		return
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "VALIDATION_ERROR", "Only POST is supported.")
		return
	}
	token, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !found || token == "" {
		writeError(w, http.StatusUnauthorized, "INVALID_AUTHENTICATION", "Authentication credentials not found.")
		return
	}
	// Compared in full, so the answer's timing tells nothing.
	if s.AccessToken == "" || subtle.ConstantTimeCompare([]byte(token), []byte(s.AccessToken)) != 1 {
		writeError(w, http.StatusUnauthorized, "INVALID_AUTHENTICATION", "The access token is not valid.")
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "VALIDATION_ERROR", "The body must be application/json.")
		return
	}
	var req struct {
		Email     *string `json:"email"`
		FirstName *string `json:"firstName"`
		LastName  *string `json:"lastName"`
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxStandInBody+1))
	if err != nil || len(body) > maxStandInBody || json.Unmarshal(body, &req) != nil || req.Email == nil || strings.TrimSpace(*req.Email) == "" {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "The request body must be a JSON object with a non-empty email.")
		return
	}
	var t [32]byte
	_, _ = rand.Read(t[:])
	writeJSON(w, http.StatusOK, map[string]string{"token": base64.RawURLEncoding.EncodeToString(t[:])})
}

// writeError writes HubSpot's error body.
func writeError(w http.ResponseWriter, status int, category, message string) {
	writeJSON(w, status, map[string]string{
		"status":        "error",
		"message":       message,
		"correlationId": correlationID(),
		"category":      category,
	})
}

// correlationID is a random UUID (version 4), as HubSpot's are.
func correlationID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
