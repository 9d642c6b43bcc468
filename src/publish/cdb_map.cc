// cdb maps (D. J. Bernstein's constant database), read by Postfix `cdb:`
// and Exim `cdb`: NAME.cdb. Keys and values without a trailing NUL (the
// convention of postmap's cdb writer and of Exim). Layout: a 2048-byte
// header of 256 (position, slots) pairs, the records (key length, value
// length, key, value), then 256 open-addressing hash tables of (hash,
// position) slots, each twice as large as its bucket. All integers are
// 32-bit little-endian.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/base/status_macros.h"
#include "src/publish/cdb_format.h"
#include "src/publish/map_writer.h"

namespace exact::publish {

uint32_t CdbHash(absl::string_view key) {
  uint32_t h = 5381;
  for (unsigned char c : key) h = ((h << 5) + h) ^ c;
  return h;
}

namespace {

void AppendU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint32_t ReadU32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return u[0] | (u[1] << 8) | (u[2] << 16) | (static_cast<uint32_t>(u[3]) << 24);
}

}  // namespace

absl::StatusOr<std::string> BuildCdb(const std::vector<std::pair<std::string, std::string>>& items) {
  std::string out(2048, '\0');
  struct Slot {
    uint32_t hash, pos;
  };
  std::vector<std::vector<Slot>> buckets(256);
  for (const auto& [k, v] : items) {
    if (out.size() + 8 + k.size() + v.size() > UINT32_MAX) {
      return absl::ResourceExhaustedError("cdb map larger than 4 GiB");
    }
    uint32_t h = CdbHash(k);
    buckets[h & 255].push_back({h, static_cast<uint32_t>(out.size())});
    AppendU32(&out, static_cast<uint32_t>(k.size()));
    AppendU32(&out, static_cast<uint32_t>(v.size()));
    out += k;
    out += v;
  }
  std::string header;
  for (const auto& bucket : buckets) {
    const uint32_t slots = static_cast<uint32_t>(bucket.size() * 2);
    AppendU32(&header, static_cast<uint32_t>(out.size()));
    AppendU32(&header, slots);
    std::vector<Slot> table(slots, Slot{0, 0});
    for (const Slot& s : bucket) {
      uint32_t i = (s.hash >> 8) % slots;
      while (table[i].pos != 0) i = (i + 1) % slots;
      table[i] = s;
    }
    for (const Slot& s : table) {
      AppendU32(&out, s.hash);
      AppendU32(&out, s.pos);
    }
  }
  std::memcpy(out.data(), header.data(), header.size());
  return out;
}

std::optional<std::string> CdbFind(absl::string_view db, absl::string_view key) {
  if (db.size() < 2048) return std::nullopt;
  const uint32_t h = CdbHash(key);
  const uint32_t table = ReadU32(db.data() + (h & 255) * 8);
  const uint32_t slots = ReadU32(db.data() + (h & 255) * 8 + 4);
  if (slots == 0 || table > db.size() || (db.size() - table) / 8 < slots) return std::nullopt;
  for (uint32_t n = 0, i = (h >> 8) % slots; n < slots; ++n, i = (i + 1) % slots) {
    const char* slot = db.data() + table + 8 * i;
    const uint32_t pos = ReadU32(slot + 4);
    if (pos == 0) return std::nullopt;
    if (ReadU32(slot) != h || pos > db.size() - 8) continue;
    const uint32_t klen = ReadU32(db.data() + pos), vlen = ReadU32(db.data() + pos + 4);
    if (klen > db.size() - pos - 8 || vlen > db.size() - pos - 8 - klen) return std::nullopt;
    if (absl::string_view(db.data() + pos + 8, klen) == key) {
      return std::string(db.data() + pos + 8 + klen, vlen);
    }
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> CdbEntries(absl::string_view db) {
  std::vector<std::pair<std::string, std::string>> out;
  if (db.size() < 2048) return out;
  // Records run from the header to the first hash table.
  uint32_t end = UINT32_MAX;
  for (int b = 0; b < 256; ++b) end = std::min(end, ReadU32(db.data() + b * 8));
  end = std::min<uint32_t>(end, static_cast<uint32_t>(db.size()));
  for (uint32_t pos = 2048; pos + 8 <= end;) {
    const uint32_t klen = ReadU32(db.data() + pos), vlen = ReadU32(db.data() + pos + 4);
    if (klen > end - pos - 8 || vlen > end - pos - 8 - klen) break;
    out.emplace_back(std::string(db.data() + pos + 8, klen),
                     std::string(db.data() + pos + 8 + klen, vlen));
    pos += 8 + klen + vlen;
  }
  return out;
}

namespace {

class CdbMapWriter final : public MapWriter {
 public:
  CdbMapWriter(MapFile file, config::MapFormat keys) : f_(std::move(file)), keys_(keys) {}

  absl::Status Write(const RelaySnapshot& snapshot) override {
    std::vector<std::pair<std::string, std::string>> items;
    items.reserve(snapshot.size());
    for (const RecordView r : snapshot) {
      items.emplace_back(MapKey(keys_, r.address), MapValue(r.expiry));
    }
    // A static host that also logged in appears twice: cdb allows that, and
    // readers take the first.
    for (auto& kv : StaticEntries(keys_)) items.push_back(std::move(kv));
    EXACT_ASSIGN_OR_RETURN(std::string db, BuildCdb(items));
    return f_.dir.WriteFileAtomically(f_.name, db, f_.mode, f_.group);
  }

  std::string path() const override { return f_.dir.PathOf(f_.name); }

 private:
  MapFile f_;
  config::MapFormat keys_;
};

}  // namespace

std::unique_ptr<MapWriter> NewCdbMapWriter(MapFile file, config::MapFormat keys) {
  return std::make_unique<CdbMapWriter>(std::move(file), keys);
}

}  // namespace exact::publish
