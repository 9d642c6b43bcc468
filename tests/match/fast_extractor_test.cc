// The deterministic extractor against RE2 in POSIX longest-match mode (the
// extractor it stands in for), on lines built to reach every instruction
// kind, and the byte searches its walk uses against plain loops.
#include "src/match/fast_extractor.h"

#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "re2/re2.h"
#include "src/config/posix_ere.h"
#include "src/match/byte_search.h"

namespace exact::match {
namespace {

struct Compiled {
  std::unique_ptr<FastExtractor> fast;
  std::unique_ptr<RE2> re2;
  int groups = 0;
};

Compiled Compile(const std::string& ere) {
  config::EreTranslation t = config::TranslatePosixEre(ere);
  EXPECT_TRUE(t.ok) << ere << ": " << t.error;
  Compiled c;
  if (!t.ok) return c;
  c.fast = FastExtractor::Create(*t.ast, t.groups);
  RE2::Options options;
  options.set_longest_match(true);
  options.set_encoding(RE2::Options::EncodingLatin1);
  c.re2 = std::make_unique<RE2>(t.pattern, options);
  c.groups = t.groups;
  return c;
}

// kOk must give RE2's groups; kNoParse must mean RE2 finds no match.
void ExpectAgreesWithRe2(const Compiled& c, const std::string& line) {
  std::array<absl::string_view, 4> groups;
  const FastExtractor::Result result = c.fast->Extract(line, &groups);
  re2::StringPiece re_groups[4];
  const bool re_match =
      c.re2->Match(line, 0, line.size(), RE2::UNANCHORED, re_groups, std::min(4, c.groups + 1));
  if (result == FastExtractor::Result::kAmbiguous) return;  // RE2 decides those.
  ASSERT_EQ(result == FastExtractor::Result::kOk, re_match) << line;
  if (!re_match) return;
  for (int g = 1; g <= std::min(3, c.groups); ++g) {
    EXPECT_EQ(groups[static_cast<size_t>(g)].data() == nullptr, re_groups[g].data() == nullptr)
        << "group " << g << " of " << line;
    EXPECT_EQ(std::string(groups[static_cast<size_t>(g)]),
              std::string(re_groups[g].data(), re_groups[g].size()))
        << "group " << g << " of " << line;
  }
}

TEST(FastExtractor, AgreesWithRe2OnLinesNearEachPattern) {
  // Runs that end at a stop byte (`[^ ]+`, `[^]>]*`), fixed-width runs of
  // sets and short literals, long literals, optional groups and
  // alternatives that share first bytes, and an end anchor.
  const std::vector<std::string> patterns = {
      "^[A-Z][a-z][a-z] +[0-9]{1,2} [0-9]{2}:[0-9]{2} ([^ ]+) login user=<([^>]*)> rip=([0-9.]+)",
      "^(?:x|xy)(?: [^ ]+ host)? (imapd|imapd-ssl|pop3d)(?:\\[[0-9]+\\])?: ([^,]*), "
      "ip=\\[([^]]+)\\]$",
      "^([^ ]*) ([^ /]*/)?(?:imap|imaps|imapd) ok ([^\"]*)\"",
  };
  // Pieces each pattern's lines are assembled from, short and long enough
  // to put stop bytes before, at and past a 16-byte block.
  const std::vector<std::string> pieces = {
      "Nov",
      " ",
      "  ",
      "3",
      "30",
      " 01:16",
      " 01:16 ",
      "mail1",
      "mail1 ",
      "login user=<",
      "bob>",
      " rip=",
      "192.0.2.1",
      "x",
      "xy",
      " h host",
      " imapd",
      "imapd-ssl",
      " pop3d",
      "[12]",
      ": ",
      "alice",
      ", ip=[",
      "2001:db8::1",
      "]",
      "averyveryverylonghostnamewithoutspaces",
      "/",
      "a/b/",
      " ok ",
      "\"",
      "imaps",
      ">",
      std::string(1, '\0'),
      "\xff",
      "Login",
  };
  std::mt19937 rng(7);
  int ok = 0;
  for (const std::string& pattern : patterns) {
    Compiled c = Compile(pattern);
    ASSERT_TRUE(c.fast) << pattern << " is outside the extractor's class";
    for (int n = 0; n < 20000; ++n) {
      std::string line;
      const int parts = 1 + static_cast<int>(rng() % 14);
      for (int p = 0; p < parts; ++p) line += pieces[rng() % pieces.size()];
      ExpectAgreesWithRe2(c, line);
      std::array<absl::string_view, 4> g;
      ok += c.fast->Extract(line, &g) == FastExtractor::Result::kOk;
    }
  }
  // Hand-built lines that must parse, so the comparison above is not only
  // of failures.
  Compiled first = Compile(patterns[0]);
  for (const std::string& line :
       {std::string("Nov 30 01:16 mail1 login user=<bob> rip=192.0.2.1"),
        std::string("Nov  3 01:16 averyveryverylonghostnamewithoutspaces login user=<> rip=1.2")}) {
    std::array<absl::string_view, 4> g;
    ASSERT_EQ(first.fast->Extract(line, &g), FastExtractor::Result::kOk) << line;
    ExpectAgreesWithRe2(first, line);
  }
  Compiled second = Compile(patterns[1]);
  for (const std::string& line : {std::string("xy h host imapd-ssl[12]: alice, ip=[2001:db8::1]"),
                                  std::string("x pop3d: , ip=[a]")}) {
    std::array<absl::string_view, 4> g;
    ASSERT_EQ(second.fast->Extract(line, &g), FastExtractor::Result::kOk) << line;
    ExpectAgreesWithRe2(second, line);
  }
  EXPECT_GT(ok, 0);
}

TEST(FastExtractor, ExponentialAlternativesAreBoundedAndLeftToRe2) {
  // Thirty optional groups over thirty "a"s: C(30, 15) ways to parse half
  // of them. The walk must give up and say "ambiguous" rather than try all.
  std::string pattern = "^";
  for (int i = 0; i < 30; ++i) pattern += "(?:a)?";
  pattern += "(b)";
  Compiled c = Compile(pattern);
  ASSERT_TRUE(c.fast);
  std::array<absl::string_view, 4> groups;
  EXPECT_EQ(c.fast->Extract(std::string(15, 'a') + "b", &groups),
            FastExtractor::Result::kAmbiguous);
  // A line with one way through is still the extractor's own.
  EXPECT_EQ(c.fast->Extract("b", &groups), FastExtractor::Result::kOk);
  EXPECT_EQ(groups[1], "b");
}

TEST(StopBytes, FindsTheFirstStopAtEveryOffsetAndLength) {
  const unsigned char stops[] = {' ', '\n', ']', '>'};
  StopBytes s;
  ASSERT_TRUE(s.Set(stops, 4));
  for (size_t size = 0; size < 70; ++size) {
    for (size_t at = 0; at <= size; ++at) {
      for (char stop : {' ', '\n', ']', '>'}) {
        std::string text(size, 'x');
        if (at < size) text[at] = stop;
        for (size_t from = 0; from <= size; ++from) {
          const size_t want = at >= from && at < size ? at : size;
          ASSERT_EQ(s.Find(text.data(), from, size), want)
              << "size " << size << " stop at " << at << " from " << from;
        }
      }
    }
  }
}

TEST(StopBytes, RefusesNoneAndTooMany) {
  const unsigned char five[] = {1, 2, 3, 4, 5};
  StopBytes s;
  EXPECT_FALSE(s.Set(five, 0));
  EXPECT_FALSE(s.Set(five, 5));
  EXPECT_TRUE(s.Set(five, 4));
  const std::string text = "\x05\x04";
  EXPECT_EQ(s.Find(text.data(), 0, text.size()), 1u);  // 5 is not a stop.
}

TEST(BytesEqual, AgreesWithMemcmpForEveryLengthAndDifferingByte) {
  for (size_t n = 0; n <= 24; ++n) {
    const std::string a(n, 'q');
    EXPECT_TRUE(BytesEqual(a.data(), a.data(), n));
    for (size_t diff = 0; diff < n; ++diff) {
      std::string b = a;
      b[diff] = 'r';
      EXPECT_FALSE(BytesEqual(a.data(), b.data(), n)) << "length " << n << " byte " << diff;
    }
  }
}

}  // namespace
}  // namespace exact::match
