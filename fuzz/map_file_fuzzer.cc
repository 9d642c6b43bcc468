// Fuzzes the map readers exact-lookup uses on files anyone might hand it:
// cdb (tinycdb) and text. Never crashes and never reads outside the file;
// the input is read from a memfd, through its /proc/self/fd path. (LMDB and
// Berkeley DB trust their files' pages and are not fuzzed here: their maps
// are written by exact and read by the MTA's own libraries.)
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "fuzz/fuzz_target.h"
#include "src/publish/map_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 20) return 0;
  int fd = ::memfd_create("map", MFD_CLOEXEC);
  if (fd < 0) std::abort();
  if (size > 0 && ::write(fd, data, size) != static_cast<ssize_t>(size)) std::abort();
  const std::string path = absl::StrCat("/proc/self/fd/", fd);
  using exact::config::MapFormat;
  for (MapFormat f : {MapFormat::kCdb, MapFormat::kText}) {
    auto entries = exact::publish::ReadMapFile(f, path);
    (void)exact::publish::LookupMapFile(f, path, "192.0.2.1");
    if (entries.ok()) {
      for (size_t i = 0; i < entries->size() && i < 64; ++i) {
        (void)exact::publish::LookupMapFile(f, path, (*entries)[i].key);
      }
    }
  }
  ::close(fd);
  return 0;
}
