// The map-build helpers: SortedItems orders keys as memcmp (LMDB's order)
// and keeps the first of equal keys; FormatKey/FormatValue spell exactly
// what IpAddress::ToString and MapValue spell.
#include "src/publish/sorted_items.h"

#include <algorithm>
#include <array>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "src/publish/map_writer.h"

namespace exact::publish {
namespace {

TEST(SortedItems, SortsLikeMemcmpAndKeepsTheFirstOfEqualKeys) {
  std::mt19937 rng(7);
  std::vector<std::pair<std::string, std::string>> want;
  SortedItems items;
  for (int i = 0; i < 5000; ++i) {
    // Short keys over a tiny alphabet: many shared prefixes and duplicates,
    // some longer than the 8-byte prefix, some with bytes above 0x7f.
    std::string key(rng() % 12 + 1, 'a');
    for (char& c : key) c = "ab.\xe9"[rng() % 4];
    std::string value = std::to_string(i);
    items.Add(key, value);
    if (std::none_of(want.begin(), want.end(), [&](const auto& kv) { return kv.first == key; })) {
      want.emplace_back(key, value);
    }
  }
  std::sort(want.begin(), want.end(), [](const auto& a, const auto& b) {
    return std::lexicographical_compare(
        a.first.begin(), a.first.end(), b.first.begin(), b.first.end(), [](char x, char y) {
          return static_cast<unsigned char>(x) < static_cast<unsigned char>(y);
        });
  });
  items.SortAndDedupe();
  ASSERT_EQ(items.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(items.key(i), want[i].first) << i;
    EXPECT_EQ(items.value(i), want[i].second) << i;
  }
}

TEST(FormatKey, SpellsWhatToStringSpells) {
  std::mt19937 rng(11);
  char text[kMaxKeyText + 1];
  for (int i = 0; i < 20000; ++i) {
    std::array<uint8_t, 16> bytes{};
    if (i % 2 == 0) {
      bytes[10] = bytes[11] = 0xff;  // IPv4, every octet width.
      for (size_t b = 12; b < 16; ++b) {
        bytes[b] = static_cast<uint8_t>(rng() % (i % 3 ? 256 : 12));
      }
    } else {
      for (auto& b : bytes) b = rng() % 4 ? 0 : static_cast<uint8_t>(rng());  // Zero runs.
    }
    match::IpAddress a = match::IpAddress::FromBytes(bytes);
    EXPECT_EQ(std::string(text, FormatKey(a, text)), a.ToString());
  }
  char value[kMaxValueText];
  EXPECT_EQ(std::string(value, FormatValue(1763800000, value)), "1763800000");
  EXPECT_EQ(MapValue(1763800000), "1763800000");
}

}  // namespace
}  // namespace exact::publish
