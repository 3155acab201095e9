package vendortest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
	"github.com/vendortokens/vendor-token-functions/pkg/descriptor"
	"github.com/vendortokens/vendor-token-functions/pkg/httpapi"
	"github.com/vendortokens/vendor-token-functions/pkg/identity"
)

// Effective returns what a minter that a vendor's Configure built uses for
// each of the vendor's settings, by name: a time.Duration for a duration
// setting, the string for any other.
type Effective func(httpapi.Minter) map[string]any

// Settings checks each config.Setting of v.Settings against what
// v.Configure makes of it, from the Setting alone:
//
//   - the descriptor: a Required setting has an Example and no Default; a
//     duration's Default parses and lies within its bounds (whole seconds
//     if WholeSeconds); a Default of a setting with Values is one of them;
//   - Configure reads exactly the settings that v.Settings declares;
//   - accepted, and reaching the minter as effective reports it: unset or
//     blank (the Default), a Required setting's Example, each of Values,
//     a duration's Min, Max and a value between them, each value with white
//     space around it. A minter built from each mints, with the dev-only
//     secret, and on the real clock: its expires_at, if any, is not before
//     the real time;
//   - refused with config.ErrMissing or config.ErrInvalid and an error that
//     names the setting and does not hold the value (outside the words of
//     the settings' own names, bounds and values): a Required setting unset
//     or blank; a value not in Values, or in another case; a duration
//     below Min or above Max, negative, or not a Go duration ("3600", "ten
//     minutes"), and with a fraction of a second when WholeSeconds;
//   - every setting given a bad value at once: the error names each.
func Settings(t *testing.T, v descriptor.Vendor, effective Effective) {
	t.Helper()
	t.Run("descriptor", func(t *testing.T) { checkDescriptor(t, v) })
	t.Run("reads its settings", func(t *testing.T) { checkReads(t, v) })
	for _, c := range settingCases(v) {
		t.Run(c.name(), func(t *testing.T) { c.check(t, v, effective) })
	}
	t.Run("every problem reported", func(t *testing.T) { checkEveryProblem(t, v) })
}

// settingCase is one value of one setting and what Configure must make of
// it: Want when accepted, Refused (a config sentinel) when not.
type settingCase struct {
	setting string
	value   string
	want    any
	refused error
}

func (c settingCase) name() string {
	verdict := "accepted"
	if c.refused != nil {
		verdict = "refused"
	}
	return c.setting + "=" + strconv.Quote(c.value) + " " + verdict
}

// settingCases are the cases that v.Settings call for; see Settings.
func settingCases(v descriptor.Vendor) []settingCase {
	var cases []settingCase
	for _, s := range v.Settings {
		ok := func(value string, want any) {
			cases = append(cases, settingCase{setting: s.Name, value: value, want: want})
		}
		bad := func(value string, why error) {
			cases = append(cases, settingCase{setting: s.Name, value: value, refused: why})
		}
		switch {
		case s.IsDuration():
			def, _ := time.ParseDuration(s.Default)
			ok("", def)
			ok("  ", def)
			ok(" "+s.Default+" ", def)
			mid := (s.Min + (s.Max-s.Min)/2).Truncate(time.Second)
			for _, d := range []time.Duration{s.Min, s.Max, mid} {
				ok(d.String(), d)
			}
			step := time.Second
			if s.Min%time.Second != 0 || s.Max%time.Second != 0 {
				step = time.Millisecond
			}
			if s.Min >= step {
				bad((s.Min - step).String(), config.ErrInvalid)
			}
			bad((s.Max + step).String(), config.ErrInvalid)
			bad((2 * s.Max).String(), config.ErrInvalid)
			bad("-"+s.Max.String(), config.ErrInvalid)
			bad("3600", config.ErrInvalid)
			bad("ten minutes", config.ErrInvalid)
			if fraction := s.Min + 500*time.Millisecond; fraction <= s.Max {
				if s.WholeSeconds {
					bad(fraction.String(), config.ErrInvalid)
				} else {
					ok(fraction.String(), fraction)
				}
			}
		case len(s.Values) > 0:
			ok("", s.Default)
			ok("  ", s.Default)
			for _, value := range s.Values {
				ok(value, value)
				ok(" "+value+" ", value)
				if other := otherCase(value); other != value && !slices.Contains(s.Values, other) {
					bad(other, config.ErrInvalid)
				}
			}
			bad("not-a-listed-value", config.ErrInvalid)
		case s.Required:
			ok(s.Example, s.Example)
			ok(" "+s.Example+" ", s.Example)
			bad("", config.ErrMissing)
			bad("   ", config.ErrMissing)
		default:
			ok("", s.Default)
			ok("  ", s.Default)
			if s.Example != "" {
				ok(s.Example, s.Example)
			}
		}
	}
	return cases
}

// otherCase is value with its first letter's case changed.
func otherCase(value string) string {
	if value == "" {
		return value
	}
	first := value[:1]
	if up := strings.ToUpper(first); up != first {
		return up + value[1:]
	}
	return strings.ToLower(first) + value[1:]
}

// testUser is whom the settings' minters mint for: every field set, so
// that no setting can refuse it.
var testUser = identity.Identity{UserID: "user-123", Name: "Ana", Email: "ana@example.com"}

func (c settingCase) check(tb testing.TB, v descriptor.Vendor, effective Effective) {
	tb.Helper()
	_, err := configure(v, map[string]string{c.setting: c.value})
	if c.refused != nil {
		if !errors.Is(err, c.refused) {
			tb.Fatalf("err = %v, want %v", err, c.refused)
		}
		checkNames(tb, v, err, []string{c.setting}, c.value)
		return
	}
	if err != nil {
		tb.Fatalf("refused: %v", err)
	}
	m := NewMinter(tb, v, map[string]string{c.setting: c.value}, "", nil)
	got := effective(m)
	if g, w := slices.Sorted(maps.Keys(got)), settingNames(v); !slices.Equal(g, w) {
		tb.Errorf("effective reports %v, want the settings %v", g, w)
	}
	if got[c.setting] != c.want {
		tb.Errorf("the minter uses %s = %s, want %s", c.setting, show(got[c.setting]), show(c.want))
	}
	before := time.Now().Unix()
	resp, err := m.Mint(context.Background(), testUser)
	if err != nil {
		tb.Fatalf("Mint with the dev-only secret: %v", err)
	}
	if raw, ok := Body(tb, resp)["expires_at"]; ok {
		n, _ := raw.(json.Number)
		if at, err := n.Int64(); err != nil || at < before {
			tb.Errorf("expires_at = %v, before the real time %d: the minter is not on the real clock", raw, before)
		}
	}
}

// show writes an effective value: a string quoted, a duration as such.
func show(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%v (%T)", v, v)
}

// checkNames fails tb unless err names each of names and, once what v's
// settings say of themselves (names, bounds, listed values) is taken out
// of it, does not hold value (when value is not blank).
func checkNames(tb testing.TB, v descriptor.Vendor, err error, names []string, value string) {
	tb.Helper()
	msg := err.Error()
	for _, name := range names {
		if !strings.Contains(msg, name) {
			tb.Errorf("err = %q: want it to name %s", msg, name)
		}
	}
	var own []string
	for _, s := range v.Settings {
		own = append(own, s.Name)
		own = append(own, s.Values...)
		if s.IsDuration() {
			own = append(own, s.Min.String(), s.Max.String())
		}
	}
	// The longest first, so that a part of one does not break another.
	slices.SortFunc(own, func(a, b string) int { return len(b) - len(a) })
	rest := msg
	for _, o := range own {
		rest = strings.ReplaceAll(rest, o, "")
	}
	if value = strings.TrimSpace(value); value != "" && strings.Contains(rest, value) {
		tb.Errorf("err = %q: it holds the value %q", msg, value)
	}
}

func settingNames(v descriptor.Vendor) []string {
	var names []string
	for _, s := range v.Settings {
		names = append(names, s.Name)
	}
	return slices.Sorted(slices.Values(names))
}

// checkDescriptor fails tb for a setting whose own data contradict each
// other; see Settings.
func checkDescriptor(tb testing.TB, v descriptor.Vendor) {
	tb.Helper()
	for _, s := range v.Settings {
		switch {
		case s.Required && (s.Default != "" || s.Example == ""):
			tb.Errorf("%s is Required, so it wants an Example and no Default", s.Name)
		case s.IsDuration():
			def, err := time.ParseDuration(s.Default)
			switch {
			case err != nil:
				tb.Errorf("%s: Default %q is not a duration", s.Name, s.Default)
			case s.Min < 0 || s.Min > s.Max:
				tb.Errorf("%s: bounds %s to %s", s.Name, s.Min, s.Max)
			case def < s.Min || def > s.Max:
				tb.Errorf("%s: Default %s lies outside %s", s.Name, def, s.Bounds())
			case s.WholeSeconds && def%time.Second != 0:
				tb.Errorf("%s: Default %s is not whole seconds", s.Name, def)
			}
		case len(s.Values) > 0 && !slices.Contains(s.Values, s.Default):
			tb.Errorf("%s: Default %q is not one of %v", s.Name, s.Default, s.Values)
		}
	}
}

// checkReads fails tb unless v.Configure reads exactly v's settings.
func checkReads(tb testing.TB, v descriptor.Vendor) {
	tb.Helper()
	env := config.New(func(string) string { return "" })
	v.Configure(env)
	if got, want := slices.Sorted(slices.Values(env.Read())), settingNames(v); !slices.Equal(got, want) {
		tb.Errorf("Configure reads %v, want the settings of the descriptor %v", got, want)
	}
}

// checkEveryProblem gives each setting that can be wrong a wrong value at
// once, and fails tb unless the error names each of them.
func checkEveryProblem(tb testing.TB, v descriptor.Vendor) {
	tb.Helper()
	settings := map[string]string{}
	var names []string
	for _, s := range v.Settings {
		switch {
		case s.IsDuration():
			settings[s.Name] = "ten minutes"
		case len(s.Values) > 0:
			settings[s.Name] = "not-a-listed-value"
		case s.Required:
			settings[s.Name] = ""
		default:
			continue
		}
		names = append(names, s.Name)
	}
	_, err := configure(v, settings)
	if len(names) == 0 {
		if err != nil {
			tb.Errorf("no setting can be wrong, yet: %v", err)
		}
		return
	}
	if err == nil {
		tb.Fatalf("settings %v accepted", settings)
	}
	checkNames(tb, v, err, names, "")
	for _, value := range settings {
		checkNames(tb, v, err, nil, value)
	}
}

// SettingsAre fails tb unless v has exactly the settings of want, each as
// want summarises it: "required", or "default <Default>" followed by its
// Bounds ("default 1h, 1m to 24h, whole seconds", "default external_id,
// external_id or email"). It pins what the vendor's docs promise, so that
// a change to a descriptor's bounds is also a change to its test.
func SettingsAre(tb testing.TB, v descriptor.Vendor, want map[string]string) {
	tb.Helper()
	got := map[string]string{}
	for _, s := range v.Settings {
		got[s.Name] = summary(s)
	}
	if !maps.Equal(got, want) {
		tb.Errorf("settings = %q, want %q", got, want)
	}
}

// summary is how SettingsAre summarises s.
func summary(s config.Setting) string {
	if s.Required {
		return "required"
	}
	sum := "default " + s.Default
	if b := s.Bounds(); b != "" {
		sum += ", " + b
	}
	return sum
}
