// LMDB maps in Postfix's lmdb_table(5) format: a single file NAME.lmdb,
// opened MDB_NOSUBDIR|MDB_NOLOCK (Postfix never uses LMDB's lock file and
// says a program that does will corrupt its maps), the unnamed database,
// keys and values with a trailing NUL as postmap writes them. Keys are sorted
// and appended (MDB_APPEND): fewer, fuller pages and no page splits.
#include <fcntl.h>
#include <lmdb.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/base/status_macros.h"
#include "src/publish/map_writer.h"
#include "src/publish/sorted_items.h"

namespace exact::publish {
namespace {

absl::Status LmdbError(int rc, absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", mdb_strerror(rc)));
}

class LmdbMapWriter final : public MapWriter {
 public:
  explicit LmdbMapWriter(MapFile file) : f_(std::move(file)), temp_(f_.name + ".tmp") {}

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

    EXACT_RETURN_IF_ERROR(f_.dir.Remove(temp_));
    absl::Status status = base::WithWorkingDirectory(f_.dir, [&] { return Build(items); });
    if (status.ok()) status = f_.dir.SyncFile(temp_, f_.mode, f_.group);
    if (!status.ok()) {
      f_.dir.Remove(temp_).IgnoreError();  // The published map is untouched.
      return status;
    }
    return f_.dir.Commit(temp_, f_.name);
  }

  std::string path() const override { return f_.dir.PathOf(f_.name); }

 private:
  absl::Status Build(const SortedItems& items) {
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
    if (rc == 0) rc = mdb_env_open(env, temp_.c_str(), kFlags, f_.mode);
    if (rc != 0) {
      mdb_env_close(env);
      return LmdbError(rc, absl::StrCat("create ", f_.dir.PathOf(temp_)));
    }
    // Commit every kBatch keys: LMDB holds a transaction's dirty pages in
    // memory until commit, ~40 MB for a million keys in one. MDB_NOSYNC
    // (the file is a private temp file until renamed) and one sync at the end.
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
    if (rc == 0) rc = mdb_env_sync(env, 1);
    mdb_env_close(env);
    if (rc != 0) return LmdbError(rc, absl::StrCat("write ", f_.dir.PathOf(temp_)));
    return absl::OkStatus();
  }

  MapFile f_;
  std::string temp_;
};

}  // namespace

std::unique_ptr<MapWriter> NewLmdbMapWriter(MapFile file) {
  return std::make_unique<LmdbMapWriter>(std::move(file));
}

}  // namespace exact::publish
