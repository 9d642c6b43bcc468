// Map readers for text, LMDB and Berkeley DB files.
#include "src/publish/map_reader.h"

#include <db.h>
#include <fcntl.h>
#include <lmdb.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "src/base/files.h"
#include "src/publish/cdb_format.h"

namespace exact::publish {
namespace {

std::string StripNul(const char* data, size_t size) {
  if (size > 0 && data[size - 1] == '\0') --size;
  return std::string(data, size);
}

// Postfix readers hold a shared fcntl lock for each transaction; so do we,
// to be safe even on maps that postmap updates in place.
class SharedLock {
 public:
  explicit SharedLock(const std::string& file)
      : fd_(::open(file.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (!fd_.valid()) return;
    struct flock fl;
    std::memset(&fl, 0, sizeof fl);
    fl.l_type = F_RDLCK;
    fl.l_whence = SEEK_SET;
    while (::fcntl(fd_.get(), F_SETLKW, &fl) != 0 && errno == EINTR) {
    }
  }
  bool ok() const { return fd_.valid(); }

 private:
  base::UniqueFd fd_;
};

// Calls fn(key, value) for LMDB entries; stops when fn returns false.
template <typename Fn>
absl::Status ForEachLmdb(const std::string& file, Fn fn) {
  SharedLock lock(file);
  if (!lock.ok()) return base::ErrnoStatus(errno, absl::StrCat("open ", file));
  MDB_env* env = nullptr;
  int rc = mdb_env_create(&env);
  if (rc == 0) rc = mdb_env_open(env, file.c_str(), MDB_NOSUBDIR | MDB_NOLOCK | MDB_RDONLY, 0);
  MDB_txn* txn = nullptr;
  MDB_dbi dbi;
  MDB_cursor* cursor = nullptr;
  if (rc == 0) rc = mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn);
  if (rc == 0) rc = mdb_dbi_open(txn, nullptr, 0, &dbi);
  if (rc == 0) rc = mdb_cursor_open(txn, dbi, &cursor);
  if (rc == 0) {
    MDB_val k, v;
    int get = mdb_cursor_get(cursor, &k, &v, MDB_FIRST);
    while (get == 0 && fn(static_cast<const char*>(k.mv_data), k.mv_size,
                          static_cast<const char*>(v.mv_data), v.mv_size)) {
      get = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
    }
    if (get != 0 && get != MDB_NOTFOUND) rc = get;
    mdb_cursor_close(cursor);
  }
  if (txn != nullptr) mdb_txn_abort(txn);
  if (env != nullptr) mdb_env_close(env);
  if (rc != 0) return absl::DataLossError(absl::StrCat("read ", file, ": ", mdb_strerror(rc)));
  return absl::OkStatus();
}

template <typename Fn>
absl::Status ForEachBdb(const std::string& file, Fn fn) {
  SharedLock lock(file);
  if (!lock.ok()) return base::ErrnoStatus(errno, absl::StrCat("open ", file));
  DB* db = nullptr;
  int rc = db_create(&db, nullptr, 0);
  if (rc != 0) return absl::InternalError(db_strerror(rc));
  rc = db->open(db, nullptr, file.c_str(), nullptr, DB_UNKNOWN, DB_RDONLY, 0);
  DBC* cursor = nullptr;
  if (rc == 0) rc = db->cursor(db, nullptr, &cursor, 0);
  if (rc == 0) {
    DBT k, v;
    std::memset(&k, 0, sizeof k);
    std::memset(&v, 0, sizeof v);
    int get;
    while ((get = cursor->get(cursor, &k, &v, DB_NEXT)) == 0 &&
           fn(static_cast<const char*>(k.data), k.size, static_cast<const char*>(v.data),
              v.size)) {
    }
    if (get != 0 && get != DB_NOTFOUND) rc = get;
    cursor->close(cursor);
  }
  db->close(db, 0);
  if (rc != 0) return absl::DataLossError(absl::StrCat("read ", file, ": ", db_strerror(rc)));
  return absl::OkStatus();
}

}  // namespace

config::MapFormat FormatOfFile(const std::string& file) {
  if (absl::EndsWith(file, ".lmdb")) return config::MapFormat::kLmdb;
  if (absl::EndsWith(file, ".exim.cdb")) return config::MapFormat::kEximCdb;
  if (absl::EndsWith(file, ".cdb")) return config::MapFormat::kCdb;
  if (absl::EndsWith(file, ".exim")) return config::MapFormat::kEximText;
  if (absl::EndsWith(file, ".db")) return config::MapFormat::kDb;
  return config::MapFormat::kText;
}

absl::StatusOr<std::vector<MapEntry>> ReadMapFile(config::MapFormat format,
                                                  const std::string& file) {
  std::vector<MapEntry> out;
  auto collect = [&](const char* k, size_t ks, const char* v, size_t vs) {
    out.push_back({StripNul(k, ks), StripNul(v, vs)});
    return true;
  };
  switch (format) {
    case config::MapFormat::kText:
    case config::MapFormat::kEximText: {
      absl::StatusOr<std::string> text = base::ReadFileToString(file);
      if (!text.ok()) return text.status();
      for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipWhitespace())) {
        line = absl::StripAsciiWhitespace(line);
        if (line[0] == '#') continue;
        // Exim lsearch allows "key: data" and "key data"; an IPv6 key
        // keeps its colons.
        size_t end = line.find_first_of(" \t");
        MapEntry e;
        e.key = std::string(line.substr(0, end));
        if (!e.key.empty() && e.key.back() == ':') e.key.pop_back();
        if (end != absl::string_view::npos) {
          e.value = std::string(absl::StripAsciiWhitespace(line.substr(end + 1)));
        }
        out.push_back(std::move(e));
      }
      return out;
    }
    case config::MapFormat::kLmdb: {
      absl::Status s = ForEachLmdb(file, collect);
      if (!s.ok()) return s;
      return out;
    }
    case config::MapFormat::kDb: {
      absl::Status s = ForEachBdb(file, collect);
      if (!s.ok()) return s;
      return out;
    }
    case config::MapFormat::kCdb:
    case config::MapFormat::kEximCdb: {
      absl::StatusOr<std::string> db = base::ReadFileToString(file);
      if (!db.ok()) return db.status();
      for (auto& [k, v] : CdbEntries(*db)) out.push_back({std::move(k), std::move(v)});
      return out;
    }
  }
  return absl::InternalError("unknown map format");
}

absl::StatusOr<std::optional<std::string>> LookupMapFile(config::MapFormat format,
                                                         const std::string& file,
                                                         const std::string& key) {
  if (format == config::MapFormat::kText || format == config::MapFormat::kEximText) {
    absl::StatusOr<std::vector<MapEntry>> entries = ReadMapFile(format, file);
    if (!entries.ok()) return entries.status();
    for (const MapEntry& e : *entries) {
      if (absl::EqualsIgnoreCase(e.key, key)) return std::optional<std::string>(e.value);
    }
    return std::optional<std::string>();
  }
  if (format == config::MapFormat::kCdb || format == config::MapFormat::kEximCdb) {
    absl::StatusOr<std::string> db = base::ReadFileToString(file);
    if (!db.ok()) return db.status();
    std::optional<std::string> v = CdbFind(*db, key);
    if (!v) v = CdbFind(*db, key + '\0');  // Both conventions, as Postfix reads.
    if (v && !v->empty() && v->back() == '\0') v->pop_back();
    return v;
  }
  SharedLock lock(file);
  if (!lock.ok()) return base::ErrnoStatus(errno, absl::StrCat("open ", file));
  // The key with its NUL first, then without: Postfix's TRY1NULL/TRY0NULL.
  const std::string with_nul = key + '\0';
  if (format == config::MapFormat::kLmdb) {
    MDB_env* env = nullptr;
    MDB_txn* txn = nullptr;
    MDB_dbi dbi;
    int rc = mdb_env_create(&env);
    if (rc == 0) rc = mdb_env_open(env, file.c_str(), MDB_NOSUBDIR | MDB_NOLOCK | MDB_RDONLY, 0);
    if (rc == 0) rc = mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn);
    if (rc == 0) rc = mdb_dbi_open(txn, nullptr, 0, &dbi);
    std::optional<std::string> found;
    for (const std::string* k : {&with_nul, &key}) {
      if (rc != 0 || found) break;
      MDB_val mk{k->size(), const_cast<char*>(k->data())}, mv;
      int get = mdb_get(txn, dbi, &mk, &mv);
      if (get == 0) found = StripNul(static_cast<const char*>(mv.mv_data), mv.mv_size);
      else if (get != MDB_NOTFOUND) rc = get;
    }
    if (txn != nullptr) mdb_txn_abort(txn);
    if (env != nullptr) mdb_env_close(env);
    if (rc != 0) return absl::DataLossError(absl::StrCat("read ", file, ": ", mdb_strerror(rc)));
    return found;
  }
  DB* db = nullptr;
  int rc = db_create(&db, nullptr, 0);
  if (rc != 0) return absl::InternalError(db_strerror(rc));
  rc = db->open(db, nullptr, file.c_str(), nullptr, DB_UNKNOWN, DB_RDONLY, 0);
  std::optional<std::string> found;
  for (const std::string* k : {&with_nul, &key}) {
    if (rc != 0 || found) break;
    DBT dk, dv;
    std::memset(&dk, 0, sizeof dk);
    std::memset(&dv, 0, sizeof dv);
    dk.data = const_cast<char*>(k->data());
    dk.size = static_cast<u_int32_t>(k->size());
    int get = db->get(db, nullptr, &dk, &dv, 0);
    if (get == 0) found = StripNul(static_cast<const char*>(dv.data), dv.size);
    else if (get != DB_NOTFOUND) rc = get;
  }
  db->close(db, 0);
  if (rc != 0) return absl::DataLossError(absl::StrCat("read ", file, ": ", db_strerror(rc)));
  return found;
}

}  // namespace exact::publish
