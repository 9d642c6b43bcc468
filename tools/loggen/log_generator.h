// A deterministic generator of realistic mixed mail logs, for tests and
// benchmarks: Postfix traffic as noise, successful and failed logins of
// several POP/IMAP servers (Dovecot, UW-IMAP, Courier, Cyrus, Qpopper),
// look-alike and injection lines that must not count, and IPv6 clients.
// The same seed and options always give the same bytes, and the generator
// keeps the known answer: which address last logged in as which user.
// Thread safety: not shared; one generator per thread.
#ifndef EXACT_TOOLS_LOGGEN_LOG_GENERATOR_H_
#define EXACT_TOOLS_LOGGEN_LOG_GENERATOR_H_

#include <cstdint>
#include <map>
#include <string>

namespace exact::loggen {

struct GeneratorOptions {
  uint64_t seed = 1;
  double login_share = 0.05;    // Share of lines that are successful logins.
  double failure_share = 0.02;  // Failed logins and injection look-alikes.
  uint64_t unique_addresses = 10000;
  double ipv6_share = 0.1;  // Share of client addresses that are IPv6.
};

class LogGenerator {
 public:
  explicit LogGenerator(const GeneratorOptions& options);

  // Appends one line, with its newline.
  void AppendLine(std::string* out);
  // Appends lines until `out` holds at least `bytes` bytes.
  void AppendBytes(std::string* out, uint64_t bytes);

  uint64_t lines() const { return lines_; }
  uint64_t logins() const { return logins_; }
  // Every address with a successful login → the user of its last login,
  // keyed by canonical address text. Kept only when track_answer is set.
  const std::map<std::string, std::string>& answer() const { return answer_; }
  void set_track_answer(bool on) { track_answer_ = on; }

 private:
  uint64_t Next();
  double Uniform();
  std::string Address(uint64_t index) const;
  std::string Timestamp();

  GeneratorOptions options_;
  uint64_t state_;
  uint64_t clock_ = 0;
  uint64_t lines_ = 0;
  uint64_t logins_ = 0;
  bool track_answer_ = false;
  std::map<std::string, std::string> answer_;
};

}  // namespace exact::loggen

#endif  // EXACT_TOOLS_LOGGEN_LOG_GENERATOR_H_
