// The cdb file format, shared by the cdb map writer and reader.
// Thread safety: pure functions.
#ifndef EXACT_SRC_PUBLISH_CDB_FORMAT_H_
#define EXACT_SRC_PUBLISH_CDB_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace exact::publish {

uint32_t CdbHash(absl::string_view key);

// A whole cdb file holding `items` (keys unique). ResourceExhausted past 4 GiB.
absl::StatusOr<std::string> BuildCdb(const std::vector<std::pair<std::string, std::string>>& items);

// The value of `key` in the cdb file `db`; nullopt if absent or the file is
// malformed (never reads outside `db`).
std::optional<std::string> CdbFind(absl::string_view db, absl::string_view key);

// Every record of `db`, in file order; stops at the first malformed one.
std::vector<std::pair<std::string, std::string>> CdbEntries(absl::string_view db);

}  // namespace exact::publish

#endif  // EXACT_SRC_PUBLISH_CDB_FORMAT_H_
