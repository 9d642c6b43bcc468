// Where reading of one log file stands: the checkpoint the state file keeps
// for each log, so that a restart resumes exactly where the applied lines
// end. A file is known by device and inode, and by a CRC of its first bytes,
// which recognises it again after a copytruncate (a new inode, the same
// head) and tells a reused inode number (the same inode, another head) from
// the file it once was. Plain data; thread safety: none needed.
#ifndef EXACT_SRC_BASE_LOG_POSITION_H_
#define EXACT_SRC_BASE_LOG_POSITION_H_

#include <cstdint>
#include <string>

namespace exact::base {

// Bytes of a file's head that identify it.
inline constexpr uint32_t kHeadBytes = 4096;

struct LogPosition {
  uint32_t index = 0;  // Which configured maillog.
  std::string path;    // Its configured path, for messages and checks.
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint64_t offset = 0;    // Just past the last complete line applied to the table.
  uint32_t head_len = 0;  // min(kHeadBytes, bytes seen) ...
  uint32_t head_crc = 0;  // ... and their CRC-32.

  bool operator==(const LogPosition&) const = default;
};

}  // namespace exact::base

#endif  // EXACT_SRC_BASE_LOG_POSITION_H_
