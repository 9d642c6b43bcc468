// exactctl's wire protocol, version 1 (docs/exactctl.md). One request and
// one response per connection over a unix stream socket:
//
//   request:   exactctl 1 COMMAND [ARG]...\n          (at most kMaxRequestBytes)
//   response:  exactctl 1 CODE LENGTH\n BODY          (BODY is LENGTH bytes)
//
// Words are separated by single spaces and hold printable ASCII only (no
// space, no control byte), so a request is always one line and an argument
// can never smuggle a second one. CODE is a sysexits(3) value: 0 for success,
// which exactctl exits with; BODY is the command's output or the error
// message. Bounds on both sides: a peer that sends more is refused, never
// buffered without limit.
//
// Thread safety: pure functions.
#ifndef EXACT_SRC_CONTROL_PROTOCOL_H_
#define EXACT_SRC_CONTROL_PROTOCOL_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace exact::control {

inline constexpr int kProtocolVersion = 1;
inline constexpr size_t kMaxRequestBytes = 4096;
inline constexpr size_t kMaxArgs = 16;
// `list` of a million addresses, in JSON, with room to spare.
inline constexpr size_t kMaxResponseBodyBytes = size_t{512} << 20;

struct Request {
  std::string command;
  std::vector<std::string> args;
  friend bool operator==(const Request&, const Request&) = default;
};

struct Response {
  int code = 0;  // sysexits(3): 0, EX_USAGE, EX_DATAERR, EX_UNAVAILABLE, ...
  std::string body;
  friend bool operator==(const Response&, const Response&) = default;
};

// Whether `word` may be a command or argument: 1 to 255 printable ASCII
// bytes other than space.
bool IsWord(absl::string_view word);

// The request line, newline included. InvalidArgument if a word is not
// IsWord() or there are too many.
absl::StatusOr<std::string> EncodeRequest(const Request& request);

// Parses one request line (with or without its newline). InvalidArgument
// names what is wrong: a foreign greeting, another version, a bad word.
absl::StatusOr<Request> ParseRequest(absl::string_view line);

std::string EncodeResponse(const Response& response);

// Parses a response from the front of `bytes`. nullopt while incomplete;
// InvalidArgument on a malformed head or a body over the bound.
absl::StatusOr<std::optional<Response>> ParseResponse(absl::string_view bytes);

}  // namespace exact::control

#endif  // EXACT_SRC_CONTROL_PROTOCOL_H_
