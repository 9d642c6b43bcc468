// What the daemon writes: the state file first, then every relay map, all
// from one snapshot of the table; the dump on demand; and, at start, the
// state file read back. Each file goes through a directory opened before
// privileges are dropped. (The socketmap server reads the table itself.)
//
// Thread safety: one thread (the control loop).
#ifndef EXACT_SRC_DAEMON_PUBLISHER_H_
#define EXACT_SRC_DAEMON_PUBLISHER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/base/clock.h"
#include "src/base/files.h"
#include "src/config/exact_conf.h"
#include "src/daemon/privileges.h"
#include "src/ingest/checkpoint_book.h"
#include "src/match/network.h"
#include "src/publish/map_writer.h"
#include "src/table/relay_table.h"
#include "src/table/state_file.h"

namespace exact::daemon {

// The maps, the state file and the dump file, each with its directory.
struct Outputs {
  std::vector<std::unique_ptr<publish::MapWriter>> maps;
  base::Directory state_dir;
  std::string state_name;
  base::Directory dump_dir;
  std::string dump_name;
};

// Prepares every output directory for `account` and opens the writers.
// Call while still privileged.
absl::StatusOr<Outputs> OpenOutputs(const config::Settings& s,
                                    const std::optional<Account>& account,
                                    const match::NetworkSet& statics);

class Publisher {
 public:
  // `table` and `book` must outlive the publisher.
  Publisher(Outputs outputs, table::RelayTable* table, const ingest::CheckpointBook* book);

  // Writes the state file (with the table's revokes) and every map as the
  // table stands at `now`.
  // False if any of them failed (each failure is logged; the previous file
  // stays in place).
  bool Publish(base::UnixSeconds now, const char* why);
  void Dump(base::UnixSeconds now);

  // Reads the state file: restores its live entries (checked as a login
  // would be: unicast, not in `ignore`, living at most `timeout`) and its
  // revokes, and returns its log positions. A torn, corrupt, foreign or unreadable file
  // is reported and set aside; the logs are then replayed from their stamps.
  table::SavedState RestoreState(base::UnixSeconds now, int64_t timeout,
                                 const match::NetworkSet& ignore);
  // When the state file was last written (ns since the epoch), 0 if unknown.
  int64_t StateWrittenNs() const;

  std::string first_map_path() const { return outputs_.maps.front()->path(); }

  // Called with every snapshot published, after the local files (fleet mode
  // queues it for the shared stores; it must not block).
  void SetOnPublished(std::function<void(const table::RelaySnapshot&)> f) {
    on_published_ = std::move(f);
  }

 private:
  void SetStateAside(base::UnixSeconds now);

  Outputs outputs_;
  table::RelayTable* table_;
  const ingest::CheckpointBook* book_;
  std::function<void(const table::RelaySnapshot&)> on_published_;
};

}  // namespace exact::daemon

#endif  // EXACT_SRC_DAEMON_PUBLISHER_H_
