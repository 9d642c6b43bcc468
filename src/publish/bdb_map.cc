// Berkeley DB hash maps, as EXACT 1.41's `db` type and Postfix's `hash:`
// read them: NAME.db, keys with a trailing NUL (postmap's and Exim dbm's
// convention), value the expiry as decimal text with a trailing NUL.
// The writer and the reader of the format.
//
// exact creates the temp itself (base::Directory::CreateTemp: exclusive,
// random name) and Berkeley DB opens that very inode through
// /proc/self/fd/N, never a name in the directory. What stays the library's:
// its own write(2) calls into the file (a failed one fails db->put or
// db->close, and the temp is dropped); exact's file layer fsyncs and renames.
#include <db.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/base/status_macros.h"
#include "src/publish/map_backends.h"
#include "src/publish/map_writer.h"
#include "src/publish/shared_lock.h"

namespace exact::publish {
namespace {

absl::Status BdbError(int rc, absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", db_strerror(rc)));
}

class BdbMapWriter final : public MapWriter {
 public:
  explicit BdbMapWriter(MapFile file) : f_(std::move(file)) {}

  absl::Status Write(const RelaySnapshot& snapshot) override {
    EXACT_ASSIGN_OR_RETURN(base::TempFile temp, f_.dir.CreateTemp(f_.name, f_.mode, f_.group));
    EXACT_RETURN_IF_ERROR(Build(snapshot, temp));
    return temp.Commit();
  }

  std::string path() const override { return f_.dir.PathOf(f_.name); }

 private:
  absl::Status Build(const RelaySnapshot& snapshot, const base::TempFile& temp) {
    DB* db = nullptr;
    int rc = db_create(&db, nullptr, 0);
    if (rc != 0) return BdbError(rc, "db_create");
    // DB_CREATE on the empty file exact created: Berkeley DB makes a new
    // database in it, after complaining on stderr that it holds none; the
    // return codes say everything that matters.
    db->set_errcall(db, [](const DB_ENV*, const char*, const char*) {});
    rc = db->open(db, nullptr, temp.ProcPath().c_str(), nullptr, DB_HASH, DB_CREATE,
                  static_cast<int>(f_.mode));
    if (rc != 0) {
      db->close(db, 0);
      return BdbError(rc, absl::StrCat("create ", temp.path()));
    }
    std::vector<std::pair<std::string, std::string>> items;
    items.reserve(snapshot.size());
    for (const RecordView r : snapshot) {
      items.emplace_back(r.address.ToString(), MapValue(r.expiry));
    }
    for (auto& kv : StaticEntries(config::MapFormat::kDb)) items.push_back(std::move(kv));
    for (const auto& [k, v] : items) {
      DBT key, val;
      std::memset(&key, 0, sizeof key);
      std::memset(&val, 0, sizeof val);
      key.data = const_cast<char*>(k.data());
      key.size = static_cast<u_int32_t>(k.size() + 1);  // With the NUL.
      val.data = const_cast<char*>(v.data());
      val.size = static_cast<u_int32_t>(v.size() + 1);
      rc = db->put(db, nullptr, &key, &val, 0);
      if (rc != 0) break;
    }
    int close_rc = db->close(db, 0);  // Flushes to the file.
    if (rc == 0) rc = close_rc;
    if (rc != 0) return BdbError(rc, absl::StrCat("write ", temp.path()));
    return absl::OkStatus();
  }

  MapFile f_;
};

// Opens `file` read-only under a shared lock, as Postfix's readers do.
class BdbFile {
 public:
  absl::Status Open(const std::string& file) {
    EXACT_RETURN_IF_ERROR(lock_.Acquire(file));
    int rc = db_create(&db_, nullptr, 0);
    if (rc != 0) return BdbError(rc, "db_create");
    rc = db_->open(db_, nullptr, file.c_str(), nullptr, DB_UNKNOWN, DB_RDONLY, 0);
    if (rc != 0) return absl::DataLossError(absl::StrCat("read ", file, ": ", db_strerror(rc)));
    return absl::OkStatus();
  }
  ~BdbFile() {
    if (db_ != nullptr) db_->close(db_, 0);
  }
  DB* get() { return db_; }

 private:
  SharedLock lock_;
  DB* db_ = nullptr;
};

}  // namespace

std::unique_ptr<MapWriter> NewBdbMapWriter(MapFile file) {
  return std::make_unique<BdbMapWriter>(std::move(file));
}

absl::StatusOr<std::vector<MapEntry>> ReadBdbMap(const std::string& file) {
  BdbFile db;
  EXACT_RETURN_IF_ERROR(db.Open(file));
  std::vector<MapEntry> out;
  DBC* cursor = nullptr;
  int rc = db.get()->cursor(db.get(), nullptr, &cursor, 0);
  if (rc == 0) {
    DBT k, v;
    std::memset(&k, 0, sizeof k);
    std::memset(&v, 0, sizeof v);
    while ((rc = cursor->get(cursor, &k, &v, DB_NEXT)) == 0) {
      out.push_back({StripNul(static_cast<const char*>(k.data), k.size),
                     StripNul(static_cast<const char*>(v.data), v.size)});
    }
    if (rc == DB_NOTFOUND) rc = 0;
    cursor->close(cursor);
  }
  if (rc != 0) return absl::DataLossError(absl::StrCat("read ", file, ": ", db_strerror(rc)));
  return out;
}

absl::StatusOr<std::optional<std::string>> LookupBdbMap(const std::string& file,
                                                        const std::string& key) {
  BdbFile db;
  EXACT_RETURN_IF_ERROR(db.Open(file));
  // The key with its NUL first, then without: Postfix's TRY1NULL/TRY0NULL.
  for (const std::string& k : {key + '\0', key}) {
    DBT dk, dv;
    std::memset(&dk, 0, sizeof dk);
    std::memset(&dv, 0, sizeof dv);
    dk.data = const_cast<char*>(k.data());
    dk.size = static_cast<u_int32_t>(k.size());
    int rc = db.get()->get(db.get(), nullptr, &dk, &dv, 0);
    if (rc == 0) {
      return std::optional<std::string>(StripNul(static_cast<const char*>(dv.data), dv.size));
    }
    if (rc != DB_NOTFOUND) {
      return absl::DataLossError(absl::StrCat("read ", file, ": ", db_strerror(rc)));
    }
  }
  return std::optional<std::string>();
}

}  // namespace exact::publish
