// Map files by format: the dispatch to each backend's reader, which lives
// beside its writer (text_map.cc, lmdb_map.cc, bdb_map.cc, cdb_map.cc).
#include "src/publish/map_reader.h"

#include "absl/strings/match.h"
#include "src/publish/map_backends.h"

namespace exact::publish {

std::string StripNul(const char* data, size_t size) {
  if (size > 0 && data[size - 1] == '\0') --size;
  return std::string(data, size);
}

config::MapFormat FormatOfFile(const std::string& file) {
  if (absl::EndsWith(file, ".lmdb")) return config::MapFormat::kLmdb;
  if (absl::EndsWith(file, ".exim.cdb")) return config::MapFormat::kEximCdb;
  if (absl::EndsWith(file, ".cdb")) return config::MapFormat::kCdb;
  if (absl::EndsWith(file, ".exim")) return config::MapFormat::kEximText;
  if (absl::EndsWith(file, ".db")) return config::MapFormat::kDb;
  return config::MapFormat::kText;
}

absl::StatusOr<std::vector<MapEntry>> ReadMapFile(config::MapFormat format,
                                                  const std::string& file) {
  switch (format) {
    case config::MapFormat::kText:
    case config::MapFormat::kEximText:
      return ReadTextMap(file);
    case config::MapFormat::kLmdb:
      return ReadLmdbMap(file);
    case config::MapFormat::kDb:
      return ReadBdbMap(file);
    case config::MapFormat::kCdb:
    case config::MapFormat::kEximCdb:
      return ReadCdbMap(file);
  }
  return absl::InternalError("unknown map format");
}

absl::StatusOr<std::optional<std::string>> LookupMapFile(config::MapFormat format,
                                                         const std::string& file,
                                                         const std::string& key) {
  switch (format) {
    case config::MapFormat::kText:
    case config::MapFormat::kEximText:
      return LookupTextMap(file, key);
    case config::MapFormat::kLmdb:
      return LookupLmdbMap(file, key);
    case config::MapFormat::kDb:
      return LookupBdbMap(file, key);
    case config::MapFormat::kCdb:
    case config::MapFormat::kEximCdb:
      return LookupCdbMap(file, key);
  }
  return absl::InternalError("unknown map format");
}

}  // namespace exact::publish
