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

namespace exact::publish {
namespace {

absl::Status LmdbError(int rc, absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", mdb_strerror(rc)));
}

class LmdbMapWriter final : public MapWriter {
 public:
  explicit LmdbMapWriter(MapFile file) : f_(std::move(file)), temp_(f_.name + ".tmp") {}

  absl::Status Write(const std::vector<RelayRecord>& records) override {
    std::vector<std::pair<std::string, std::string>> items;
    items.reserve(records.size());
    for (const RelayRecord& r : records) {
      // std::string keeps the terminating NUL as part of the data.
      items.emplace_back(r.address.ToString() + '\0', MapValue(r) + '\0');
    }
    for (const auto& [key, value] : StaticEntries(config::MapFormat::kLmdb)) {
      items.emplace_back(key + '\0', value + '\0');
    }
    std::sort(items.begin(), items.end());  // LMDB's default order: memcmp.
    items.erase(std::unique(items.begin(), items.end(),
                            [](const auto& a, const auto& b) { return a.first == b.first; }),
                items.end());

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
  absl::Status Build(const std::vector<std::pair<std::string, std::string>>& items) {
    MDB_env* env = nullptr;
    int rc = mdb_env_create(&env);
    if (rc != 0) return LmdbError(rc, "mdb_env_create");
    size_t bytes = 0;
    for (const auto& [k, v] : items) bytes += k.size() + v.size() + 32;
    // Address space only: without MDB_WRITEMAP the file grows as written.
    size_t map_size = std::max<size_t>(1 << 20, bytes * 3);
    map_size = (map_size + 4095) & ~size_t{4095};
    rc = mdb_env_set_mapsize(env, map_size);
    if (rc == 0) rc = mdb_env_open(env, temp_.c_str(), MDB_NOSUBDIR | MDB_NOLOCK, f_.mode);
    if (rc != 0) {
      mdb_env_close(env);
      return LmdbError(rc, absl::StrCat("create ", f_.dir.PathOf(temp_)));
    }
    MDB_txn* txn = nullptr;
    MDB_dbi dbi;
    rc = mdb_txn_begin(env, nullptr, 0, &txn);
    if (rc == 0) rc = mdb_dbi_open(txn, nullptr, 0, &dbi);
    for (size_t i = 0; rc == 0 && i < items.size(); ++i) {
      MDB_val key{items[i].first.size(), const_cast<char*>(items[i].first.data())};
      MDB_val val{items[i].second.size(), const_cast<char*>(items[i].second.data())};
      rc = mdb_put(txn, dbi, &key, &val, MDB_APPEND);
    }
    if (rc == 0) {
      rc = mdb_txn_commit(txn);
    } else if (txn != nullptr) {
      mdb_txn_abort(txn);
    }
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
