// A relay map file in one format, replaced atomically as a whole: the new
// contents go to a temp file in the map's directory, which is fsynced,
// renamed over the map, and the directory fsynced. A reader (an MTA, a
// crash, a kill) sees the old map or the new one, never a mix or nothing.
//
// Thread safety: one thread publishes (the daemon's control thread); a
// MapWriter is not safe for concurrent Write() calls.
#ifndef EXACT_SRC_PUBLISH_MAP_WRITER_H_
#define EXACT_SRC_PUBLISH_MAP_WRITER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/base/files.h"
#include "src/config/exact_conf.h"
#include "src/match/network.h"
#include "src/table/relay_snapshot.h"

namespace exact::publish {

using table::RecordView;
using table::RelaySnapshot;
using table::UnixSeconds;

class MapWriter {
 public:
  virtual ~MapWriter() = default;

  // Replaces the map with exactly the addresses of `snapshot` (all live).
  virtual absl::Status Write(const table::RelaySnapshot& snapshot) = 0;

  // The file the MTA reads, for messages.
  virtual std::string path() const = 0;

  // Networks written into every version of the map (`static`), each under
  // its Postfix key, or, in the Exim formats, its Exim host key. The caller
  // has checked that each can be written (CheckStaticNetworks).
  void set_static_networks(std::vector<match::Network> networks) {
    static_networks_ = std::move(networks);
  }

 protected:
  // (key, value) for each static network in `format`'s key form.
  std::vector<std::pair<std::string, std::string>> StaticEntries(config::MapFormat format) const;

 private:
  std::vector<match::Network> static_networks_;
};

// The Postfix key of an address (IpAddress::ToString) and the map value of
// a record (MapValue), written into `out` without allocating; they return
// the length. For map builds of a million keys.
inline constexpr size_t kMaxKeyText = 39;    // "ffff:...:ffff"
inline constexpr size_t kMaxValueText = 20;  // An int64.
size_t FormatKey(const match::IpAddress& address, char* out);
size_t FormatValue(UnixSeconds expiry, char* out);

// Checks that every `static` network can be written in every format in
// `formats`, reporting each one that cannot at its location.
void CheckStaticNetworks(const config::Settings& settings, const match::NetworkSet& statics,
                         config::Diagnostics* diags);

struct MapTarget {
  config::MapFormat format;
  std::string name;  // The map name as the MTA's `type:name` says it.
  // Text format only: 1.41's `authtemp`, here the prefix of the random temp
  // names (same directory; "": NAME.tmp).
  std::string temp_name;
  mode_t mode = 0640;
  gid_t group = static_cast<gid_t>(-1);  // -1: the process's group.
  base::FileSystem* fs = nullptr;        // nullptr: the real one. Tests inject faults.
};

// The file a map of `format` named `name` lives in: `name` for text,
// `name.db` (Postfix hash:, Exim dbm), `name.lmdb` (Postfix lmdb:),
// `name.cdb` (Postfix cdb:), `name.exim` (Exim net-lsearch) and
// `name.exim.cdb` (Exim net-cdb).
std::string MapFileName(config::MapFormat format, const std::string& name);

// Opens the directory of `target` now, so the writer keeps working after a
// privilege drop, and removes the temps an interrupted publish left there
// (names base::Directory::CreateTemp gives). Creates the directory (mode
// 0750) when missing.
//
// Every Write() publishes through base::Directory's protocol: an exclusive
// temp under a random name, fsync, rename, fsync of the directory. On any
// error the published map is untouched (but for a failed fsync of the
// directory after the rename: then the new map is already in place, whole)
// and the error names the step and the file; the next Write() starts over.
absl::StatusOr<std::unique_ptr<MapWriter>> OpenMapWriter(const MapTarget& target);

// Where and how a writer creates its files.
struct MapFile {
  base::Directory dir;
  std::string name;  // The final file, in dir.
  mode_t mode = 0640;
  gid_t group = static_cast<gid_t>(-1);
};

std::unique_ptr<MapWriter> NewTextMapWriter(MapFile file, std::string temp_prefix,
                                            config::MapFormat keys = config::MapFormat::kText);
std::unique_ptr<MapWriter> NewLmdbMapWriter(MapFile file);
std::unique_ptr<MapWriter> NewBdbMapWriter(MapFile file);
std::unique_ptr<MapWriter> NewCdbMapWriter(MapFile file,
                                           config::MapFormat keys = config::MapFormat::kCdb);

// The key under which `format` stores `address`: Exim's dotted form for the
// Exim formats, the canonical form (what Postfix and Sendmail look up)
// otherwise.
std::string MapKey(config::MapFormat format, const match::IpAddress& address);

// The value written for each key in the keyed formats: the expiry in Unix
// seconds. Postfix's access(5) treats an all-numeric result as OK.
std::string MapValue(UnixSeconds expiry);

}  // namespace exact::publish

#endif  // EXACT_SRC_PUBLISH_MAP_WRITER_H_
