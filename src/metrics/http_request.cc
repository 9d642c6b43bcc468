// HTTP request heads.
#include "src/metrics/http_request.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace exact::metrics {
namespace {

bool IsToken(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

bool IsTarget(absl::string_view s) {
  if (s.empty() || s[0] != '/') return false;
  for (char c : s) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::optional<HttpRequest>> ParseHttpRequest(absl::string_view bytes) {
  // Lines end in CRLF; a bare LF is accepted too (RFC 9112 section 2.2).
  size_t end = bytes.find("\r\n\r\n");
  size_t end_lf = bytes.find("\n\n");
  if (end == absl::string_view::npos || (end_lf != absl::string_view::npos && end_lf < end)) {
    end = end_lf;
  }
  if (end == absl::string_view::npos) {
    if (bytes.size() > kMaxHeadBytes) return absl::InvalidArgumentError("request head too long");
    return std::nullopt;
  }
  if (end > kMaxHeadBytes) return absl::InvalidArgumentError("request head too long");
  const absl::string_view head = bytes.substr(0, end);
  const size_t eol = head.find('\n');
  absl::string_view line = head.substr(0, eol);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::vector<absl::string_view> parts = absl::StrSplit(line, ' ');
  if (parts.size() != 3 || !IsToken(parts[0]) || !IsTarget(parts[1]) ||
      (parts[2] != "HTTP/1.0" && parts[2] != "HTTP/1.1")) {
    return absl::InvalidArgumentError("malformed request line");
  }
  // Header lines are not interpreted, but each must look like one.
  if (eol != absl::string_view::npos) {
    for (absl::string_view h : absl::StrSplit(head.substr(eol + 1), '\n')) {
      if (!h.empty() && h.back() == '\r') h.remove_suffix(1);
      const size_t colon = h.find(':');
      if (colon == absl::string_view::npos || colon == 0) {
        return absl::InvalidArgumentError("malformed header line");
      }
      for (char c : h) {
        if ((c < ' ' && c != '\t') || c == 0x7f) {
          return absl::InvalidArgumentError("control byte in a header");
        }
      }
    }
  }
  HttpRequest r;
  r.method = std::string(parts[0]);
  absl::string_view target = parts[1];
  r.path = std::string(target.substr(0, target.find('?')));
  return r;
}

std::string HttpResponse(int status, absl::string_view reason, absl::string_view content_type,
                         absl::string_view body, bool head_only) {
  return absl::StrCat("HTTP/1.1 ", status, " ", reason, "\r\nContent-Type: ", content_type,
                      "\r\nContent-Length: ", body.size(), "\r\nConnection: close\r\n\r\n",
                      head_only ? absl::string_view() : body);
}

}  // namespace exact::metrics
