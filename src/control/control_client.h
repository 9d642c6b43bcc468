// exactctl's side of the control socket: one request, one response.
// Thread safety: a pure function of its arguments (and the socket).
#ifndef EXACT_SRC_CONTROL_CONTROL_CLIENT_H_
#define EXACT_SRC_CONTROL_CONTROL_CLIENT_H_

#include <string>

#include "absl/status/statusor.h"
#include "src/control/protocol.h"

namespace exact::control {

// Sends `request` to the socket at `path` and returns exact's response.
// Unavailable if exact does not listen there, PermissionDenied if the
// socket refuses us, DeadlineExceeded after `timeout_ms`, InvalidArgument
// for a malformed request or response.
absl::StatusOr<Response> Call(const std::string& path, const Request& request, int timeout_ms);

}  // namespace exact::control

#endif  // EXACT_SRC_CONTROL_CONTROL_CLIENT_H_
