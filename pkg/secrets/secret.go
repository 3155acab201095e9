package secrets

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/smithy-go"
)

// ReloadInterval is the least time between two reads of one secret that
// Reload forces.
const ReloadInterval = 30 * time.Second

// RefreshWait is the longest a request waits for a read of a secret whose
// TTL has passed before it goes on with the value it has: a request that
// needs two secrets (the vendor's and the session key) waits at most twice
// that, well under 100 ms. The read goes on without it; waiting a little
// lets it finish while the function runs, since Lambda freezes the process
// between invocations.
const RefreshWait = 40 * time.Millisecond

// retryAfterFailure is the longest a failed re-read waits before the next
// try, and how often a revoked secret is tried again.
const retryAfterFailure = 30 * time.Second

// Secret is one loaded secret. Its methods are safe for concurrent use.
type Secret struct {
	spec    Spec
	id      string // secret id or ARN; empty when the secret came from the environment
	api     API    // nil when the secret came from the environment
	ttl     time.Duration
	timeout time.Duration
	logger  *slog.Logger
	now     func() time.Time

	cur atomic.Pointer[snapshot] // never nil once Load has returned the Secret

	mu       sync.Mutex // guards inflight
	inflight *refresh   // the read under way, or nil
}

// snapshot is the state of a secret after a read: its good values, or why
// it is revoked.
type snapshot struct {
	values  Values    // nil when revoked
	revoked error     // non-nil when Secrets Manager said the secret is gone or no longer readable
	version string    // Secrets Manager's VersionId of values
	read    time.Time // when it was last read, or tried
	next    time.Time // when to read it again; zero for never
}

// due reports whether the secret is to be read again at now.
func (s *snapshot) due(now time.Time) bool {
	return !s.next.IsZero() && !now.Before(s.next)
}

// refresh is one read of a secret from Secrets Manager, run off the
// request path.
type refresh struct {
	done     chan struct{} // closed once the read has ended and its result is in cur
	deadline time.Time     // past it (by the Secret's clock) the read counts as stuck
}

// ended is a refresh with nothing left to wait for.
var ended = func() *refresh {
	r := &refresh{done: make(chan struct{})}
	close(r.done)
	return r
}()

// Values returns the secret's current values. Once the TTL has passed it
// starts reading the secret again, off the request path, and waits at most
// RefreshWait for that read before it returns what it has: the value read
// if it came in time, else the last good one. A re-read that fails, or
// whose value does not pass the Spec's checks, keeps the last good value
// and is tried again later. The error is non-nil when the secret is
// revoked (ErrRevoked), and for a Secret that Load did not return.
func (s *Secret) Values(ctx context.Context) (Values, error) {
	snap := s.cur.Load()
	if snap == nil {
		return nil, fmt.Errorf("%s: %w: not loaded", s.spec.Setting, ErrNotConfigured)
	}
	if snap.due(s.now()) {
		r := s.start(ctx, "ttl", (*snapshot).due)
		t := time.NewTimer(RefreshWait)
		select {
		case <-r.done:
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
		snap = s.cur.Load()
	}
	return snap.values, snap.revoked
}

// Reload reads the secret again now, for when an upstream has rejected
// credentials taken from it (it may have been rotated), and waits for that
// read until ctx is done. It reads at most once per ReloadInterval, and
// joins a read already under way; otherwise it returns the current values.
// A failed read keeps the last good values. A secret that came from the
// environment is never read again.
func (s *Secret) Reload(ctx context.Context) (Values, error) {
	snap := s.cur.Load()
	if snap == nil {
		return nil, fmt.Errorf("%s: %w: not loaded", s.spec.Setting, ErrNotConfigured)
	}
	if s.api != nil {
		r := s.start(ctx, "reload", func(snap *snapshot, now time.Time) bool {
			return now.Sub(snap.read) >= ReloadInterval
		})
		select {
		case <-r.done:
		case <-ctx.Done():
		}
		snap = s.cur.Load()
	}
	return snap.values, snap.revoked
}

// KeyFunc returns a function that gives the current value of the JSON key
// name, for packages that take a key source. The bytes must not be
// modified.
func (s *Secret) KeyFunc(name string) func(context.Context) ([]byte, error) {
	return func(ctx context.Context) ([]byte, error) {
		values, err := s.Values(ctx)
		if err != nil {
			return nil, err
		}
		if v, ok := values[name]; ok {
			return v, nil
		}
		return nil, fmt.Errorf("%s: %w: JSON key %q is missing or empty", s.spec.Setting, ErrMissingKey, name)
	}
}

// start returns the read under way, or starts one when due says the
// current snapshot needs it. A read past its deadline is stuck (a process
// frozen mid-read finds its deadline passed when it thaws): it is
// abandoned, and a new one starts in its place.
func (s *Secret) start(ctx context.Context, reason string, due func(*snapshot, time.Time) bool) *refresh {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if r := s.inflight; r != nil {
		if now.Before(r.deadline) {
			return r
		}
		s.logger.Warn("a read of the secret outlived its deadline; reading it again",
			slog.String("setting", s.spec.Setting), slog.String("reason", reason))
		s.inflight = nil
	}
	if !due(s.cur.Load(), now) {
		return ended // read while the caller was on its way here
	}
	r := &refresh{done: make(chan struct{}), deadline: now.Add(s.timeout)}
	s.inflight = r
	go s.run(context.WithoutCancel(ctx), r, reason)
	return r
}

// run reads the secret for r and records the result, unless r has been
// abandoned meanwhile.
func (s *Secret) run(ctx context.Context, r *refresh, reason string) {
	defer close(r.done)
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	snap, err := s.fetch(ctx)

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inflight != r {
		return // abandoned as stuck: a later read decides
	}
	s.inflight = nil
	s.record(snap, err, reason)
}

// record stores the result of a read. The caller holds s.mu.
func (s *Secret) record(snap *snapshot, err error, reason string) {
	old := s.cur.Load()
	setting, why := slog.String("setting", s.spec.Setting), slog.String("reason", reason)
	if err == nil {
		s.cur.Store(snap)
		if old.revoked != nil {
			s.logger.Warn("secret readable again; in use from now on", setting, why, slog.String("version_id", snap.version))
			return
		}
		s.logger.Info("secret read again", setting, why,
			slog.String("version_id", snap.version), slog.Bool("changed", snap.version != old.version))
		return
	}

	now := s.now()
	if cause := revocation(err); cause != "" {
		s.cur.Store(&snapshot{
			revoked: fmt.Errorf("%s: %w: Secrets Manager reports that %s", s.spec.Setting, ErrRevoked, cause),
			version: old.version,
			read:    now,
			next:    now.Add(s.retryInterval()),
		})
		s.logger.Error("secret revoked: no longer used; requests that need it fail until a read succeeds", setting, why,
			slog.String("cause", cause), slog.Any("error", err))
		return
	}

	kept := *old
	kept.read = now
	if s.ttl > 0 || old.revoked != nil {
		kept.next = now.Add(s.retryInterval())
	}
	s.cur.Store(&kept)
	level, msg := slog.LevelWarn, "secret could not be read again; keeping the last good value"
	if errors.Is(err, ErrMalformed) || errors.Is(err, ErrMissingKey) || errors.Is(err, ErrInvalid) {
		level, msg = slog.LevelError, "secret read again fails its checks; keeping the last good value"
	}
	if old.revoked != nil {
		msg = "revoked secret could not be read again; it stays revoked"
	}
	s.logger.LogAttrs(context.Background(), level, msg, setting, why, slog.Any("error", err))
}

// retryInterval is how long after a failed read the next one is tried.
func (s *Secret) retryInterval() time.Duration {
	if s.ttl > 0 {
		return min(s.ttl, retryAfterFailure)
	}
	return retryAfterFailure
}

// revocation returns why err means the secret must no longer be used, or
// "" when err may be transient: Secrets Manager's error codes say the
// secret was deleted, is scheduled for deletion, or can no longer be read
// by this function (access denied, or its KMS key cannot decrypt it).
func revocation(err error) string {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return ""
	}
	switch code := apiErr.ErrorCode(); code {
	case "ResourceNotFoundException":
		return "the secret does not exist (" + code + ")"
	case "InvalidRequestException":
		return "the secret is scheduled for deletion (" + code + ")"
	case "AccessDeniedException":
		return "the function may no longer read the secret (" + code + ")"
	case "DecryptionFailure":
		return "the secret cannot be decrypted with its KMS key (" + code + ")"
	}
	return ""
}
