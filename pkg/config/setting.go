package config

import (
	"strings"
	"time"
)

// Setting describes one setting of a function: its name, what it accepts
// and what it means. It is the single source of a vendor's settings: the
// function reads the setting through it (Env.Text, Env.Period), and the
// deployment, the sample settings and the reference docs are generated
// from it.
type Setting struct {
	// Name is the environment variable, such as "ACME_TOKEN_TTL".
	Name string
	// Description says what the setting means, in one or two sentences
	// that read well in a table and in a template parameter's Description.
	Description string
	// Default is the value used when the setting is unset or blank; empty
	// for none.
	Default string
	// Required settings have no default: the function refuses to start
	// without one, and a deployment of the vendor must give one.
	Required bool
	// Values, when set, are the only values accepted.
	Values []string
	// Min and Max, when Max is set, make the setting a Go duration ("90s",
	// "1h") between them; WholeSeconds also refuses a fraction of a second.
	Min, Max     time.Duration
	WholeSeconds bool
	// Example is an example value for the docs and samconfig.toml. It is
	// also the dev-only value of a Required setting, for the local server
	// and `sam local invoke`.
	Example string
	// Pattern, when set, is the template parameter's AllowedPattern, and
	// PatternHelp its ConstraintDescription: for a value CloudFormation
	// can check before any function starts.
	Pattern, PatternHelp string
}

// Parameter is the setting's SAM template parameter: its name in upper
// camel case, "ACME_TOKEN_TTL" giving "AcmeTokenTtl".
func (s Setting) Parameter() string {
	var b strings.Builder
	for _, word := range strings.Split(strings.ToLower(s.Name), "_") {
		if word != "" {
			b.WriteString(strings.ToUpper(word[:1]) + word[1:])
		}
	}
	return b.String()
}

// IsDuration reports whether the setting is a Go duration.
func (s Setting) IsDuration() bool { return s.Max != 0 }

// Bounds describes what the setting accepts, for the docs: "1m to 24h,
// whole seconds", "external_id or email", or "".
func (s Setting) Bounds() string {
	switch {
	case s.IsDuration():
		b := FormatDuration(s.Min) + " to " + FormatDuration(s.Max)
		if s.WholeSeconds {
			b += ", whole seconds"
		}
		return b
	case len(s.Values) > 0:
		return strings.Join(s.Values[:len(s.Values)-1], ", ") + " or " + s.Values[len(s.Values)-1]
	}
	return ""
}

// FormatDuration writes d as a setting is written: "1m", "24h",
// "100ms", rather than time.Duration's "1m0s".
func FormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Text reads a setting that is not a duration: required, defaulted, or
// one of its Values, recording what is wrong with it.
func (e *Env) Text(s Setting) string {
	switch {
	case len(s.Values) > 0:
		return e.OneOf(s.Name, s.Default, s.Values...)
	case s.Required:
		return e.Required(s.Name)
	}
	return e.String(s.Name, s.Default)
}

// Period reads a duration setting within its bounds, recording what is
// wrong with it. Its Default must parse: it is the descriptor's, not the
// user's, and a test of each descriptor holds it to its bounds.
func (e *Env) Period(s Setting) time.Duration {
	def, err := time.ParseDuration(s.Default)
	if err != nil {
		panic("config: setting " + s.Name + " has a default that is not a duration")
	}
	if s.WholeSeconds {
		return e.WholeSeconds(s.Name, def, s.Min, s.Max)
	}
	return e.Duration(s.Name, def, s.Min, s.Max)
}
