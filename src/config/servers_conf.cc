// The stanza parser: a line-oriented state machine (outside / inside a
// stanza). Unlike 1.41's unanchored token scanner, a directive is only ever
// the first word of its line, so a pattern containing "order " stays a pattern.
#include "src/config/servers_conf.h"

#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "src/base/log.h"
#include "src/config/posix_ere.h"

namespace exact::config {

bool CompileStanzaPattern(Stanza* stanza, Diagnostics* diags) {
  EreTranslation t = TranslatePosixEre(stanza->ere);
  if (!t.ok) {
    SourceLocation at = stanza->match_location;
    at.column += static_cast<int>(t.error_offset);
    diags->Error(at, absl::StrCat("in pattern of stanza \"", stanza->name, "\": ", t.error));
    return false;
  }
  if (t.groups < 3) {
    diags->Error(stanza->match_location,
                 absl::StrCat("pattern of stanza \"", stanza->name, "\" has ", t.groups,
                              " group(s); it needs 3: group 1 is dropped, groups 2 and 3 are "
                              "the user name and the address, as `order` says"));
    return false;
  }
  stanza->pattern = std::move(t.pattern);
  stanza->groups = t.groups;
  stanza->ast = std::move(t.ast);
  return true;
}

namespace {

struct OpenStanza {
  Stanza stanza;
  bool has_match = false;
  bool has_order = false;
};

}  // namespace

std::vector<Stanza> ParseServersConf(absl::string_view text, const std::string& file_name,
                                     Diagnostics* diags) {
  std::vector<Stanza> stanzas;
  absl::flat_hash_map<std::string, int> seen;  // name → line
  std::optional<OpenStanza> open;
  int line_no = 0;

  auto close_stanza = [&](int close_line) {
    OpenStanza& o = *open;
    bool ok = true;
    if (!o.has_match) {
      diags->Error(o.stanza.location, absl::StrCat("stanza \"", o.stanza.name,
                                                   "\" has no `match` line"));
      ok = false;
    }
    if (!o.has_order) {
      // 1.41 silently reused the previous stanza's order here.
      diags->Error(o.stanza.location,
                   absl::StrCat("stanza \"", o.stanza.name,
                                "\" has no `order` line; add `order username,address` or "
                                "`order address,username`"));
      ok = false;
    }
    if (ok && CompileStanzaPattern(&o.stanza, diags)) stanzas.push_back(std::move(o.stanza));
    (void)close_line;
    open.reset();
  };

  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++line_no;
    absl::string_view line = raw;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t start = line.find_first_not_of(" \t");
    if (start == absl::string_view::npos || line[start] == '#') continue;
    SourceLocation at{file_name, line_no, static_cast<int>(start) + 1};
    absl::string_view rest = absl::StripTrailingAsciiWhitespace(line.substr(start));

    if (absl::StartsWith(rest, "</")) {
      if (rest != "</server>") {
        diags->Error(at, absl::StrCat("expected </server>; got \"", base::Printable(rest, 64), "\""));
        continue;
      }
      if (!open) {
        diags->Error(at, "</server> without an open <server NAME>");
        continue;
      }
      close_stanza(line_no);
      continue;
    }
    if (absl::StartsWith(rest, "<")) {
      if (!absl::StartsWith(rest, "<server") || rest.back() != '>') {
        diags->Error(at, "expected <server NAME>");
        continue;
      }
      absl::string_view name = absl::StripAsciiWhitespace(rest.substr(7, rest.size() - 8));
      if (name.empty() || name.find_first_of(" \t,<>") != absl::string_view::npos ||
          rest.size() < 9 || (rest[7] != ' ' && rest[7] != '\t')) {
        diags->Error(at, "expected <server NAME> with a one-word name");
        continue;
      }
      if (open) {
        diags->Error(open->stanza.location,
                     absl::StrCat("stanza \"", open->stanza.name, "\" is not closed; add "
                                  "</server> before line ", line_no));
        open.reset();
      }
      if (name == "all") {
        diags->Error(at, "\"all\" is reserved: `server all` selects every stanza");
        continue;
      }
      if (auto [it, inserted] = seen.emplace(std::string(name), line_no); !inserted) {
        diags->Error(at, absl::StrCat("stanza \"", name, "\" is already defined on line ",
                                      it->second));
        continue;
      }
      open.emplace();
      open->stanza.name = std::string(name);
      open->stanza.location = at;
      continue;
    }

    size_t word_end = rest.find_first_of(" \t");
    absl::string_view word = rest.substr(0, word_end);
    if (!open) {
      diags->Error(at, absl::StrCat("\"", base::Printable(word, 64),
                                    "\" outside a stanza; expected <server NAME>"));
      continue;
    }
    if (word != "match" && word != "order") {
      diags->Error(at, absl::StrCat("unknown directive \"", base::Printable(word, 64), "\"",
                                    DidYouMeanSuffix(word, {"match", "order"}),
                                    "; a stanza holds `order` and `match`"));
      continue;
    }
    size_t value_start = word_end == absl::string_view::npos
                             ? absl::string_view::npos
                             : rest.find_first_not_of(" \t", word_end);
    if (value_start == absl::string_view::npos) {
      diags->Error(at, absl::StrCat("missing value for \"", word, "\""));
      continue;
    }
    absl::string_view value = rest.substr(value_start);
    SourceLocation value_at{file_name, line_no, at.column + static_cast<int>(value_start)};
    if (word == "order") {
      if (!ParseFieldOrder(value, &open->stanza.order)) {
        diags->Error(value_at, absl::StrCat("`order` must be username,address or "
                                            "address,username; got \"",
                                            base::Printable(value, 64), "\""));
        continue;
      }
      open->has_order = true;
    } else {
      if (open->has_match) {
        diags->Error(at, absl::StrCat("stanza \"", open->stanza.name,
                                      "\" has a second `match`; use | inside one pattern"));
        continue;
      }
      open->stanza.ere = std::string(value);
      open->stanza.match_location = value_at;
      open->has_match = true;
    }
  }
  if (open) {
    diags->Error(open->stanza.location,
                 absl::StrCat("stanza \"", open->stanza.name,
                              "\" is not closed; add </server> at the end of the file"));
  }
  return stanzas;
}

}  // namespace exact::config
