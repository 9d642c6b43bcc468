// Heads, siblings, checkpoint look-ups and time bisection.
#include "src/ingest/log_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace exact::ingest {
namespace {

bool Compressed(absl::string_view name) {
  for (absl::string_view ext : {".gz", ".bz2", ".xz", ".zst", ".lz4", ".Z"}) {
    if (absl::EndsWith(name, ext)) return true;
  }
  return false;
}

base::UniqueFd OpenForReading(const std::string& name) {
  return base::UniqueFd(::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
}

// The first line that starts at or after `from`, within a window read from
// there: its start, and its time if it has one. Steps over unstamped lines.
struct LineAt {
  uint64_t start = 0;
  std::optional<int64_t> time;
  bool found = false;
};

LineAt FirstStampedLineFrom(int fd, uint64_t from, uint64_t size, const LineTime& time_of) {
  constexpr size_t kWindow = 64 * 1024;
  std::string buf(kWindow, '\0');
  LineAt out;
  uint64_t at = from;
  // Start of the first whole line: just after a newline at or after from - 1.
  for (bool mid_line = StartsMidLine(fd, from); mid_line;) {
    ssize_t n = base::PreadFull(fd, buf.data(), kWindow, at);
    if (n <= 0) return out;
    const void* nl = std::memchr(buf.data(), '\n', static_cast<size_t>(n));
    if (nl != nullptr) {
      at += static_cast<uint64_t>(static_cast<const char*>(nl) - buf.data()) + 1;
      break;
    }
    at += static_cast<uint64_t>(n);
    if (at >= size) return out;
  }
  // Up to a window's worth of lines, until one has a stamp.
  ssize_t n = base::PreadFull(fd, buf.data(), kWindow, at);
  if (n <= 0) return out;
  absl::string_view text(buf.data(), static_cast<size_t>(n));
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == absl::string_view::npos) break;
    std::optional<int64_t> t = time_of(text.substr(pos, nl - pos));
    if (t) {
      out.start = at + pos;
      out.time = t;
      out.found = true;
      return out;
    }
    pos = nl + 1;
  }
  out.start = at;  // No stamp nearby: report where the lines are.
  out.found = true;
  return out;
}

}  // namespace

bool StartsMidLine(int fd, uint64_t offset) {
  char before = '\n';
  return offset > 0 && base::PreadFull(fd, &before, 1, offset - 1) == 1 && before != '\n';
}

uint32_t ExtendCrc(uint32_t crc, absl::string_view bytes) {
  return static_cast<uint32_t>(
      ::crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

FileHead ReadHead(int fd, uint32_t max_len) {
  std::string buf(max_len, '\0');
  ssize_t n = base::PreadFull(fd, buf.data(), max_len, 0);
  if (n <= 0) return {};
  return {static_cast<uint32_t>(n),
          ExtendCrc(0, absl::string_view(buf.data(), static_cast<size_t>(n)))};
}

bool HeadMatches(int fd, const FileHead& head) {
  if (head.len == 0) return true;
  FileHead got = ReadHead(fd, head.len);
  return got.len == head.len && got.crc == head.crc;
}

std::vector<std::string> RotatedSiblings(const std::string& path) {
  auto [dir, base_name] = base::SplitPath(path);
  std::vector<std::pair<int64_t, std::string>> found;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return {};
  while (struct dirent* e = ::readdir(d)) {
    absl::string_view name = e->d_name;
    if (name.size() <= base_name.size() + 1 || !absl::StartsWith(name, base_name)) continue;
    const char sep = name[base_name.size()];
    if (sep != '.' && sep != '-' && sep != '_') continue;
    if (Compressed(name)) continue;
    std::string full = dir == "." && !absl::StartsWith(path, "./") ? std::string(name)
                                                                   : absl::StrCat(dir, "/", name);
    struct stat st;
    if (::stat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    found.emplace_back(static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                       std::move(full));
  }
  ::closedir(d);
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> out;
  for (auto& [mtime, name] : found) out.push_back(std::move(name));
  return out;
}

std::optional<LocatedFile> Locate(const base::LogPosition& position, const std::string& path) {
  const FileHead head{position.head_len, position.head_crc};
  auto try_file = [&](const std::string& name, bool current) -> std::optional<LocatedFile> {
    base::UniqueFd fd = OpenForReading(name);
    struct stat st;
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    const bool same_inode = st.st_dev == position.dev && st.st_ino == position.ino;
    if (static_cast<uint64_t>(st.st_size) < position.offset || !HeadMatches(fd.get(), head)) {
      return std::nullopt;
    }
    LocatedFile f;
    f.name = name;
    f.fd = std::move(fd);
    f.is_current = current;
    f.by_inode = same_inode;
    return f;
  };
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && st.st_dev == position.dev && st.st_ino == position.ino) {
    if (auto f = try_file(path, true)) return f;
  }
  const std::vector<std::string> siblings = RotatedSiblings(path);
  // By inode first: a rename keeps it.
  for (const std::string& name : siblings) {
    if (::stat(name.c_str(), &st) != 0) continue;
    if (st.st_dev != position.dev || st.st_ino != position.ino) continue;
    if (auto f = try_file(name, false)) return f;
  }
  // A copy (copytruncate): another inode with the same head, long enough. An
  // empty head would match anything, so it is never enough alone.
  if (position.head_len == 0) return std::nullopt;
  for (const std::string& name : siblings) {
    if (auto f = try_file(name, false)) return f;
  }
  return std::nullopt;
}

uint64_t OffsetOfTime(int fd, uint64_t size, int64_t since_us, const LineTime& time_of) {
  // Invariant: every line starting before `lo` is older than since_us (as far
  // as the probes saw), and the line at `hi` (or the end) is not.
  uint64_t lo = 0, hi = size;
  while (hi - lo > 64 * 1024) {
    const uint64_t mid = lo + (hi - lo) / 2;
    LineAt line = FirstStampedLineFrom(fd, mid, size, time_of);
    if (!line.found || line.start >= hi) {
      hi = mid;
      continue;
    }
    if (line.time && *line.time < since_us) {
      lo = line.start;
    } else {
      hi = mid;
    }
  }
  // Back to a line start at or before lo (lo is one, or 0).
  return lo;
}

}  // namespace exact::ingest
