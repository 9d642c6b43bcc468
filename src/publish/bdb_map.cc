// Berkeley DB hash maps, as EXACT 1.41's `db` type and Postfix's `hash:`
// read them: NAME.db, keys with a trailing NUL (postmap's and Exim dbm's
// convention), value the expiry as decimal text with a trailing NUL.
#include <db.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "src/base/status_macros.h"
#include "src/publish/map_writer.h"

namespace exact::publish {
namespace {

absl::Status BdbError(int rc, absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", db_strerror(rc)));
}

class BdbMapWriter final : public MapWriter {
 public:
  explicit BdbMapWriter(MapFile file) : f_(std::move(file)), temp_(f_.name + ".tmp") {}

  absl::Status Write(const RelaySnapshot& snapshot) override {
    EXACT_RETURN_IF_ERROR(f_.dir.Remove(temp_));
    absl::Status status = base::WithWorkingDirectory(f_.dir, [&] { return Build(snapshot); });
    if (status.ok()) status = f_.dir.SyncFile(temp_, f_.mode, f_.group);
    if (!status.ok()) {
      f_.dir.Remove(temp_).IgnoreError();  // The published map is untouched.
      return status;
    }
    return f_.dir.Commit(temp_, f_.name);
  }

  std::string path() const override { return f_.dir.PathOf(f_.name); }

 private:
  absl::Status Build(const RelaySnapshot& snapshot) {
    DB* db = nullptr;
    int rc = db_create(&db, nullptr, 0);
    if (rc != 0) return BdbError(rc, "db_create");
    rc = db->open(db, nullptr, temp_.c_str(), nullptr, DB_HASH, DB_CREATE | DB_EXCL,
                  static_cast<int>(f_.mode));
    if (rc != 0) {
      db->close(db, 0);
      return BdbError(rc, absl::StrCat("create ", f_.dir.PathOf(temp_)));
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
    if (rc != 0) return BdbError(rc, absl::StrCat("write ", f_.dir.PathOf(temp_)));
    return absl::OkStatus();
  }

  MapFile f_;
  std::string temp_;
};

}  // namespace

std::unique_ptr<MapWriter> NewBdbMapWriter(MapFile file) {
  return std::make_unique<BdbMapWriter>(std::move(file));
}

}  // namespace exact::publish
