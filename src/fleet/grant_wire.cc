#include "src/fleet/grant_wire.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace exact::fleet {
namespace {

// Expiries beyond this are not a grant anyone wrote (year 2286).
constexpr UnixSeconds kLatestExpiry = 9999999999;

bool AllDigits(absl::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isdigit(c); });
}

}  // namespace

std::string StoreKey(absl::string_view prefix, const IpAddress& address) {
  return absl::StrCat(prefix, address.ToString());
}

int64_t TimeToLive(UnixSeconds expiry, UnixSeconds now) {
  return std::max<int64_t>(1, expiry - now);
}

std::vector<std::pair<std::string, std::string>> StreamFields(const Grant& grant) {
  return {{"a", grant.address.ToString()}, {"e", absl::StrCat(grant.expiry)}};
}

absl::StatusOr<Grant> ParseStreamFields(
    const std::vector<std::pair<absl::string_view, absl::string_view>>& fields) {
  std::optional<IpAddress> address;
  std::optional<UnixSeconds> expiry;
  for (const auto& [name, value] : fields) {
    if (name == "a") {
      if (address) return absl::InvalidArgumentError("stream entry: field \"a\" repeated");
      address = IpAddress::Parse(value);
      if (!address || !address->IsUnicast()) {
        return absl::InvalidArgumentError("stream entry: \"a\" is not a unicast address");
      }
    } else if (name == "e") {
      if (expiry) return absl::InvalidArgumentError("stream entry: field \"e\" repeated");
      int64_t e;
      if (!AllDigits(value) || value.size() > 10 || !absl::SimpleAtoi(value, &e) ||
          e > kLatestExpiry) {
        return absl::InvalidArgumentError("stream entry: \"e\" is not an expiry in seconds");
      }
      expiry = e;
    }
  }
  if (!address || !expiry)
    return absl::InvalidArgumentError("stream entry: \"a\" or \"e\" missing");
  return Grant{*address, *expiry};
}

bool IsStreamId(absl::string_view id) {
  size_t dash = id.find('-');
  if (dash == absl::string_view::npos) return false;
  absl::string_view ms = id.substr(0, dash), seq = id.substr(dash + 1);
  return AllDigits(ms) && AllDigits(seq) && ms.size() <= 20 && seq.size() <= 20;
}

}  // namespace exact::fleet
