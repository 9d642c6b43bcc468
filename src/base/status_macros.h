// Early-return helpers for absl::Status, which Debian's absl 20220623 lacks.
// Named EXACT_ so they cannot clash with upstream's later ABSL_ versions.
#ifndef EXACT_SRC_BASE_STATUS_MACROS_H_
#define EXACT_SRC_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define EXACT_STATUS_CONCAT_INNER_(a, b) a##b
#define EXACT_STATUS_CONCAT_(a, b) EXACT_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` yields a non-OK status.
#define EXACT_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::absl::Status exact_status_ = (expr);         \
    if (!exact_status_.ok()) return exact_status_; \
  } while (0)

// `lhs` = value of the StatusOr `rexpr`, or return its error.
#define EXACT_ASSIGN_OR_RETURN(lhs, rexpr) \
  EXACT_ASSIGN_OR_RETURN_IMPL_(EXACT_STATUS_CONCAT_(exact_statusor_, __LINE__), lhs, rexpr)
#define EXACT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                 \
  if (!tmp.ok()) return std::move(tmp).status();      \
  lhs = std::move(tmp).value()

#endif  // EXACT_SRC_BASE_STATUS_MACROS_H_
