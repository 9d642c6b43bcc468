// How the reader finds its files again: a file's identifying head, the
// rotated copies beside a log (mail.log.1, mail.log-20261202, ...), the file
// a checkpoint names among them, and the offset of a time in a log by binary
// search over its lines' stamps.
//
// Thread safety: free functions, each on its own descriptors.
#ifndef EXACT_SRC_INGEST_LOG_FILES_H_
#define EXACT_SRC_INGEST_LOG_FILES_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "src/base/files.h"
#include "src/base/log_position.h"

namespace exact::ingest {

// Whether `offset` falls inside a line (the byte before it is no newline):
// starting there would hand on the tail of a line as if whole.
bool StartsMidLine(int fd, uint64_t offset);

// CRC-32 of `bytes` continuing from `crc` (0 to start).
uint32_t ExtendCrc(uint32_t crc, absl::string_view bytes);

struct FileHead {
  uint32_t len = 0;
  uint32_t crc = 0;
};
// The first min(max_len, size) bytes of the file and their CRC.
FileHead ReadHead(int fd, uint32_t max_len = base::kHeadBytes);
// Whether the file's first `head.len` bytes have CRC `head.crc`.
bool HeadMatches(int fd, const FileHead& head);

// Names in `path`'s directory that look like rotations of it: its basename
// followed by '.', '-' or '_' and more, not compressed (.gz, .bz2, .xz,
// .zst, .lz4, .Z), regular files. Full paths, newest modification first.
std::vector<std::string> RotatedSiblings(const std::string& path);

// A file a checkpoint names, found again.
struct LocatedFile {
  std::string name;  // The path it was found under.
  base::UniqueFd fd;
  bool is_current = false;  // It is still `path` itself.
  bool by_inode = false;    // Same device and inode (else: a copy with the same head).
};
// Looks for the file of `position` as `path` itself, then among its rotated
// siblings: the same device, inode and head, or else (a copytruncate's copy)
// another file with the same head that is at least `position.offset` long.
std::optional<LocatedFile> Locate(const base::LogPosition& position, const std::string& path);

// The time a line was logged (Unix µs), or nullopt when it has no stamp.
using LineTime = std::function<std::optional<int64_t>(absl::string_view line)>;

// The start of a line at or before the first line stamped `since_us` or
// later, found by bisecting the file on line stamps: O(log size) reads, not
// a scan. Lines without a stamp are stepped over. Logs are close to time
// order; a line out of order near the boundary may be left before the
// result, which is why callers seek a margin early.
uint64_t OffsetOfTime(int fd, uint64_t size, int64_t since_us, const LineTime& time_of);

}  // namespace exact::ingest

#endif  // EXACT_SRC_INGEST_LOG_FILES_H_
