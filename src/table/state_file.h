// The state file: every live entry and every log's checkpoint, written as
// one file with each publish, so that a crash, kill or restart loses no
// relay grant and no line: the checkpoint never claims a line the entries
// do not hold. Text, one item per line:
//
//   exact-state 2
//   log<TAB>INDEX<TAB>DEV<TAB>INO<TAB>OFFSET<TAB>HEADLEN<TAB>HEADCRC<TAB>PATH
//   journal<TAB>CURSOR
//   revoke<TAB>ADDRESS<TAB>REVOKED_AT<TAB>HOLD_UNTIL
//   ADDRESS<TAB>EXPIRY<TAB>LAST_LOGIN<TAB>USER
//   end<TAB>ENTRIES<TAB>CRC32
//
// EXPIRY and LAST_LOGIN are Unix seconds; USER, PATH and CURSOR are escaped
// by base::Printable, so the file is always one item per line whatever they
// held. The `end` line carries the number of entries and the CRC-32 (hex)
// of every byte before it: a torn or altered file fails it and is not used.
// A `revoke` line (exactctl remove, see relay_table.h) is not an entry and
// is not counted in ENTRIES; version 2 files written before revokes existed
// simply have none. Version 1 files (no checkpoint, no checksum) are still
// read.
// docs/state-file.md describes the format. Thread safety: pure functions.
#ifndef EXACT_SRC_TABLE_STATE_FILE_H_
#define EXACT_SRC_TABLE_STATE_FILE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "src/base/log_position.h"
#include "src/table/relay_snapshot.h"

namespace exact::table {

// A revoke held in the state file (relay_table.h's RelayTable::Revoke).
struct SavedRevoke {
  IpAddress address;
  UnixSeconds at = 0;
  UnixSeconds hold_until = 0;
};

struct SavedState {
  std::vector<base::LogPosition> logs;
  std::string journal_cursor;  // "" when there is none.
  std::vector<SavedRevoke> revokes;
};

std::string EncodeState(const RelaySnapshot& snapshot, const SavedState& positions = {});

struct DecodedState {
  enum class Verdict {
    kOk,       // Version 2, checksum good.
    kLegacy,   // Version 1: entries only, no checksum.
    kForeign,  // Not an exact state file (or a future version).
    kCorrupt,  // Torn or altered: the checksum or the entry count fails.
  };
  Verdict verdict = Verdict::kForeign;
  std::vector<RelayRecord> records;
  SavedState positions;
  int bad_lines = 0;       // Lines that could not be read (version 1: skipped).
  bool header_ok = false;  // A version this build reads.
};
// A kCorrupt or kForeign result carries no records and no positions.
DecodedState DecodeState(absl::string_view text);

const char* VerdictName(DecodedState::Verdict verdict);

// The SIGUSR1 dump: ADDRESS<TAB>USER<TAB>EXPIRY (YYYY-mm-dd HH:MM:SS).
std::string EncodeDump(const RelaySnapshot& snapshot);

}  // namespace exact::table

#endif  // EXACT_SRC_TABLE_STATE_FILE_H_
