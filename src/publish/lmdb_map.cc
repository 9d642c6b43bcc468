// LMDB maps in Postfix's lmdb_table(5) format: a single file NAME.lmdb,
// opened MDB_NOSUBDIR|MDB_NOLOCK (Postfix never uses LMDB's lock file and
// says a program that does will corrupt its maps), the unnamed database,
// keys and values with a trailing NUL as postmap writes them. Keys are sorted
// and appended (MDB_APPEND): fewer, fuller pages and no page splits.
// The writer and the reader of the format.
//
// exact creates the temp itself (base::Directory::CreateTemp: exclusive,
// random name) and LMDB opens that very inode through /proc/self/fd/N
// (MDB_NOSUBDIR; MDB_NOLOCK, so no lock file is made beside it), never a
// name in the directory. What stays the library's: its own writes and
// mmap of the file (a failure fails mdb_put or mdb_txn_commit, and the temp
// is dropped); exact's file layer fsyncs and renames.
#include <fcntl.h>
#include <lmdb.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/base/status_macros.h"
#include "src/publish/map_backends.h"
#include "src/publish/map_writer.h"
#include "src/publish/shared_lock.h"
#include "src/publish/sorted_items.h"

namespace exact::publish {
namespace {

absl::Status LmdbError(int rc, absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", mdb_strerror(rc)));
}

class LmdbMapWriter final : public MapWriter {
 public:
  explicit LmdbMapWriter(MapFile file) : f_(std::move(file)) {}

  absl::Status Write(const RelaySnapshot& snapshot) override {
    SortedItems items;  // LMDB's default order: memcmp.
    // Room for the longest keys: pages reserved but never written cost no
    // memory, while an arena that outgrows its buffer holds two copies.
    items.Reserve(snapshot.size() + 16, snapshot.size() * (kMaxKeyText + kMaxValueText + 2));
    char key[kMaxKeyText + 1], value[kMaxValueText + 1];
    for (const RecordView r : snapshot) {
      // Keys and values carry their terminating NUL, as postmap writes them.
      size_t k = FormatKey(r.address, key);
      key[k++] = '\0';
      size_t v = FormatValue(r.expiry, value);
      value[v++] = '\0';
      items.Add(absl::string_view(key, k), absl::string_view(value, v));
    }
    for (const auto& [k, v] : StaticEntries(config::MapFormat::kLmdb)) {
      items.Add(k + '\0', v + '\0');
    }
    items.SortAndDedupe();

    EXACT_ASSIGN_OR_RETURN(base::TempFile temp, f_.dir.CreateTemp(f_.name, f_.mode, f_.group));
    EXACT_RETURN_IF_ERROR(Build(items, temp));
    return temp.Commit();
  }

  std::string path() const override { return f_.dir.PathOf(f_.name); }

 private:
  absl::Status Build(const SortedItems& items, const base::TempFile& temp) {
    MDB_env* env = nullptr;
    int rc = mdb_env_create(&env);
    if (rc != 0) return LmdbError(rc, "mdb_env_create");
    size_t bytes = 0;
    for (size_t i = 0; i < items.size(); ++i) {
      bytes += items.key(i).size() + items.value(i).size() + 32;
    }
    // Address space only: without MDB_WRITEMAP the file grows as written.
    size_t map_size = std::max<size_t>(1 << 20, bytes * 3);
    map_size = (map_size + 4095) & ~size_t{4095};
    rc = mdb_env_set_mapsize(env, map_size);
    constexpr unsigned kFlags = MDB_NOSUBDIR | MDB_NOLOCK | MDB_NOSYNC;
    if (rc == 0) rc = mdb_env_open(env, temp.ProcPath().c_str(), kFlags, f_.mode);
    if (rc != 0) {
      mdb_env_close(env);
      return LmdbError(rc, absl::StrCat("create ", temp.path()));
    }
    // Commit every kBatch keys: LMDB holds a transaction's dirty pages in
    // memory until commit, ~40 MB for a million keys in one. MDB_NOSYNC
    // (the file is a private temp file until renamed); the one fsync is
    // exact's, in TempFile::Commit.
    constexpr size_t kBatch = 65536;
    MDB_dbi dbi = 0;
    size_t start = 0;
    do {  // At least once: an empty map is still a valid database.
      MDB_txn* txn = nullptr;
      rc = mdb_txn_begin(env, nullptr, 0, &txn);
      if (rc != 0) break;
      if (start == 0) rc = mdb_dbi_open(txn, nullptr, 0, &dbi);
      for (size_t i = start; rc == 0 && i < items.size() && i < start + kBatch; ++i) {
        MDB_val key{items.key(i).size(), const_cast<char*>(items.key(i).data())};
        MDB_val val{items.value(i).size(), const_cast<char*>(items.value(i).data())};
        rc = mdb_put(txn, dbi, &key, &val, MDB_APPEND);
      }
      if (rc == 0) {
        rc = mdb_txn_commit(txn);
      } else {
        mdb_txn_abort(txn);
      }
      start += kBatch;
    } while (rc == 0 && start < items.size());
    mdb_env_close(env);
    if (rc != 0) return LmdbError(rc, absl::StrCat("write ", temp.path()));
    return absl::OkStatus();
  }

  MapFile f_;
};

// Opens `file` read-only under a shared lock, as Postfix's readers do.
class LmdbFile {
 public:
  absl::Status Open(const std::string& file) {
    EXACT_RETURN_IF_ERROR(lock_.Acquire(file));
    int rc = mdb_env_create(&env_);
    if (rc == 0) rc = mdb_env_open(env_, file.c_str(), MDB_NOSUBDIR | MDB_NOLOCK | MDB_RDONLY, 0);
    if (rc == 0) rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn_);
    if (rc == 0) rc = mdb_dbi_open(txn_, nullptr, 0, &dbi_);
    if (rc != 0) return absl::DataLossError(absl::StrCat("read ", file, ": ", mdb_strerror(rc)));
    return absl::OkStatus();
  }
  ~LmdbFile() {
    if (txn_ != nullptr) mdb_txn_abort(txn_);
    if (env_ != nullptr) mdb_env_close(env_);
  }
  MDB_txn* txn() { return txn_; }
  MDB_dbi dbi() const { return dbi_; }

 private:
  SharedLock lock_;
  MDB_env* env_ = nullptr;
  MDB_txn* txn_ = nullptr;
  MDB_dbi dbi_ = 0;
};

}  // namespace

std::unique_ptr<MapWriter> NewLmdbMapWriter(MapFile file) {
  return std::make_unique<LmdbMapWriter>(std::move(file));
}

absl::StatusOr<std::vector<MapEntry>> ReadLmdbMap(const std::string& file) {
  LmdbFile db;
  EXACT_RETURN_IF_ERROR(db.Open(file));
  std::vector<MapEntry> out;
  MDB_cursor* cursor = nullptr;
  int rc = mdb_cursor_open(db.txn(), db.dbi(), &cursor);
  if (rc == 0) {
    MDB_val k, v;
    for (rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
      out.push_back({StripNul(static_cast<const char*>(k.mv_data), k.mv_size),
                     StripNul(static_cast<const char*>(v.mv_data), v.mv_size)});
    }
    if (rc == MDB_NOTFOUND) rc = 0;
    mdb_cursor_close(cursor);
  }
  if (rc != 0) return absl::DataLossError(absl::StrCat("read ", file, ": ", mdb_strerror(rc)));
  return out;
}

absl::StatusOr<std::optional<std::string>> LookupLmdbMap(const std::string& file,
                                                         const std::string& key) {
  LmdbFile db;
  EXACT_RETURN_IF_ERROR(db.Open(file));
  // The key with its NUL first, then without: Postfix's TRY1NULL/TRY0NULL.
  for (const std::string& k : {key + '\0', key}) {
    MDB_val mk{k.size(), const_cast<char*>(k.data())}, mv;
    int rc = mdb_get(db.txn(), db.dbi(), &mk, &mv);
    if (rc == 0) {
      return std::optional<std::string>(StripNul(static_cast<const char*>(mv.mv_data), mv.mv_size));
    }
    if (rc != MDB_NOTFOUND) {
      return absl::DataLossError(absl::StrCat("read ", file, ": ", mdb_strerror(rc)));
    }
  }
  return std::optional<std::string>();
}

}  // namespace exact::publish
