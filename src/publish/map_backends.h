// The per-format backends behind map_writer.h and map_reader.h, one file
// each, writer beside reader (as Postfix's dict_*.c): text_map.cc,
// lmdb_map.cc, bdb_map.cc, cdb_map.cc. Internal to exact::publish; callers
// use OpenMapWriter, ReadMapFile and LookupMapFile.
// Thread safety: the readers are pure functions that open the map afresh.
#ifndef EXACT_SRC_PUBLISH_MAP_BACKENDS_H_
#define EXACT_SRC_PUBLISH_MAP_BACKENDS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/publish/map_reader.h"

namespace exact::publish {

// Text maps (text, exim): every key; lookup is case-insensitive, as
// Postfix's and Exim's.
absl::StatusOr<std::vector<MapEntry>> ReadTextMap(const std::string& file);
absl::StatusOr<std::optional<std::string>> LookupTextMap(const std::string& file,
                                                         const std::string& key);

// Keyed formats: the key with its trailing NUL first, then without
// (Postfix's TRY1NULL/TRY0NULL). Values come back without their NUL.
absl::StatusOr<std::vector<MapEntry>> ReadLmdbMap(const std::string& file);
absl::StatusOr<std::optional<std::string>> LookupLmdbMap(const std::string& file,
                                                         const std::string& key);
absl::StatusOr<std::vector<MapEntry>> ReadBdbMap(const std::string& file);
absl::StatusOr<std::optional<std::string>> LookupBdbMap(const std::string& file,
                                                        const std::string& key);
absl::StatusOr<std::vector<MapEntry>> ReadCdbMap(const std::string& file);
absl::StatusOr<std::optional<std::string>> LookupCdbMap(const std::string& file,
                                                        const std::string& key);

// Drops one trailing NUL, the C-string convention of postmap's keys.
std::string StripNul(const char* data, size_t size);

}  // namespace exact::publish

#endif  // EXACT_SRC_PUBLISH_MAP_BACKENDS_H_
