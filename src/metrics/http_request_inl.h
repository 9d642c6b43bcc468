// MetricsReply's body (a template: the renderer is the caller's).
#ifndef EXACT_SRC_METRICS_HTTP_REQUEST_INL_H_
#define EXACT_SRC_METRICS_HTTP_REQUEST_INL_H_

namespace exact::metrics {

inline constexpr absl::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

template <typename Render>
std::optional<std::string> MetricsReply(absl::string_view received, bool final, Render render) {
  absl::StatusOr<std::optional<HttpRequest>> r = ParseHttpRequest(received);
  if (r.ok() && !*r && !final) return std::nullopt;
  if (!r.ok() || !*r) {
    return HttpResponse(400, "Bad Request", "text/plain", "bad request\n");
  }
  const HttpRequest& req = **r;
  if (req.method != "GET" && req.method != "HEAD") {
    return HttpResponse(405, "Method Not Allowed", "text/plain", "GET or HEAD only\n");
  }
  if (req.path != "/metrics") {
    return HttpResponse(404, "Not Found", "text/plain", "try /metrics\n", req.method == "HEAD");
  }
  return HttpResponse(200, "OK", kMetricsContentType, render(), req.method == "HEAD");
}

}  // namespace exact::metrics

#endif  // EXACT_SRC_METRICS_HTTP_REQUEST_INL_H_
