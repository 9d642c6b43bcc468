// exactctl's wire protocol.
#include "src/control/protocol.h"

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "src/base/log.h"

namespace exact::control {
namespace {

constexpr absl::string_view kGreeting = "exactctl";
constexpr size_t kMaxWordBytes = 255;
constexpr size_t kMaxHeadBytes = 64;  // "exactctl 1 CODE LENGTH\n", generously.

}  // namespace

bool IsWord(absl::string_view word) {
  if (word.empty() || word.size() > kMaxWordBytes) return false;
  for (char c : word) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

absl::StatusOr<std::string> EncodeRequest(const Request& request) {
  if (request.args.size() > kMaxArgs) {
    return absl::InvalidArgumentError(absl::StrCat("more than ", kMaxArgs, " arguments"));
  }
  std::string out = absl::StrCat(kGreeting, " ", kProtocolVersion);
  std::vector<const std::string*> words = {&request.command};
  for (const std::string& a : request.args) words.push_back(&a);
  for (const std::string* w : words) {
    if (!IsWord(*w)) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", base::Printable(*w, 64),
                       "\" is not a word: 1 to 255 printable characters, no space"));
    }
    absl::StrAppend(&out, " ", *w);
  }
  out.push_back('\n');
  if (out.size() > kMaxRequestBytes) return absl::InvalidArgumentError("request too long");
  return out;
}

absl::StatusOr<Request> ParseRequest(absl::string_view line) {
  if (line.size() > kMaxRequestBytes) return absl::InvalidArgumentError("request too long");
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  std::vector<absl::string_view> words = absl::StrSplit(line, ' ');
  if (words.size() < 2 || words[0] != kGreeting) {
    return absl::InvalidArgumentError("not an exactctl request");
  }
  int version = 0;
  if (!absl::SimpleAtoi(words[1], &version) || words[1] != absl::StrCat(version)) {
    return absl::InvalidArgumentError("not an exactctl request (no version)");
  }
  if (version != kProtocolVersion) {
    return absl::InvalidArgumentError(absl::StrCat("protocol version ", version,
                                                   " is not spoken here (this exact speaks ",
                                                   kProtocolVersion, ")"));
  }
  if (words.size() < 3) return absl::InvalidArgumentError("no command");
  if (words.size() - 3 > kMaxArgs) {
    return absl::InvalidArgumentError(absl::StrCat("more than ", kMaxArgs, " arguments"));
  }
  Request r;
  for (size_t i = 2; i < words.size(); ++i) {
    if (!IsWord(words[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("word ", i - 1, " is not 1 to 255 printable characters without space"));
    }
    if (i == 2) {
      r.command = std::string(words[i]);
    } else {
      r.args.emplace_back(words[i]);
    }
  }
  return r;
}

std::string EncodeResponse(const Response& response) {
  return absl::StrCat(kGreeting, " ", kProtocolVersion, " ", response.code, " ",
                      response.body.size(), "\n", response.body);
}

absl::StatusOr<std::optional<Response>> ParseResponse(absl::string_view bytes) {
  const size_t nl = bytes.find('\n');
  if (nl == absl::string_view::npos) {
    if (bytes.size() > kMaxHeadBytes) return absl::InvalidArgumentError("response head too long");
    return std::nullopt;
  }
  if (nl > kMaxHeadBytes) return absl::InvalidArgumentError("response head too long");
  std::vector<absl::string_view> words = absl::StrSplit(bytes.substr(0, nl), ' ');
  int version = 0, code = 0;
  size_t length = 0;
  if (words.size() != 4 || words[0] != kGreeting || !absl::SimpleAtoi(words[1], &version) ||
      !absl::SimpleAtoi(words[2], &code) || !absl::SimpleAtoi(words[3], &length) ||
      words[3] != absl::StrCat(length) || code < 0 || code > 255) {
    return absl::InvalidArgumentError("not an exactctl response");
  }
  if (version != kProtocolVersion) {
    return absl::InvalidArgumentError(absl::StrCat("exact answered in protocol version ", version,
                                                   "; this exactctl speaks ", kProtocolVersion));
  }
  if (length > kMaxResponseBodyBytes) return absl::InvalidArgumentError("response too long");
  const absl::string_view rest = bytes.substr(nl + 1);
  if (rest.size() < length) return std::nullopt;
  if (rest.size() > length) return absl::InvalidArgumentError("bytes after the response");
  return Response{code, std::string(rest)};
}

}  // namespace exact::control
