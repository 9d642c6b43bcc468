// cdb maps (D. J. Bernstein's constant database), read by Postfix `cdb:`
// and Exim `cdb`: NAME.cdb, keys and values without a trailing NUL (the
// convention of postmap's cdb writer and of Exim). Written and read with
// tinycdb, the library Postfix's own cdb support links; it beat the
// hand-written builder exact had (docs/performance.md).
//
// exact creates the temp itself (base::Directory::CreateTemp: exclusive,
// random name) and hands tinycdb its descriptor. What stays the library's:
// its write(2) calls into that descriptor (a failed one fails
// cdb_make_add or cdb_make_finish, and the temp is dropped); exact's file
// layer fsyncs and renames.
#include <cdb.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/base/status_macros.h"
#include "src/publish/map_backends.h"
#include "src/publish/map_writer.h"

namespace exact::publish {

namespace {

class CdbMapWriter final : public MapWriter {
 public:
  CdbMapWriter(MapFile file, config::MapFormat keys) : f_(std::move(file)), keys_(keys) {}

  absl::Status Write(const RelaySnapshot& snapshot) override {
    EXACT_ASSIGN_OR_RETURN(base::TempFile temp, f_.dir.CreateTemp(f_.name, f_.mode, f_.group));
    struct cdb_make cdbm;
    if (cdb_make_start(&cdbm, temp.fd()) != 0) {
      return base::ErrnoStatus(errno, absl::StrCat("cdb_make_start ", temp.path()));
    }
    // Every record is added before finish, which frees tinycdb's tables
    // whatever happens.
    bool ok = true;
    char key[kMaxKeyText], value[kMaxValueText];
    const bool exim = keys_ == config::MapFormat::kEximCdb;
    for (const RecordView r : snapshot) {
      const size_t v = FormatValue(r.expiry, value);
      if (exim) {
        const std::string k = MapKey(keys_, r.address);
        ok = ok && Add(&cdbm, k.data(), k.size(), value, v);
      } else {
        ok = ok && Add(&cdbm, key, FormatKey(r.address, key), value, v);
      }
    }
    // A static host that also logged in appears twice: cdb allows that, and
    // readers take the first.
    for (const auto& [k, v] : StaticEntries(keys_)) {
      ok = ok && Add(&cdbm, k.data(), k.size(), v.data(), v.size());
    }
    const int add_errno = errno;
    if (!ok) {
      cdb_make_finish(&cdbm);
      return base::ErrnoStatus(add_errno, absl::StrCat("write ", temp.path()));
    }
    if (cdb_make_finish(&cdbm) != 0) {
      return base::ErrnoStatus(errno, absl::StrCat("write ", temp.path()));
    }
    return temp.Commit();
  }

  std::string path() const override { return f_.dir.PathOf(f_.name); }

 private:
  static bool Add(struct cdb_make* cdbm, const char* k, size_t klen, const char* v, size_t vlen) {
    return cdb_make_add(cdbm, k, static_cast<unsigned>(klen), v, static_cast<unsigned>(vlen)) == 0;
  }

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
