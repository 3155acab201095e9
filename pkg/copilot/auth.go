package copilot

import (
	"bytes"
	"encoding/base64"
	"fmt"

	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
)

// BasicAuth returns the Authorization header value for the Copilot service
// account: "Basic " and the base64 of clientID, a colon and clientSecret.
// The result is a credential: never log it.
func BasicAuth(clientID, clientSecret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(clientID+":"+clientSecret))
}

// CheckCredentials reports whether v holds usable Copilot credentials: a
// client_id without a colon (HTTP Basic cannot carry one) and a
// client_secret, neither empty. It is the secret's secrets.Spec.Check, so
// a rotated value is held to it before it is used. Errors name the JSON
// key, never its value.
func CheckCredentials(v secrets.Values) error {
	id, secret := v["client_id"], v["client_secret"]
	switch {
	case len(id) == 0:
		return fmt.Errorf("%w: JSON key client_id is missing or empty", ErrCredentials)
	case len(secret) == 0:
		return fmt.Errorf("%w: JSON key client_secret is missing or empty", ErrCredentials)
	case bytes.IndexByte(id, ':') >= 0:
		return fmt.Errorf("%w: JSON key client_id contains a colon", ErrCredentials)
	}
	return nil
}

// authorization builds the header from the secret's JSON keys.
func authorization(v secrets.Values) (string, error) {
	if err := CheckCredentials(v); err != nil {
		return "", err
	}
	return BasicAuth(string(v["client_id"]), string(v["client_secret"])), nil
}
