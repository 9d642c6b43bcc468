// exact-servers.conf: one stanza per POP/IMAP server, as in EXACT 1.41:
//
//   <server dovecot>
//       order username,address
//       match pop3-login: Login: user=<([^>]*)>, ...
//   </server>
//
// `match` is a POSIX ERE. Its first group is dropped; the second and third
// are the user name and the client address, in the order `order` gives.
// Thread safety: plain values.
#ifndef EXACT_SRC_CONFIG_SERVERS_CONF_H_
#define EXACT_SRC_CONFIG_SERVERS_CONF_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "src/config/diagnostic.h"
#include "src/config/exact_conf.h"
#include "src/config/posix_ere.h"

namespace exact::config {

struct Stanza {
  std::string name;
  FieldOrder order = FieldOrder::kUserAddress;
  std::string ere;         // The pattern as written.
  std::string pattern;     // Translated for Hyperscan and RE2 (posix_ere.h).
  int groups = 0;
  std::shared_ptr<const std::vector<EreSeq>> ast;  // The parsed pattern.
  SourceLocation location;        // The `<server NAME>` line.
  SourceLocation match_location;  // The first byte of the pattern.

  // 1-based capture group numbers of the user name and the address.
  int user_group() const { return order == FieldOrder::kUserAddress ? 2 : 3; }
  int address_group() const { return order == FieldOrder::kUserAddress ? 3 : 2; }
};

// Parses the stanzas in `text` (the contents of `file_name`), in file order.
// Stanzas with errors are left out and every problem goes to `diags`.
std::vector<Stanza> ParseServersConf(absl::string_view text, const std::string& file_name,
                                     Diagnostics* diags);

// Translates and checks one stanza's pattern; used for stanzas from either
// file. Returns false (with a diagnostic) when it cannot be used.
bool CompileStanzaPattern(Stanza* stanza, Diagnostics* diags);

}  // namespace exact::config

#endif  // EXACT_SRC_CONFIG_SERVERS_CONF_H_
