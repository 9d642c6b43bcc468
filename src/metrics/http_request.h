// The little of HTTP/1.x the metrics listener needs: the request head
// (request line and headers, up to the blank line) of a GET or HEAD, and a
// reply with Connection: close. Bounded: a head over kMaxHeadBytes is an
// error, not a longer wait.
//
// Thread safety: pure functions.
#ifndef EXACT_SRC_METRICS_HTTP_REQUEST_H_
#define EXACT_SRC_METRICS_HTTP_REQUEST_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace exact::metrics {

inline constexpr size_t kMaxHeadBytes = 8192;

struct HttpRequest {
  std::string method;  // As sent: "GET", "HEAD", ...
  std::string path;    // The target without its query string.
};

// Parses the head at the front of `bytes`. nullopt until the blank line
// has arrived; InvalidArgument for a malformed or oversized head.
absl::StatusOr<std::optional<HttpRequest>> ParseHttpRequest(absl::string_view bytes);

// A whole response: status line, Content-Type, Content-Length, Connection:
// close, and `body` unless `head_only`.
std::string HttpResponse(int status, absl::string_view reason, absl::string_view content_type,
                         absl::string_view body, bool head_only = false);

// The reply of the metrics listener to `received` (see StreamServer):
// GET/HEAD /metrics → 200 with `render()`'s text; other paths 404, other
// methods 405, a malformed head 400. nullopt while the head is incomplete.
template <typename Render>
std::optional<std::string> MetricsReply(absl::string_view received, bool final, Render render);

}  // namespace exact::metrics

#include "src/metrics/http_request_inl.h"  // IWYU pragma: export

#endif  // EXACT_SRC_METRICS_HTTP_REQUEST_H_
