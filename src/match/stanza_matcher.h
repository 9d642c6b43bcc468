// Matches log text against every selected stanza at once.
//
// Hyperscan finds, in one pass over a chunk of many lines, every line that
// any stanza's prefilter (a superset of the stanza) matches; it reports
// pattern ids and end offsets only. The prefilter is a few of the
// stanza's required literals, as the literal plan chooses for the whole set
// (match/literal_plan.h), or else the stanza from its longest literal on. On each such line the
// candidate stanzas are tried in file order — the first that matches wins
// (EXACT 1.41's rule) — by the FastExtractor where the stanza allows, else
// by RE2 (linear time, leftmost-longest, bytes not UTF-8), and the groups
// give the user and the address. Hyperscan never decides; docs/matching.md says why.
//
// Thread safety: a StanzaMatcher is immutable after Create() and may be
// shared by any number of threads, each with its own Scratch.
#ifndef EXACT_SRC_MATCH_STANZA_MATCHER_H_
#define EXACT_SRC_MATCH_STANZA_MATCHER_H_

#include <hs.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "re2/re2.h"
#include "src/config/diagnostic.h"
#include "src/config/servers_conf.h"
#include "src/match/fast_extractor.h"
#include "src/match/ip_address.h"
#include "src/match/log_header.h"

namespace exact::match {

// User names longer than this are cut: nothing legitimate is longer, and the
// name is only ever logged and dumped.
inline constexpr size_t kMaxUserBytes = 256;
// A candidate line longer than this is skipped and counted, however it
// arrived (the reader drops longer lines only when they span reads).
inline constexpr size_t kMaxLineBytes = 64 * 1024;

// What a Login record is. A two-line server's lines come out as halves that
// match::SessionPairer joins, in line order, after the scan.
enum class LoginKind : uint8_t {
  kLogin,           // A whole login: user and address.
  kSessionAddress,  // Two-line server: the address line (no user yet).
  kSessionReset,    // Two-line server: an address line whose address is bad.
  kSessionUser,     // Two-line server: the success line (no address).
};

struct Login {
  IpAddress address;
  std::string user;
  LoginKind kind = LoginKind::kLogin;
  std::string session_key;   // Two-line halves: stanza, host, tag and pid.
  uint32_t stanza = 0;       // Index into the matcher's stanzas.
  uint32_t line_offset = 0;  // Where the line starts in the scanned chunk.
  uint32_t line_size = 0;    // Its length, without newline or trailing CR.
};

// Per-scan tallies; the caller sums them.
struct ScanCounts {
  uint64_t lines = 0;             // Newline-terminated lines (plus a final unterminated one).
  uint64_t candidates = 0;        // Lines Hyperscan flagged.
  uint64_t logins = 0;            // Lines that produced a Login.
  uint64_t bad_address = 0;       // Matched, but the address failed validation.
  uint64_t binary = 0;            // Candidate lines holding NUL bytes: skipped.
  uint64_t oversized = 0;         // Candidate lines over kMaxLineBytes: skipped.
  uint64_t unconfirmed = 0;       // Flagged by Hyperscan, matched by no stanza.
  uint64_t fast_extractions = 0;  // Logins read by the FastExtractor, not RE2.
  uint64_t untrusted = 0;         // A stanza's pattern matched the message, but under a
                                  // program tag it does not trust: not a login.

  ScanCounts& operator+=(const ScanCounts& o);
};

class StanzaMatcher {
 public:
  // Per-thread working memory (a Hyperscan scratch and event buffers).
  class Scratch {
   public:
    ~Scratch();
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;

   private:
    friend class StanzaMatcher;
    Scratch() = default;
    hs_scratch_t* hs = nullptr;
    std::vector<std::pair<uint64_t, uint32_t>> events;  // (end offset, stanza)
    std::vector<uint32_t> candidates;                   // Stanzas that flagged the current line.
  };

  // Compiles `stanzas` (already translated by config). Pattern problems are
  // reported at the stanza's `match` location in `diags`; the result is then
  // InvalidArgument.
  static absl::StatusOr<std::unique_ptr<StanzaMatcher>> Create(std::vector<config::Stanza> stanzas,
                                                               config::Diagnostics* diags);

  ~StanzaMatcher();
  StanzaMatcher(const StanzaMatcher&) = delete;
  StanzaMatcher& operator=(const StanzaMatcher&) = delete;

  // A scratch for this matcher only (its Hyperscan scratch is sized for
  // this database); ResourceExhausted if Hyperscan cannot allocate one.
  absl::StatusOr<std::unique_ptr<Scratch>> NewScratch() const;

  // Scans `chunk`, a run of whole lines ('\n'-separated; the last may lack
  // its newline). Appends the logins found, in line order, to `out`, and
  // adds to `counts`. If Hyperscan fails (a scratch made for another
  // matcher, one in use by another thread, no memory), returns Internal and
  // leaves `out` and `counts` untouched, so the caller may retry the chunk.
  absl::Status Scan(absl::string_view chunk, Scratch* scratch, std::vector<Login>* out,
                    ScanCounts* counts) const;

  // Unique to this matcher in the process (never 0): what a cache of
  // scratches is keyed by, since after a reload a new matcher may reuse a
  // freed one's address.
  uint64_t generation() const { return generation_; }

  const std::vector<config::Stanza>& stanzas() const { return stanzas_; }
  // What Hyperscan scans for on behalf of stanza `i`: literals (as text) or
  // one pattern (in Hyperscan's syntax).
  struct Prefilter {
    bool literals = false;
    std::vector<std::string> patterns;
  };
  const Prefilter& prefilter(size_t i) const { return prefilters_[i]; }

  // The header parser the stanzas with `program` read tags and messages
  // with (UTC: the matcher needs no time from it).
  const HeaderParser& header_parser() const { return headers_; }

 private:
  StanzaMatcher() : headers_(absl::UTCTimeZone()) {}

  // One Hyperscan id: a stanza's `match` pattern (ids 0..n-1, the stanza's
  // index) or a two-line stanza's `session` pattern (ids n and up).
  struct Rule {
    uint32_t stanza = 0;
    bool session = false;
  };

  // Tries the candidate stanzas, in order, on one line.
  void MatchLine(absl::string_view line, uint32_t line_offset,
                 const std::vector<uint32_t>& candidates, int64_t now_us, std::vector<Login>* out,
                 ScanCounts* counts) const;

  std::vector<config::Stanza> stanzas_;
  std::vector<Rule> rules_;  // By rule id; extractors_, fast_ likewise.
  HeaderParser headers_;
  std::vector<std::unique_ptr<RE2>> extractors_;
  std::vector<std::unique_ptr<FastExtractor>> fast_;  // nullptr: RE2 only.
  std::vector<Prefilter> prefilters_;                 // By rule.
  // By Hyperscan expression id: the rules it flags (several share a literal).
  std::vector<std::vector<uint32_t>> expression_rules_;
  hs_database_t* database_ = nullptr;
  hs_scratch_t* prototype_ = nullptr;
  uint64_t generation_ = 0;
};

}  // namespace exact::match

#endif  // EXACT_SRC_MATCH_STANZA_MATCHER_H_
