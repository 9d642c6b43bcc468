// State and dump file codecs.
#include "src/table/state_file.h"

#include <zlib.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "src/base/log.h"
#include "src/match/stanza_matcher.h"

namespace exact::table {
namespace {

constexpr absl::string_view kHeaderV1 = "exact-state 1";
constexpr absl::string_view kHeaderV2 = "exact-state 2";
constexpr size_t kMaxPathBytes = 4096;

uint32_t Crc32(absl::string_view bytes) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths: feed a large file in pieces.
  while (!bytes.empty()) {
    const size_t n = std::min<size_t>(bytes.size(), 1u << 30);
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(n));
    bytes.remove_prefix(n);
  }
  return static_cast<uint32_t>(crc);
}

// Reverses base::Printable's \xHH escapes.
std::string Unescape(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    int hi, lo;
    auto hex = [](char c) {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x' && (hi = hex(s[i + 2])) >= 0 &&
        (lo = hex(s[i + 3])) >= 0) {
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool ParseRecord(absl::string_view line, RelayRecord* r) {
  std::vector<absl::string_view> f = absl::StrSplit(line, absl::MaxSplits('\t', 3));
  std::optional<IpAddress> address;
  if (f.size() != 4 || !(address = IpAddress::Parse(f[0])) || !absl::SimpleAtoi(f[1], &r->expiry) ||
      !absl::SimpleAtoi(f[2], &r->last_login)) {
    return false;
  }
  r->address = *address;
  r->user = Unescape(f[3]);
  if (r->user.size() > match::kMaxUserBytes) r->user.resize(match::kMaxUserBytes);
  return true;
}

bool ParseLogPosition(absl::string_view line, base::LogPosition* p) {
  std::vector<absl::string_view> f = absl::StrSplit(line, absl::MaxSplits('\t', 7));
  if (f.size() != 8 || f[0] != "log" || !absl::SimpleAtoi(f[1], &p->index) ||
      !absl::SimpleAtoi(f[2], &p->dev) || !absl::SimpleAtoi(f[3], &p->ino) ||
      !absl::SimpleAtoi(f[4], &p->offset) || !absl::SimpleAtoi(f[5], &p->head_len) ||
      !absl::SimpleHexAtoi(f[6], &p->head_crc) || p->head_len > base::kHeadBytes) {
    return false;
  }
  p->path = Unescape(f[7]);
  return p->path.size() <= kMaxPathBytes;
}

bool ParseRevoke(absl::string_view line, SavedRevoke* r) {
  std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
  std::optional<IpAddress> address;
  if (f.size() != 4 || f[0] != "revoke" || !(address = IpAddress::Parse(f[1])) ||
      !absl::SimpleAtoi(f[2], &r->at) || !absl::SimpleAtoi(f[3], &r->hold_until)) {
    return false;
  }
  r->address = *address;
  return true;
}

}  // namespace

std::string EncodeState(const RelaySnapshot& snapshot, const SavedState& positions) {
  std::string out = absl::StrCat(kHeaderV2, "\n");
  // Generous: pages reserved but never written cost no memory, while a
  // string that outgrows its buffer holds two copies as it moves.
  out.reserve(out.size() + snapshot.size() * 96 + positions.logs.size() * 128 + 64);
  for (const base::LogPosition& p : positions.logs) {
    absl::StrAppend(&out, "log\t", p.index, "\t", p.dev, "\t", p.ino, "\t", p.offset, "\t",
                    p.head_len, "\t", absl::Hex(p.head_crc), "\t",
                    base::Printable(p.path, kMaxPathBytes * 4), "\n");
  }
  if (!positions.journal_cursor.empty()) {
    absl::StrAppend(&out, "journal\t", base::Printable(positions.journal_cursor, kMaxPathBytes * 4),
                    "\n");
  }
  for (const SavedRevoke& r : positions.revokes) {
    absl::StrAppend(&out, "revoke\t", r.address.ToString(), "\t", r.at, "\t", r.hold_until, "\n");
  }
  for (const RecordView r : snapshot) {
    absl::StrAppend(&out, r.address.ToString(), "\t", r.expiry, "\t", r.last_login, "\t",
                    base::Printable(r.user(), match::kMaxUserBytes * 4), "\n");
  }
  absl::StrAppend(&out, "end\t", snapshot.size(), "\t", absl::Hex(Crc32(out)), "\n");
  return out;
}

DecodedState DecodeState(absl::string_view text) {
  DecodedState state;
  using Verdict = DecodedState::Verdict;
  const size_t first_nl = text.find('\n');
  const absl::string_view header = text.substr(0, first_nl);
  if (header == kHeaderV1) {
    state.header_ok = true;
    state.verdict = Verdict::kLegacy;
    for (absl::string_view line :
         absl::StrSplit(text.substr(first_nl + 1), '\n', absl::SkipEmpty())) {
      RelayRecord r;
      if (ParseRecord(line, &r)) {
        state.records.push_back(std::move(r));
      } else {
        ++state.bad_lines;
      }
    }
    return state;
  }
  if (header != kHeaderV2 || first_nl == absl::string_view::npos) return state;
  state.header_ok = true;
  state.verdict = Verdict::kCorrupt;
  // The end line is the file's last; everything before it is checksummed.
  if (text.empty() || text.back() != '\n') return state;
  const size_t end_at = text.rfind('\n', text.size() - 2);
  if (end_at == absl::string_view::npos) return state;
  const absl::string_view body = text.substr(0, end_at + 1);
  std::vector<absl::string_view> end =
      absl::StrSplit(text.substr(end_at + 1, text.size() - end_at - 2), '\t');
  size_t entries = 0;
  uint32_t crc = 0;
  if (end.size() != 3 || end[0] != "end" || !absl::SimpleAtoi(end[1], &entries) ||
      !absl::SimpleHexAtoi(end[2], &crc) || crc != Crc32(body)) {
    return state;
  }
  DecodedState good;
  good.header_ok = true;
  for (absl::string_view line :
       absl::StrSplit(body.substr(first_nl + 1), '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "log\t")) {
      base::LogPosition p;
      if (!ParseLogPosition(line, &p)) return state;
      good.positions.logs.push_back(std::move(p));
    } else if (absl::StartsWith(line, "journal\t")) {
      good.positions.journal_cursor = Unescape(line.substr(8));
    } else if (absl::StartsWith(line, "revoke\t")) {
      SavedRevoke r;
      if (!ParseRevoke(line, &r)) return state;
      good.positions.revokes.push_back(r);
    } else {
      RelayRecord r;
      if (!ParseRecord(line, &r)) return state;  // The checksum held: a writer's bug.
      good.records.push_back(std::move(r));
    }
  }
  if (good.records.size() != entries) return state;
  good.verdict = Verdict::kOk;
  return good;
}

const char* VerdictName(DecodedState::Verdict verdict) {
  switch (verdict) {
    case DecodedState::Verdict::kOk:
      return "ok";
    case DecodedState::Verdict::kLegacy:
      return "version 1";
    case DecodedState::Verdict::kForeign:
      return "not an exact state file";
    case DecodedState::Verdict::kCorrupt:
      return "torn or corrupt (checksum or entry count fails)";
  }
  return "?";
}

std::string EncodeDump(const RelaySnapshot& snapshot) {
  std::string out;
  for (const RecordView r : snapshot) {
    absl::StrAppend(&out, r.address.ToString(), "\t", base::Printable(r.user()), "\t", r.expiry,
                    " (", base::FormatLocalTime(r.expiry), ")\n");
  }
  return out;
}

}  // namespace exact::table
