// Package generate writes the files derived from the vendor descriptors,
// so that a vendor is only its own package: the SAM template
// (template.yaml, from template.yaml.tmpl here), the sample events
// (events/<vendor>.json), the offline settings (events/env.json,
// events/start-api-env.json), samconfig.toml (from samconfig.toml.tmpl
// here), and the reference tables of the docs, between
// "<!-- BEGIN GENERATED: name -->" and "<!-- END GENERATED: name -->"
// markers in README.md, docs/*.md and each vendor's README.md.
//
// Files computes them all, from the vendors and what the files hold now
// (for the marked tables); cmd/generate writes them (`make generate`) or,
// with -check, reports the ones that differ (`make lint`).
package generate
