// Text maps: one address per line, EXACT 1.41's format (Sendmail class
// files, Postfix-style keys); with Exim's keys, what net-lsearch reads.
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/publish/map_writer.h"

namespace exact::publish {
namespace {

class TextMapWriter final : public MapWriter {
 public:
  TextMapWriter(MapFile file, std::string temp, config::MapFormat keys)
      : f_(std::move(file)), temp_(std::move(temp)), keys_(keys) {}

  absl::Status Write(const RelaySnapshot& snapshot) override {
    std::string text;
    text.reserve(snapshot.size() * (kMaxKeyText + 1));  // Untouched pages cost nothing.
    for (const RecordView r : snapshot) absl::StrAppend(&text, MapKey(keys_, r.address), "\n");
    for (const auto& [key, value] : StaticEntries(keys_)) absl::StrAppend(&text, key, "\n");
    auto fd = f_.dir.CreateFile(temp_, f_.mode, f_.group);
    if (!fd.ok()) return fd.status();
    absl::Status status = base::WriteAll(fd->get(), text);
    if (status.ok() && ::fsync(fd->get()) != 0) status = base::ErrnoStatus(errno, "fsync");
    fd->Reset();
    if (!status.ok()) {
      f_.dir.Remove(temp_).IgnoreError();  // The published map is untouched.
      return status;
    }
    return f_.dir.Commit(temp_, f_.name);
  }

  std::string path() const override { return f_.dir.PathOf(f_.name); }

 private:
  MapFile f_;
  std::string temp_;
  config::MapFormat keys_;
};

}  // namespace

std::unique_ptr<MapWriter> NewTextMapWriter(MapFile file, std::string temp,
                                            config::MapFormat keys) {
  return std::make_unique<TextMapWriter>(std::move(file), std::move(temp), keys);
}

}  // namespace exact::publish
