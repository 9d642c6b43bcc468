// Map target → writer.
#include "src/publish/map_writer.h"

#include "absl/strings/str_cat.h"
#include "src/base/status_macros.h"

namespace exact::publish {

std::string MapFileName(config::MapFormat format, const std::string& name) {
  switch (format) {
    case config::MapFormat::kText: return name;
    case config::MapFormat::kDb: return name + ".db";
    case config::MapFormat::kLmdb: return name + ".lmdb";
    case config::MapFormat::kCdb: return name + ".cdb";
    case config::MapFormat::kEximText: return name + ".exim";
    case config::MapFormat::kEximCdb: return name + ".exim.cdb";
  }
  return name;
}

std::string MapValue(const RelayRecord& record) { return absl::StrCat(record.expiry); }

std::string MapKey(config::MapFormat format, const match::IpAddress& address) {
  return format == config::MapFormat::kEximText || format == config::MapFormat::kEximCdb
             ? address.ToEximKey()
             : address.ToString();
}

absl::StatusOr<std::unique_ptr<MapWriter>> OpenMapWriter(const MapTarget& target) {
  auto [dir_path, base_name] = base::SplitPath(MapFileName(target.format, target.name));
  EXACT_ASSIGN_OR_RETURN(base::Directory dir, base::Directory::Open(dir_path, 0750));
  switch (target.format) {
    case config::MapFormat::kText: {
      std::string temp = target.temp_name.empty() ? base_name + ".tmp"
                                                  : base::SplitPath(target.temp_name).second;
      return NewTextMapWriter(std::move(dir), base_name, temp, target.mode);
    }
    case config::MapFormat::kDb:
      return NewBdbMapWriter(std::move(dir), base_name, target.mode);
    case config::MapFormat::kLmdb:
      return NewLmdbMapWriter(std::move(dir), base_name, target.mode);
    case config::MapFormat::kCdb:
    case config::MapFormat::kEximCdb:
      return NewCdbMapWriter(std::move(dir), base_name, target.mode, target.format);
    case config::MapFormat::kEximText:
      return NewTextMapWriter(std::move(dir), base_name, base_name + ".tmp", target.mode,
                              target.format);
  }
  return absl::InternalError("unknown map format");
}

}  // namespace exact::publish
