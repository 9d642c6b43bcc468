// cdb maps (D. J. Bernstein's constant database), read by Postfix `cdb:`
// and Exim `cdb`: NAME.cdb. The writer builds the file in memory and
// publishes it through base::Directory, so every byte goes through the
// fault-injectable file layer; the reader is tinycdb's, the library
// Postfix's own cdb support links (docs/performance.md compares the two
// builders). Keys and values without a trailing NUL (the
// convention of postmap's cdb writer and of Exim). Layout: a 2048-byte
// header of 256 (position, slots) pairs, the records (key length, value
// length, key, value), then 256 open-addressing hash tables of (hash,
// position) slots, each twice as large as its bucket. All integers are
// 32-bit little-endian.
#include <cdb.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/base/status_macros.h"
#include "src/publish/cdb_format.h"
#include "src/publish/map_backends.h"
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

}  // namespace

absl::StatusOr<std::string> BuildCdb(
    const std::vector<std::pair<std::string, std::string>>& items) {
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

namespace {

// A cdb file opened (mapped) with tinycdb; cdb_init refuses a file too
// short to be one, and cdb_find checks every offset against the size.
class CdbFile {
 public:
  absl::Status Open(const std::string& file) {
    fd_.Reset(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd_.valid()) return base::ErrnoStatus(errno, absl::StrCat("open ", file));
    if (cdb_init(&cdb_, fd_.get()) != 0) {
      return absl::DataLossError(
          absl::StrCat("read ", file, ": not a cdb file (", std::strerror(errno), ")"));
    }
    mapped_ = true;
    return absl::OkStatus();
  }
  ~CdbFile() {
    if (mapped_) cdb_free(&cdb_);
  }
  struct cdb* get() {
    return &cdb_;
  }

 private:
  base::UniqueFd fd_;
  struct cdb cdb_ {};
  bool mapped_ = false;
};

absl::Status Malformed(const std::string& file) {
  return absl::DataLossError(absl::StrCat("read ", file, ": malformed cdb file"));
}

}  // namespace

absl::StatusOr<std::vector<MapEntry>> ReadCdbMap(const std::string& file) {
  CdbFile db;
  EXACT_RETURN_IF_ERROR(db.Open(file));
  std::vector<MapEntry> out;
  unsigned pos;
  cdb_seqinit(&pos, db.get());
  int rc;
  while ((rc = cdb_seqnext(&pos, db.get())) > 0) {
    const void* k = cdb_getkey(db.get());
    const void* v = cdb_getdata(db.get());
    if (k == nullptr || v == nullptr) return Malformed(file);
    out.push_back({StripNul(static_cast<const char*>(k), cdb_keylen(db.get())),
                   StripNul(static_cast<const char*>(v), cdb_datalen(db.get()))});
  }
  if (rc < 0) return Malformed(file);
  return out;
}

absl::StatusOr<std::optional<std::string>> LookupCdbMap(const std::string& file,
                                                        const std::string& key) {
  CdbFile db;
  EXACT_RETURN_IF_ERROR(db.Open(file));
  // Both conventions, as Postfix reads: without the NUL (ours), then with.
  for (const std::string& k : {key, key + '\0'}) {
    int rc = cdb_find(db.get(), k.data(), static_cast<unsigned>(k.size()));
    if (rc < 0) return Malformed(file);
    if (rc == 0) continue;
    const void* v = cdb_getdata(db.get());
    if (v == nullptr) return Malformed(file);
    return std::optional<std::string>(StripNul(static_cast<const char*>(v), cdb_datalen(db.get())));
  }
  return std::optional<std::string>();
}

}  // namespace exact::publish
