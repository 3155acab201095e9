package secretstest

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/vendortokens/vendor-token-functions/pkg/secrets"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Region is the AWS region that Env and Client configure.
const Region = "us-east-1"

// Server answers Secrets Manager's GetSecretValue on loopback. Its methods
// are safe for concurrent use.
type Server struct {
	// URL is the server's base URL, for AWS_ENDPOINT_URL_SECRETS_MANAGER.
	URL string

	mu          sync.Mutex
	secrets     map[string]entry
	failures    map[string]failure
	delay       time.Duration
	hold        chan struct{} // while non-nil, requests wait for it to close
	calls       map[string]int
	total       int
	inFlight    int
	maxInFlight int
	versions    int
}

// failure is the error the server answers for one secret.
type failure struct {
	status int
	typ    string // the error type, as in __type and X-Amzn-ErrorType
}

// messages are Secrets Manager's own texts for the error types the server
// can be told to answer with.
var messages = map[string]string{
	"AccessDeniedException":   "not authorized to perform: secretsmanager:GetSecretValue",
	"DecryptionFailure":       "Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
	"InternalServiceError":    "An error occurred on the server side.",
	"InvalidRequestException": "You can't perform this operation on the secret because it was marked for deletion.",
	"ThrottlingException":     "Rate exceeded",
}

type entry struct {
	str     *string
	bin     []byte
	version string
	created time.Time
}

// NewServer starts a Server holding secrets (id -> SecretString), closed by
// tb's cleanup.
func NewServer(tb testing.TB, secrets map[string]string) *Server {
	tb.Helper()
	s := &Server{secrets: map[string]entry{}, failures: map[string]failure{}, calls: map[string]int{}}
	for id, v := range secrets {
		s.Set(id, v)
	}
	ts := httptest.NewServer(s)
	tb.Cleanup(ts.Close)
	s.URL = ts.URL
	return s
}

// Set stores value as the SecretString of secret id, as a new version.
func (s *Server) Set(id, value string) {
	s.put(id, entry{str: &value})
}

// SetBinary stores value as the SecretBinary of secret id, as a new version.
func (s *Server) SetBinary(id string, value []byte) {
	s.put(id, entry{bin: append([]byte(nil), value...)})
}

func (s *Server) put(id string, e entry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.versions++
	e.version = fmt.Sprintf("00000000-0000-4000-8000-%012d", s.versions)
	e.created = time.Now()
	s.secrets[id] = e
}

// Delete removes secret id: later requests for it get ResourceNotFoundException.
func (s *Server) Delete(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.secrets, id)
}

// Fail makes later requests for secret id fail with HTTP status:
// InternalServiceError when status is 5xx (the SDK retries those),
// AccessDeniedException otherwise. Status 0 ends the failure.
func (s *Server) Fail(id string, status int) {
	typ := "AccessDeniedException"
	if status >= 500 {
		typ = "InternalServiceError"
	}
	s.FailWith(id, status, typ)
}

// FailWith makes later requests for secret id fail with HTTP status and
// the error type errorType, with Secrets Manager's message for it, such as:
//
//	srv.FailWith(id, 400, "InvalidRequestException") // scheduled for deletion
//	srv.FailWith(id, 400, "DecryptionFailure")       // the KMS key cannot decrypt it
//	srv.FailWith(id, 400, "ThrottlingException")     // rate exceeded
//
// Status 0 ends the failure.
func (s *Server) FailWith(id string, status int, errorType string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if status == 0 {
		delete(s.failures, id)
		return
	}
	s.failures[id] = failure{status: status, typ: errorType}
}

// Hold makes every later request wait, counted in Calls, until Release (or
// until its client gives up): a Secrets Manager that hangs.
func (s *Server) Hold() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold == nil {
		s.hold = make(chan struct{})
	}
}

// Release lets the requests waiting since Hold go on, and later ones pass.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hold != nil {
		close(s.hold)
		s.hold = nil
	}
}

// SetDelay makes every later request wait d before it is answered, like a
// network round trip. A request whose client gives up is dropped.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Calls returns how many GetSecretValue requests the server has received.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// CallsFor returns how many GetSecretValue requests named secret id.
func (s *Server) CallsFor(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[id]
}

// MaxInFlight returns the most GetSecretValue requests the server has been
// serving at one time: 2 after two secrets were read concurrently, 1 after
// they were read one after the other.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}

// Env returns the environment, as KEY=value pairs, under which
// config.LoadDefaultConfig (and so secrets.NewAPI) talks to the server:
// its endpoint, Region, dummy credentials, and no shared AWS files, profile
// or instance metadata. Append it to os.Environ() for a subprocess; later
// entries win.
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL_SECRETS_MANAGER=" + s.URL,
		"AWS_REGION=" + Region,
		"AWS_ACCESS_KEY_ID=AKIDSECRETSTEST",
		"AWS_SECRET_ACCESS_KEY=secretstest",
		"AWS_SESSION_TOKEN=",
		"AWS_PROFILE=",
		"AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// Setenv sets Env in the test's own process, for code that calls
// config.LoadDefaultConfig; tb must not be parallel.
func (s *Server) Setenv(tb testing.TB) {
	tb.Helper()
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		tb.Setenv(k, v)
	}
}

// Client returns a real Secrets Manager client for the server, configured
// without reading the environment, so parallel tests may use it. optFns
// adjust it, e.g. to set RetryMaxAttempts.
func (s *Server) Client(optFns ...func(*secretsmanager.Options)) *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region:       Region,
		BaseEndpoint: aws.String(s.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDSECRETSTEST", SecretAccessKey: "secretstest", Source: "secretstest"}, nil
		}),
	}, optFns...)
}

// getSecretValueRequest is the request body of GetSecretValue.
type getSecretValueRequest struct {
	SecretId     string
	VersionId    string
	VersionStage string
}

// getSecretValueResponse is the response body of GetSecretValue.
type getSecretValueResponse struct {
	ARN           string
	Name          string
	SecretString  *string `json:",omitempty"`
	SecretBinary  []byte  `json:",omitempty"` // base64, as on the wire
	VersionId     string
	VersionStages []string
	CreatedDate   float64 // epoch seconds
}

const (
	target      = "secretsmanager.GetSecretValue"
	contentType = "application/x-amz-json-1.1"
)

// ServeHTTP answers one request of the AWS JSON 1.1 protocol.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/":
		writeError(w, http.StatusNotFound, "UnknownOperationException", "expected POST /")
		return
	case r.Header.Get("X-Amz-Target") != target:
		writeError(w, http.StatusBadRequest, "UnknownOperationException", "only "+target+" is served")
		return
	case r.Header.Get("Content-Type") != contentType:
		writeError(w, http.StatusBadRequest, "SerializationException", "Content-Type must be "+contentType)
		return
	case !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 "):
		writeError(w, http.StatusBadRequest, "MissingAuthenticationTokenException", "the request is not signed with SigV4")
		return
	}
	var req getSecretValueRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "SerializationException", "the request body is not valid JSON")
		return
	}
	if req.SecretId == "" {
		writeError(w, http.StatusBadRequest, "InvalidParameterException", "SecretId is required")
		return
	}

	s.mu.Lock()
	s.total++
	s.calls[req.SecretId]++
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
	delay, hold := s.delay, s.hold
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()

	if delay > 0 {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}

	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
			return
		}
	}

	s.mu.Lock()
	e, ok := s.secrets[req.SecretId]
	fail := s.failures[req.SecretId]
	s.mu.Unlock()
	switch {
	case fail.status != 0:
		msg := messages[fail.typ]
		if fail.typ == "AccessDeniedException" {
			msg += " on resource: " + req.SecretId
		}
		writeError(w, fail.status, fail.typ, msg)
	case !ok,
		req.VersionId != "" && req.VersionId != e.version,
		req.VersionStage != "" && req.VersionStage != "AWSCURRENT":
		writeError(w, http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	default:
		writeJSON(w, http.StatusOK, getSecretValueResponse{
			ARN:           arn(req.SecretId),
			Name:          name(req.SecretId),
			SecretString:  e.str,
			SecretBinary:  e.bin,
			VersionId:     e.version,
			VersionStages: []string{"AWSCURRENT"},
			CreatedDate:   float64(e.created.UnixMilli()) / 1e3,
		})
	}
}

// arn returns id if it is an ARN, or an ARN for the secret named id.
func arn(id string) string {
	if strings.HasPrefix(id, "arn:") {
		return id
	}
	return "arn:aws:secretsmanager:" + Region + ":123456789012:secret:" + id + "-AbCdEf"
}

// name returns the secret's name from id, a name or an ARN.
func name(id string) string {
	if !strings.HasPrefix(id, "arn:") {
		return id
	}
	_, n, _ := strings.Cut(id, ":secret:")
	if i := strings.LastIndexByte(n, '-'); i > 0 && len(n)-i == 7 {
		n = n[:i] // the random suffix
	}
	return n
}

func writeError(w http.ResponseWriter, status int, typ, message string) {
	w.Header().Set("X-Amzn-ErrorType", typ)
	writeJSON(w, status, struct {
		Type    string `json:"__type"`
		Message string
	}{typ, message})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-RequestId", "00000000-0000-4000-8000-000000000000")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// Offline returns spec's secret loaded from value, its JSON, as a function
// loads a secret given in the environment (Spec.OverrideSetting), with no
// Secrets Manager at all. It fails tb when value does not load.
func Offline(tb testing.TB, spec secrets.Spec, value string) *secrets.Secret {
	tb.Helper()
	loader := &secrets.Loader{
		Getenv: func(name string) string {
			if name == spec.OverrideSetting() {
				return value
			}
			return ""
		},
		Logger: slog.New(slog.DiscardHandler),
	}
	loaded, err := loader.Load(context.Background(), spec)
	if err != nil {
		tb.Fatalf("secretstest.Offline: %v", err)
	}
	return loaded[0]
}
