package secrets

// Parse checks raw, one value of spec's secret, as Load and every re-read
// check theirs, and returns its values: raw must be a JSON object holding
// every one of spec.Keys as a non-empty string, and pass spec.Check. JSON
// keys match exactly, case included, and of a key given twice the last
// counts. Errors wrap the package's sentinels and name setting (the
// variable or secret raw came from) and the JSON key, never a value.
//
// It lets a caller see a secret exactly as a function would, such as the
// local server checking the session key of SESSION_SECRET_JSON.
func Parse(setting string, spec Spec, raw []byte) (Values, error) {
	return parse(setting, spec, raw)
}
