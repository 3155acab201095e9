package upstream

import (
	"time"

	"github.com/vendortokens/vendor-token-functions/pkg/config"
)

// TimeoutSetting returns the setting called name that bounds the time a
// request spends on the API of title ("Example Chat"), retry included:
// the Timeout of the vendor's Endpoint. It defaults to def and lies
// between MinTimeout and MaxTimeout; its template parameter's pattern
// accepts exactly those durations.
func TimeoutSetting(name, title string, def time.Duration) config.Setting {
	return config.Setting{
		Name:        name,
		Description: "Upper bound for one " + title + " exchange, retry included; credential reads do not count. At most " + config.FormatDuration(MaxTimeout) + ", so that an answer is always written within the function's Timeout.",
		Default:     config.FormatDuration(def),
		Min:         MinTimeout,
		Max:         MaxTimeout,
		Pattern:     timeoutPattern,
		PatternHelp: "must be a duration from " + config.FormatDuration(MinTimeout) + " to " + config.FormatDuration(MaxTimeout) + ", such as 3s or 1500ms",
	}
}

// timeoutPattern accepts the durations from MinTimeout (100ms) to
// MaxTimeout (5s), in seconds or milliseconds.
const timeoutPattern = `^(0?\.[1-9]\d*s|[1-4](\.\d+)?s|5(\.0+)?s|[1-9]\d{2}ms|[1-4]\d{3}ms|5000ms)$`
