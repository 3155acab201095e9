package config

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Sentinel errors, wrapped with the setting's name.
var (
	ErrMissing = errors.New("required setting is not set")
	ErrInvalid = errors.New("setting is not valid")
)

// Env reads settings through a getenv function (os.Getenv in production, a
// map in tests) and collects the errors it meets.
type Env struct {
	getenv func(string) string
	errs   []error
	read   []string // the names read, in order, each once
}

// New returns an Env reading from getenv.
func New(getenv func(string) string) *Env { return &Env{getenv: getenv} }

// Getenv returns the raw value of name, without any check.
func (e *Env) Getenv(name string) string { return e.lookup(name) }

// Read returns the names of the settings read so far, in the order first
// read: what a component's settings are, without a second list of them.
func (e *Env) Read() []string { return slices.Clone(e.read) }

func (e *Env) lookup(name string) string {
	if !slices.Contains(e.read, name) {
		e.read = append(e.read, name)
	}
	return e.getenv(name)
}

// Err returns every error met so far, joined, or nil.
func (e *Env) Err() error { return errors.Join(e.errs...) }

// Fail records an error about setting name; why must not contain its value.
func (e *Env) Fail(name string, why string) {
	e.errs = append(e.errs, fmt.Errorf("%s: %w: %s", name, ErrInvalid, why))
}

// String returns the trimmed value of name, or def when it is unset or blank.
func (e *Env) String(name, def string) string {
	if v := strings.TrimSpace(e.lookup(name)); v != "" {
		return v
	}
	return def
}

// Required returns the trimmed value of name and records ErrMissing when it
// is unset or blank.
func (e *Env) Required(name string) string {
	v := e.String(name, "")
	if v == "" {
		e.errs = append(e.errs, fmt.Errorf("%s: %w", name, ErrMissing))
	}
	return v
}

// OneOf returns the value of name (def when unset), recording ErrInvalid
// when it is not one of allowed.
func (e *Env) OneOf(name, def string, allowed ...string) string {
	v := e.String(name, def)
	if !slices.Contains(allowed, v) {
		e.Fail(name, "must be one of "+strings.Join(allowed, ", "))
	}
	return v
}

// Duration returns the value of name parsed by time.ParseDuration ("90s",
// "1h"), or def when unset, recording ErrInvalid when it does not parse or
// lies outside [lo, hi].
func (e *Env) Duration(name string, def, lo, hi time.Duration) time.Duration {
	raw := e.String(name, "")
	if raw == "" {
		return def
	}
	d, err := time.ParseDuration(raw)
	switch {
	case err != nil:
		e.Fail(name, `must be a duration such as "30s" or "1h"`)
		return def
	case d < lo || d > hi:
		e.Fail(name, fmt.Sprintf("must be between %s and %s", lo, hi))
		return def
	}
	return d
}

// WholeSeconds is Duration for settings that become whole seconds (token
// lifetimes, Unix-time offsets): it also records ErrInvalid, and returns
// def, when the value has a fraction of a second.
func (e *Env) WholeSeconds(name string, def, lo, hi time.Duration) time.Duration {
	d := e.Duration(name, def, lo, hi)
	if d%time.Second != 0 {
		e.Fail(name, "must be a whole number of seconds")
		return def
	}
	return d
}

// List returns the comma-separated values of name with blanks dropped, or
// def when unset.
func (e *Env) List(name string, def []string) []string {
	raw := e.String(name, "")
	if raw == "" {
		return def
	}
	var out []string
	for _, v := range strings.Split(raw, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
