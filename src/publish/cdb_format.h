// Builds cdb files in memory (cdb_map.cc writes them; tinycdb reads them).
// Thread safety: pure functions.
#ifndef EXACT_SRC_PUBLISH_CDB_FORMAT_H_
#define EXACT_SRC_PUBLISH_CDB_FORMAT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace exact::publish {

uint32_t CdbHash(absl::string_view key);

// A whole cdb file holding `items` (keys unique). ResourceExhausted past 4 GiB.
absl::StatusOr<std::string> BuildCdb(const std::vector<std::pair<std::string, std::string>>& items);

}  // namespace exact::publish

#endif  // EXACT_SRC_PUBLISH_CDB_FORMAT_H_
