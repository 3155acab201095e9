package secrets

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// ReloadInterval is the least time between two reads of one secret that
// Reload forces.
const ReloadInterval = 30 * time.Second

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
	mu  sync.Mutex               // held while reading the secret again
}

// snapshot is one good read of a secret.
type snapshot struct {
	values  Values
	version string    // Secrets Manager's VersionId
	read    time.Time // when it was last read, or tried
	next    time.Time // when to read it again; zero for never
}

// Values returns the secret's current values. Once the TTL has passed it
// reads the secret again first; if that fails, it logs a warning and
// returns the last good values, and tries again later. The error is non-nil
// only for a Secret that Load did not return.
func (s *Secret) Values(ctx context.Context) (Values, error) {
	snap := s.cur.Load()
	if snap == nil {
		return nil, fmt.Errorf("%s: %w: not loaded", s.spec.Setting, ErrNotConfigured)
	}
	if snap.next.IsZero() || s.now().Before(snap.next) {
		return snap.values, nil
	}
	if !s.mu.TryLock() {
		return snap.values, nil // another caller is reading it again
	}
	defer s.mu.Unlock()
	return s.reread(ctx, "ttl"), nil
}

// Reload reads the secret again now, for when an upstream has rejected
// credentials taken from it (it may have been rotated). It reads at most
// once per ReloadInterval, returning the current values otherwise, and
// keeps the last good values if the read fails. A secret that came from
// the environment is never read again.
func (s *Secret) Reload(ctx context.Context) (Values, error) {
	snap := s.cur.Load()
	if snap == nil {
		return nil, fmt.Errorf("%s: %w: not loaded", s.spec.Setting, ErrNotConfigured)
	}
	if s.api == nil {
		return snap.values, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if snap = s.cur.Load(); s.now().Sub(snap.read) < ReloadInterval {
		return snap.values, nil
	}
	return s.reread(ctx, "reload"), nil
}

// Key returns a function that gives the current value of the JSON key
// name, for packages that take a key source. The bytes must not be
// modified.
func (s *Secret) Key(name string) func(context.Context) ([]byte, error) {
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

// retryAfterFailure is the longest a failed re-read waits before the next
// try, so that an outage costs each warm function one slow request per
// interval, not one per request.
const retryAfterFailure = 30 * time.Second

// reread reads the secret again and returns the values to use. The caller
// holds s.mu.
func (s *Secret) reread(ctx context.Context, reason string) Values {
	old := s.cur.Load()
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	snap, err := s.fetch(ctx)
	if err != nil {
		s.logger.Warn("secret could not be read again; keeping the last good value",
			slog.String("setting", s.spec.Setting), slog.String("reason", reason), slog.Any("error", err))
		kept := *old
		kept.read = s.now()
		if s.ttl > 0 {
			kept.next = kept.read.Add(min(s.ttl, retryAfterFailure))
		}
		s.cur.Store(&kept)
		return kept.values
	}
	s.cur.Store(snap)
	s.logger.Info("secret read again", slog.String("setting", s.spec.Setting), slog.String("reason", reason),
		slog.String("version_id", snap.version), slog.Bool("changed", snap.version != old.version))
	return snap.values
}
