// exact-servers.conf: one stanza per POP/IMAP server, as in EXACT 1.41:
//
//   <server dovecot>
//       order username,address
//       match pop3-login: Login: user=<([^>]*)>, ...
//   </server>
//
// `match` is a POSIX ERE. Its first group is dropped; the second and third
// are the user name and the client address, in the order `order` gives.
//
// A stanza that names the program tags it trusts (`program dovecot
// imap-login`) matches its pattern against the message only, after the
// header that match/log_header.h parses, and only on lines logged under
// one of those tags. A stanza without `program` is 1.41's whole-line form:
// it loads, with a warning (it can be fooled by text inside another
// program's line) unless it says `legacy`. A two-line stanza adds
// `session`: docs/exact-servers.conf.md describes both.
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
  std::string ere;      // The pattern as written.
  std::string pattern;  // Translated for Hyperscan and RE2 (posix_ere.h).
  int groups = 0;
  std::shared_ptr<const std::vector<EreSeq>> ast;  // The parsed pattern.
  SourceLocation location;                         // The `<server NAME>` line.
  SourceLocation match_location;                   // The first byte of the pattern.

  // `program`: the tags whose messages the stanza reads. An entry may start
  // or end with '*' ("*/imap", "perdition*"); "@nginx" and "@zimbra" name
  // those servers' own log formats, which carry no tag. Empty: whole-line.
  std::vector<std::string> programs;
  bool legacy = false;  // `legacy`: whole-line on purpose; no warning.
  bool opt_in = false;  // `optin`: `server all` leaves it out; only naming it selects it.

  // `session` (two-line servers, popa3d): a line under the same tag, host
  // and pid that gives the address (its group 1); the `match` line then
  // gives only the user (its group 1), and `order` is not used.
  std::string session_ere;
  std::string session_pattern;
  std::shared_ptr<const std::vector<EreSeq>> session_ast;
  int session_groups = 0;
  SourceLocation session_location;

  bool reads_message() const { return !programs.empty(); }
  bool two_line() const { return !session_ere.empty(); }
  // Whether `tag` (or, for the own-log forms, `form_name` "nginx"/"zimbra")
  // is one the stanza trusts.
  bool TrustsProgram(absl::string_view tag, absl::string_view form_name) const;

  // 1-based capture group numbers of the user name and the address.
  int user_group() const {
    if (two_line()) return 1;
    return order == FieldOrder::kUserAddress ? 2 : 3;
  }
  int address_group() const { return order == FieldOrder::kUserAddress ? 3 : 2; }
};

// Parses the stanzas in `text` (the contents of `file_name`), in file order.
// Stanzas with errors are left out and every problem goes to `diags`.
std::vector<Stanza> ParseServersConf(absl::string_view text, const std::string& file_name,
                                     Diagnostics* diags);

// Translates and checks one stanza's pattern; used for stanzas from either
// file. Returns false (with a diagnostic) when it cannot be used.
bool CompileStanzaPattern(Stanza* stanza, Diagnostics* diags);

// The warning for a stanza that reads whole lines without saying `legacy`,
// or "" when it needs none.
std::string UnanchoredStanzaWarning(const Stanza& stanza);

}  // namespace exact::config

#endif  // EXACT_SRC_CONFIG_SERVERS_CONF_H_
