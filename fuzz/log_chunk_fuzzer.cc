// Fuzzes the matcher with the bundled stanzas over arbitrary chunks (binary,
// huge lines, no newlines): never crashes, every login is a valid unicast
// address inside the chunk, and lines are counted exactly.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "fuzz/fuzz_target.h"
#include "src/base/files.h"
#include "src/config/servers_conf.h"
#include "src/match/stanza_matcher.h"

namespace {

const exact::match::StanzaMatcher& Matcher() {
  static const exact::match::StanzaMatcher* matcher = [] {
    auto text =
        exact::base::ReadFileToString(std::string(EXACT_SOURCE_DIR) + "/conf/exact-servers.conf");
    if (!text.ok()) std::abort();
    exact::config::Diagnostics d;
    auto stanzas = exact::config::ParseServersConf(*text, "exact-servers.conf", &d);
    auto m = exact::match::StanzaMatcher::Create(stanzas, &d);
    if (!m.ok()) std::abort();
    return m->release();
  }();
  return *matcher;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto& m = Matcher();
  static auto* scratch = m.NewScratch().release();
  std::string chunk(reinterpret_cast<const char*>(data), size);
  std::vector<exact::match::Login> logins;
  exact::match::ScanCounts counts;
  m.Scan(chunk, scratch, &logins, &counts);
  uint64_t newlines = static_cast<uint64_t>(std::count(chunk.begin(), chunk.end(), '\n'));
  uint64_t expect = newlines + (!chunk.empty() && chunk.back() != '\n' ? 1 : 0);
  if (counts.lines != expect) std::abort();
  for (const auto& l : logins) {
    if (!l.address.IsUnicast() || l.line_offset >= size) std::abort();
    if (l.user.size() > exact::match::kMaxUserBytes) std::abort();
  }
  if (counts.logins != logins.size()) std::abort();
  return 0;
}
