// The state file: every live entry, written with each publish so that a
// crash, kill or restart loses no relay grant. Text, one entry per line:
//
//   exact-state 1
//   ADDRESS<TAB>EXPIRY<TAB>LAST_LOGIN<TAB>USER
//
// EXPIRY and LAST_LOGIN are Unix seconds; USER is escaped by
// base::Printable, so the file is always one entry per line whatever the
// name held. docs/state-file.md describes the format.
// Thread safety: pure functions.
#ifndef EXACT_SRC_TABLE_STATE_FILE_H_
#define EXACT_SRC_TABLE_STATE_FILE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "src/table/relay_snapshot.h"

namespace exact::table {

std::string EncodeState(const RelaySnapshot& snapshot);

struct DecodedState {
  std::vector<RelayRecord> records;
  int bad_lines = 0;  // Lines that could not be read: skipped, never fatal.
  bool header_ok = false;
};
DecodedState DecodeState(absl::string_view text);

// The SIGUSR1 dump: ADDRESS<TAB>USER<TAB>EXPIRY (YYYY-mm-dd HH:MM:SS).
std::string EncodeDump(const RelaySnapshot& snapshot);

}  // namespace exact::table

#endif  // EXACT_SRC_TABLE_STATE_FILE_H_
