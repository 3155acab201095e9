package copilottest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"

	"github.com/vendortokens/vendor-token-functions/pkg/copilot"
	"github.com/vendortokens/vendor-token-functions/pkg/dev"
)

// StandIn answers Copilot.cx's generate_user_auth_key call (POST
// /v2/api/management/your_own/auth/generate_user_auth_key, relative to its
// base URL) as the real API does, for local use and tests: HTTP Basic
// credentials that match ClientID and ClientSecret and a body
// {"user_id": "<non-empty>"} get 200 {"auth_key": "<random>"}; other
// credentials get 401 {"reason": "AUTH.UNAUTHORIZED"}. It keeps no state.
type StandIn struct {
	ClientID, ClientSecret string
}

// Dev returns the stand-in that accepts the dev-only credentials of
// copilot.Descriptor (package dev).
func Dev() StandIn {
	return StandIn{ClientID: dev.Value(copilot.Descriptor.Name, "client_id"), ClientSecret: dev.Value(copilot.Descriptor.Name, "client_secret")}
}

// maxStandInBody bounds the request body the stand-in reads.
const maxStandInBody = 4 << 10

// ServeHTTP answers one request.
func (c StandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path != "/"+copilot.Path:
		writeReason(w, http.StatusNotFound, "NOT_FOUND")
		return
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", http.MethodPost)
		writeReason(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED")
		return
	}
	id, secret, ok := r.BasicAuth()
	// Both compared in full, so the answer's timing tells nothing.
	idOK := subtle.ConstantTimeCompare([]byte(id), []byte(c.ClientID))
	secretOK := subtle.ConstantTimeCompare([]byte(secret), []byte(c.ClientSecret))
	if !ok || c.ClientID == "" || idOK&secretOK != 1 {
		writeReason(w, http.StatusUnauthorized, "AUTH.UNAUTHORIZED")
		return
	}
	var req struct {
		UserID string `json:"user_id"`
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxStandInBody+1))
	if err != nil || len(body) > maxStandInBody || json.Unmarshal(body, &req) != nil || req.UserID == "" {
		writeReason(w, http.StatusBadRequest, "VALIDATION.USER_ID")
		return
	}
	var key [32]byte
	_, _ = rand.Read(key[:])
	writeJSON(w, http.StatusOK, map[string]string{"auth_key": base64.RawURLEncoding.EncodeToString(key[:])})
}

func writeReason(w http.ResponseWriter, status int, reason string) {
	writeJSON(w, status, map[string]string{"reason": reason})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
