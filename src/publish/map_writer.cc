// Map target → writer.
#include "src/publish/map_writer.h"

#include <charconv>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "src/base/status_macros.h"

namespace exact::publish {

std::string MapFileName(config::MapFormat format, const std::string& name) {
  switch (format) {
    case config::MapFormat::kText:
      return name;
    case config::MapFormat::kDb:
      return name + ".db";
    case config::MapFormat::kLmdb:
      return name + ".lmdb";
    case config::MapFormat::kCdb:
      return name + ".cdb";
    case config::MapFormat::kEximText:
      return name + ".exim";
    case config::MapFormat::kEximCdb:
      return name + ".exim.cdb";
  }
  return name;
}

std::string MapValue(UnixSeconds expiry) {
  char text[kMaxValueText];
  return std::string(text, FormatValue(expiry, text));
}

size_t FormatKey(const match::IpAddress& address, char* out) {
  if (!address.is_v4()) {
    std::string text = address.ToString();
    std::memcpy(out, text.data(), text.size());
    return text.size();
  }
  char* p = out;
  for (int i = 12; i < 16; ++i) {
    unsigned b = address.bytes()[static_cast<size_t>(i)];
    if (i > 12) *p++ = '.';
    if (b >= 100) *p++ = static_cast<char>('0' + b / 100);
    if (b >= 10) *p++ = static_cast<char>('0' + b / 10 % 10);
    *p++ = static_cast<char>('0' + b % 10);
  }
  return static_cast<size_t>(p - out);
}

size_t FormatValue(UnixSeconds expiry, char* out) {
  return static_cast<size_t>(std::to_chars(out, out + kMaxValueText, expiry).ptr - out);
}

std::vector<std::pair<std::string, std::string>> MapWriter::StaticEntries(
    config::MapFormat format) const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const match::Network& n : static_networks_) {
    std::optional<std::string> key =
        n.is_host() ? std::optional<std::string>(MapKey(format, n.base())) : n.PostfixKey();
    if (key) out.emplace_back(*key, "OK");
  }
  return out;
}

void CheckStaticNetworks(const config::Settings& settings, const match::NetworkSet& statics,
                         config::Diagnostics* diags) {
  bool exim = false;
  for (config::MapFormat f : settings.authtypes) {
    exim |= f == config::MapFormat::kEximText || f == config::MapFormat::kEximCdb;
  }
  for (size_t i = 0; i < statics.networks().size(); ++i) {
    const match::Network& n = statics.networks()[i];
    const config::SourceLocation& at = settings.static_networks[i].second;
    if (n.is_host()) continue;
    if (exim) {
      diags->Error(at, absl::StrCat("static network ", n.ToString(),
                                    ": Exim's net- lookups match whole addresses; list hosts "
                                    "here and networks in Exim's own host lists"));
    } else if (!n.PostfixKey()) {
      diags->Error(at, absl::StrCat("static network ", n.ToString(),
                                    " cannot be a map key: use IPv4 /8, /16 or /24 networks or "
                                    "single addresses (or Postfix's cidr: table)"));
    }
  }
}

std::string MapKey(config::MapFormat format, const match::IpAddress& address) {
  return format == config::MapFormat::kEximText || format == config::MapFormat::kEximCdb
             ? address.ToEximKey()
             : address.ToString();
}

absl::StatusOr<std::unique_ptr<MapWriter>> OpenMapWriter(const MapTarget& target) {
  auto [dir_path, base_name] = base::SplitPath(MapFileName(target.format, target.name));
  EXACT_ASSIGN_OR_RETURN(
      base::Directory dir,
      base::Directory::Open(dir_path, 0750, target.fs ? target.fs : &base::FileSystem::Real()));
  // Text maps keep 1.41's `authtemp` as the prefix of their random temps.
  const std::string temp_prefix =
      target.format == config::MapFormat::kText && !target.temp_name.empty()
          ? base::SplitPath(target.temp_name).second
          : "";
  if (auto stale = dir.RemoveStaleTemps(base_name, temp_prefix); !stale.ok()) {
    return stale.status();
  }
  MapFile file{std::move(dir), base_name, target.mode, target.group};
  switch (target.format) {
    case config::MapFormat::kText:
    case config::MapFormat::kEximText:
      return NewTextMapWriter(std::move(file), temp_prefix, target.format);
    case config::MapFormat::kDb:
      return NewBdbMapWriter(std::move(file));
    case config::MapFormat::kLmdb:
      return NewLmdbMapWriter(std::move(file));
    case config::MapFormat::kCdb:
    case config::MapFormat::kEximCdb:
      return NewCdbMapWriter(std::move(file), target.format);
  }
  return absl::InternalError("unknown map format");
}

}  // namespace exact::publish
