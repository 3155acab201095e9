package config_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
)

func envOf(m map[string]string) *config.Env {
	return config.New(func(k string) string { return m[k] })
}

func TestEnv(t *testing.T) {
	tests := []struct {
		name  string
		vars  map[string]string
		read  func(*config.Env) any
		want  any
		is    error  // nil: no error expected
		value string // a value the error must not repeat
	}{
		{"string default", nil, func(e *config.Env) any { return e.String("A", "def") }, "def", nil, ""},
		{"string trimmed", map[string]string{"A": "  x  "}, func(e *config.Env) any { return e.String("A", "def") }, "x", nil, ""},
		{"blank is unset", map[string]string{"A": "   "}, func(e *config.Env) any { return e.String("A", "def") }, "def", nil, ""},
		{"required present", map[string]string{"A": "x"}, func(e *config.Env) any { return e.Required("A") }, "x", nil, ""},
		{"required missing", nil, func(e *config.Env) any { return e.Required("A") }, "", config.ErrMissing, ""},
		{"one of ok", map[string]string{"M": "b"}, func(e *config.Env) any { return e.OneOf("M", "a", "a", "b") }, "b", nil, ""},
		{"one of default", nil, func(e *config.Env) any { return e.OneOf("M", "a", "a", "b") }, "a", nil, ""},
		{"one of bad", map[string]string{"M": "secret-c"}, func(e *config.Env) any { return e.OneOf("M", "a", "a", "b") }, "secret-c", config.ErrInvalid, "secret-c"},
		{"duration default", nil, func(e *config.Env) any { return e.Duration("D", time.Hour, 0, 2*time.Hour) }, time.Hour, nil, ""},
		{"duration parsed", map[string]string{"D": "90s"}, func(e *config.Env) any { return e.Duration("D", time.Hour, 0, 2*time.Hour) }, 90 * time.Second, nil, ""},
		{"duration garbage", map[string]string{"D": "soon-ish"}, func(e *config.Env) any { return e.Duration("D", time.Hour, 0, 2*time.Hour) }, time.Hour, config.ErrInvalid, "soon-ish"},
		{"duration too long", map[string]string{"D": "3h"}, func(e *config.Env) any { return e.Duration("D", time.Hour, 0, 2*time.Hour) }, time.Hour, config.ErrInvalid, "3h"},
		{"duration negative", map[string]string{"D": "-1s"}, func(e *config.Env) any { return e.Duration("D", time.Hour, 0, 2*time.Hour) }, time.Hour, config.ErrInvalid, "-1s"},
		{"seconds whole", map[string]string{"S": "90s"}, func(e *config.Env) any { return e.WholeSeconds("S", time.Hour, 0, 2*time.Hour) }, 90 * time.Second, nil, ""},
		{"seconds fraction", map[string]string{"S": "90.5s"}, func(e *config.Env) any { return e.WholeSeconds("S", time.Hour, 0, 2*time.Hour) }, time.Hour, config.ErrInvalid, "90.5s"},
		{"list", map[string]string{"L": " a, ,b ,"}, func(e *config.Env) any { return fmt.Sprint(e.List("L", nil)) }, "[a b]", nil, ""},
		{"list default", nil, func(e *config.Env) any { return fmt.Sprint(e.List("L", []string{"x"})) }, "[x]", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := envOf(tc.vars)
			if got := tc.read(env); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			err := env.Err()
			if tc.is == nil {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if !errors.Is(err, tc.is) {
				t.Fatalf("error %v, want %v", err, tc.is)
			}
			for name := range tc.vars {
				if !strings.Contains(err.Error(), name) {
					t.Errorf("error %q does not name %s", err, name)
				}
			}
			if tc.value != "" && strings.Contains(err.Error(), tc.value) {
				t.Errorf("error %q repeats the value", err)
			}
		})
	}
}

func TestEnvCollectsEveryError(t *testing.T) {
	env := envOf(map[string]string{"B": "x"})
	env.Required("A")
	env.Duration("B", 0, 0, time.Second)
	env.Fail("C", "must be even")
	err := env.Err()
	for _, want := range []string{"A:", "B:", "C:", "must be even"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("joined error %q lacks %q", err, want)
		}
	}
}

func ExampleEnv() {
	env := config.New(func(name string) string {
		return map[string]string{"ACME_TOKEN_TTL": "2h", "ACME_IDENTIFY_BY": "phone"}[name]
	})
	ttl := env.Duration("ACME_TOKEN_TTL", time.Hour, time.Minute, 24*time.Hour)
	env.OneOf("ACME_IDENTIFY_BY", "external_id", "external_id", "email")
	env.Required("ACME_COMPANY_NAME")
	fmt.Println(ttl)
	fmt.Println(env.Err())
	// Output:
	// 2h0m0s
	// ACME_IDENTIFY_BY: setting is not valid: must be one of external_id, email
	// ACME_COMPANY_NAME: required setting is not set
}

func TestEnvRead(t *testing.T) {
	env := envOf(map[string]string{"B": "1s"})
	env.String("A", "x")
	env.Duration("B", 0, 0, time.Minute)
	env.Required("C")
	env.String("A", "again")
	env.List("D", nil)
	if got, want := env.Read(), []string{"A", "B", "C", "D"}; !slices.Equal(got, want) {
		t.Errorf("Read() = %v, want %v: every name read, once, in order", got, want)
	}
}
