// Reads relay maps in every format exact writes, the way the MTAs do: keyed
// lookups try the key with its trailing NUL first, then without (Postfix's
// TRY1NULL/TRY0NULL). Used by exact-lookup and by tests.
// Thread safety: pure functions; each call opens the map afresh.
#ifndef EXACT_SRC_PUBLISH_MAP_READER_H_
#define EXACT_SRC_PUBLISH_MAP_READER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/config/exact_conf.h"

namespace exact::publish {

struct MapEntry {
  std::string key;    // Without any trailing NUL.
  std::string value;  // Without any trailing NUL; "" for text maps.
};

// The format of a map file by its name: NAME.lmdb, NAME.db, else text.
config::MapFormat FormatOfFile(const std::string& file);

absl::StatusOr<std::vector<MapEntry>> ReadMapFile(config::MapFormat format,
                                                  const std::string& file);

// The value stored under `key`, nullopt when absent.
absl::StatusOr<std::optional<std::string>> LookupMapFile(config::MapFormat format,
                                                         const std::string& file,
                                                         const std::string& key);

}  // namespace exact::publish

#endif  // EXACT_SRC_PUBLISH_MAP_READER_H_
