package localapi

import (
	"context"
	"log/slog"
	"slices"
	"sync"
)

// offlineSecretMessage is the warning that package secrets logs for each
// secret taken from the environment (secrets.Loader.Load), once per
// secret and function: a dozen lines when the local server starts.
const offlineSecretMessage = "secret taken from the environment instead of Secrets Manager; for offline use only"

// OfflineSecretsMessage is the one warning that stands for all of them in
// the local server's log.
const OfflineSecretsMessage = "secrets taken from the environment instead of Secrets Manager, for offline use only"

// startLog is the handler of the functions' logs while Run starts them:
// it holds every record until release, so that they follow the banner,
// and collapses the warnings of secrets taken from the environment into
// one, OfflineSecretsMessage, whose "settings" attribute lists them all.
// After release it passes every record on as it is. Handlers derived with
// WithAttrs or WithGroup share its state.
type startLog struct {
	next  slog.Handler // the handler that writes, with this one's attributes and groups
	state *startState
}

type startState struct {
	root     slog.Handler // the handler that writes, as given
	mu       sync.Mutex
	released bool
	held     []heldRecord
	offline  []string // the settings of the collapsed warnings
}

// heldRecord is a record held for a handler; a zero handler marks where
// the collapsed warning goes.
type heldRecord struct {
	handler slog.Handler
	record  slog.Record
}

func newStartLog(next slog.Handler) *startLog {
	return &startLog{next: next, state: &startState{root: next}}
}

func (h *startLog) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h *startLog) Handle(ctx context.Context, r slog.Record) error {
	s := h.state
	s.mu.Lock()
	if s.released {
		s.mu.Unlock()
		return h.next.Handle(ctx, r)
	}
	defer s.mu.Unlock()
	if r.Message == offlineSecretMessage && r.Level == slog.LevelWarn {
		if len(s.offline) == 0 {
			s.held = append(s.held, heldRecord{record: slog.NewRecord(r.Time, r.Level, OfflineSecretsMessage, 0)})
		}
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "setting" {
				s.offline = append(s.offline, a.Value.String())
			}
			return true
		})
		return nil
	}
	s.held = append(s.held, heldRecord{handler: h.next, record: r.Clone()})
	return nil
}

func (h *startLog) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &startLog{next: h.next.WithAttrs(attrs), state: h.state}
}

func (h *startLog) WithGroup(name string) slog.Handler {
	return &startLog{next: h.next.WithGroup(name), state: h.state}
}

// release writes the records held so far, in order, and passes every
// later one on. It returns the first error of the handler that writes.
func (h *startLog) release(ctx context.Context) error {
	s := h.state
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.released {
		return nil
	}
	s.released = true
	settings := slices.Compact(slices.Sorted(slices.Values(s.offline)))
	var first error
	for _, held := range s.held {
		handler, r := held.handler, held.record
		if handler == nil {
			handler = s.root
			r.AddAttrs(slog.Any("settings", settings))
		}
		if err := handler.Handle(ctx, r); err != nil && first == nil {
			first = err
		}
	}
	s.held = nil
	return first
}
