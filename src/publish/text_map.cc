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
  TextMapWriter(base::Directory dir, std::string file, std::string temp, mode_t mode,
                config::MapFormat keys)
      : dir_(std::move(dir)), file_(std::move(file)), temp_(std::move(temp)), mode_(mode),
        keys_(keys) {}

  absl::Status Write(const std::vector<RelayRecord>& records) override {
    std::string text;
    text.reserve(records.size() * 16);
    for (const RelayRecord& r : records) absl::StrAppend(&text, MapKey(keys_, r.address), "\n");
    for (const auto& [key, value] : StaticEntries(keys_)) absl::StrAppend(&text, key, "\n");
    auto fd = dir_.CreateFile(temp_, mode_);
    if (!fd.ok()) return fd.status();
    absl::Status status = base::WriteAll(fd->get(), text);
    if (status.ok() && ::fsync(fd->get()) != 0) status = base::ErrnoStatus(errno, "fsync");
    fd->Reset();
    if (!status.ok()) {
      dir_.Remove(temp_).IgnoreError();  // The published map is untouched.
      return status;
    }
    return dir_.Commit(temp_, file_);
  }

  std::string path() const override { return dir_.PathOf(file_); }

 private:
  base::Directory dir_;
  std::string file_;
  std::string temp_;
  mode_t mode_;
  config::MapFormat keys_;
};

}  // namespace

std::unique_ptr<MapWriter> NewTextMapWriter(base::Directory dir, std::string file,
                                            std::string temp, mode_t mode,
                                            config::MapFormat keys) {
  return std::make_unique<TextMapWriter>(std::move(dir), std::move(file), std::move(temp), mode,
                                         keys);
}

}  // namespace exact::publish
