// Fuzzes RenderJournalLine, the one place journal entry data becomes text
// for the matcher: whatever bytes MESSAGE, SYSLOG_IDENTIFIER, _HOSTNAME and
// _PID hold, the result must be one line with the syslog header intact.
// Input: 8 bytes of time stamp, three length bytes (host, tag, pid; each
// doubled, so the 255-byte cut is reached), a repeat count for the message,
// then the fields' bytes; what is left is the message.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"
#include "fuzz/fuzz_target.h"
#include "src/ingest/journal_source.h"

namespace {

using exact::ingest::kMaxJournalLineBytes;

void Check(bool ok) {
  if (!ok) std::abort();
}

// A header field as rendered: not empty, at most 255 bytes, no byte that
// could end it early.
void CheckField(absl::string_view field, bool tag_like) {
  Check(!field.empty() && field.size() <= 255);
  for (char c : field) {
    const auto u = static_cast<unsigned char>(c);
    Check(u > 0x20 && u != 0x7f);
    if (tag_like) Check(c != '[' && c != ']' && c != ':');
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 12) return 0;
  int64_t realtime;
  std::memcpy(&realtime, data, sizeof realtime);
  absl::string_view rest(reinterpret_cast<const char*>(data) + 12, size - 12);
  absl::string_view parts[3];
  for (int i = 0; i < 3; ++i) {
    parts[i] = rest.substr(0, 2 * size_t{data[8 + i]});
    rest.remove_prefix(parts[i].size());
  }
  std::string message;
  for (int i = 0; i <= data[11] % 4; ++i) message.append(rest.data(), rest.size());
  // Repeated inputs reach the line limit (64 KiB) without huge corpora.
  if (data[11] >= 0x80) {
    while (!message.empty() && message.size() <= kMaxJournalLineBytes) message += message;
  }
  const absl::string_view host = parts[0], tag = parts[1], pid = parts[2];

  std::string line;
  const bool cut = exact::ingest::AppendJournalLine(&line, realtime, host, tag, pid, message);
  Check(line == exact::ingest::RenderJournalLine(realtime, host, tag, pid, message));
  // One line, within the limit, with no byte a line reader would stop at.
  Check(!line.empty() && line.back() == '\n' && line.size() - 1 <= kMaxJournalLineBytes);
  Check(line.find('\n') == line.size() - 1);
  Check(line.find('\r') == std::string::npos);
  Check(line.find('\0') == std::string::npos);

  // "TIME HOST TAG[PID]: MESSAGE": the fields have no space and TAG and PID
  // no ':', so the first ": " after HOST ends the header.
  absl::string_view rendered(line.data(), line.size() - 1);
  const size_t time_end = rendered.find(' ');
  Check(time_end != absl::string_view::npos);
  const absl::string_view time = rendered.substr(0, time_end);
  Check(time.size() >= 32 && time.substr(time.size() - 6) == "+00:00" &&
        time[time.size() - 22] == 'T');
  rendered.remove_prefix(time_end + 1);
  const size_t host_end = rendered.find(' ');
  Check(host_end != absl::string_view::npos);
  CheckField(rendered.substr(0, host_end), false);
  rendered.remove_prefix(host_end + 1);
  const size_t header_end = rendered.find(": ");
  Check(header_end != absl::string_view::npos);
  absl::string_view rendered_tag = rendered.substr(0, header_end);
  if (!pid.empty()) {
    const size_t open = rendered_tag.find('[');
    Check(open != absl::string_view::npos && rendered_tag.back() == ']');
    CheckField(rendered_tag.substr(open + 1, rendered_tag.size() - open - 2), true);
    rendered_tag = rendered_tag.substr(0, open);
  }
  CheckField(rendered_tag, true);

  // The message: a prefix of the original, byte for byte but for the three
  // line breakers, cut only when it had to be.
  const absl::string_view body = rendered.substr(header_end + 2);
  Check(body.size() <= message.size());
  Check(cut == (body.size() < message.size()));
  if (cut) Check(line.size() - 1 == kMaxJournalLineBytes);
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = message[i];
    Check(body[i] == ((c == '\n' || c == '\r' || c == '\0') ? ' ' : c));
  }
  return 0;
}
