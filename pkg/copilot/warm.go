package copilot

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// warm opens client's connection to Copilot's host at cold start (TCP and
// TLS), so that the first Mint reuses it instead of paying both handshakes.
//
// A dial or a handshake alone leaves nothing an http.Client reuses: a
// connection enters its idle pool only when an exchange on it has ended.
// So warm makes one exchange that carries no credentials: HEAD of the base
// URL, whose answer, whatever its status, is of no interest. It gives up
// after timeout; a failure is logged at debug level and changes nothing,
// the first Mint then dials as it would have without it.
func warm(ctx context.Context, client *http.Client, base *url.URL, timeout time.Duration, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, base.String(), nil)
	if err != nil {
		logger.LogAttrs(ctx, slog.LevelDebug, "copilot: warm-up failed", slog.String("error", err.Error()))
		return
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		logger.LogAttrs(ctx, slog.LevelDebug, "copilot: warm-up failed", slog.String("error", transportOutcome(err).String()))
		return
	}
	resp.Body.Close() // a HEAD answer has no body: the connection is idle now
	logger.LogAttrs(ctx, slog.LevelDebug, "copilot: connection warmed",
		slog.Int("upstream_status", resp.StatusCode), slog.Int64("duration_ms", time.Since(start).Milliseconds()))
}
