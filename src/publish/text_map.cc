// Text maps: one address per line, EXACT 1.41's format (Sendmail class
// files, Postfix-style keys); with Exim's keys, what net-lsearch reads.
// The writer and the reader of the format.
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "src/base/status_macros.h"
#include "src/publish/map_backends.h"
#include "src/publish/map_writer.h"

namespace exact::publish {
namespace {

class TextMapWriter final : public MapWriter {
 public:
  TextMapWriter(MapFile file, std::string temp_prefix, config::MapFormat keys)
      : f_(std::move(file)), temp_prefix_(std::move(temp_prefix)), keys_(keys) {}

  absl::Status Write(const RelaySnapshot& snapshot) override {
    std::string text;
    text.reserve(snapshot.size() * (kMaxKeyText + 1));  // Untouched pages cost nothing.
    for (const RecordView r : snapshot) absl::StrAppend(&text, MapKey(keys_, r.address), "\n");
    for (const auto& [key, value] : StaticEntries(keys_)) absl::StrAppend(&text, key, "\n");
    EXACT_ASSIGN_OR_RETURN(base::TempFile temp,
                           f_.dir.CreateTemp(f_.name, f_.mode, f_.group, temp_prefix_));
    EXACT_RETURN_IF_ERROR(temp.Write(text));
    return temp.Commit();
  }

  std::string path() const override { return f_.dir.PathOf(f_.name); }

 private:
  MapFile f_;
  std::string temp_prefix_;
  config::MapFormat keys_;
};

}  // namespace

std::unique_ptr<MapWriter> NewTextMapWriter(MapFile file, std::string temp_prefix,
                                            config::MapFormat keys) {
  return std::make_unique<TextMapWriter>(std::move(file), std::move(temp_prefix), keys);
}

absl::StatusOr<std::vector<MapEntry>> ReadTextMap(const std::string& file) {
  EXACT_ASSIGN_OR_RETURN(std::string text, base::ReadFileToString(file));
  std::vector<MapEntry> out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    line = absl::StripAsciiWhitespace(line);
    if (line[0] == '#') continue;
    // Exim lsearch allows "key: data" and "key data"; an IPv6 key keeps its
    // colons.
    size_t end = line.find_first_of(" \t");
    MapEntry e;
    e.key = std::string(line.substr(0, end));
    if (!e.key.empty() && e.key.back() == ':') e.key.pop_back();
    if (end != absl::string_view::npos) {
      e.value = std::string(absl::StripAsciiWhitespace(line.substr(end + 1)));
    }
    out.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<std::optional<std::string>> LookupTextMap(const std::string& file,
                                                         const std::string& key) {
  EXACT_ASSIGN_OR_RETURN(std::vector<MapEntry> entries, ReadTextMap(file));
  for (const MapEntry& e : entries) {
    if (absl::EqualsIgnoreCase(e.key, key)) return std::optional<std::string>(e.value);
  }
  return std::optional<std::string>();
}

}  // namespace exact::publish
