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

bool Stanza::TrustsProgram(absl::string_view tag, absl::string_view form_name) const {
  for (const std::string& p : programs) {
    absl::string_view want = p;
    if (!want.empty() && want[0] == '@') {
      if (want.substr(1) == form_name) return true;
      continue;
    }
    if (tag.empty()) continue;
    if (want.size() > 1 && want.front() == '*') {
      if (absl::EndsWith(tag, want.substr(1))) return true;
    } else if (want.size() > 1 && want.back() == '*') {
      if (absl::StartsWith(tag, want.substr(0, want.size() - 1))) return true;
    } else if (tag == want) {
      return true;
    }
  }
  return false;
}

namespace {

// Translates one pattern; `needed` groups at least. `what` names it in
// messages ("pattern", "session pattern").
bool CompileOne(const Stanza& stanza, const std::string& ere, SourceLocation where, int needed,
                absl::string_view need_text, absl::string_view what, EreTranslation* out,
                Diagnostics* diags) {
  EreTranslation t = TranslatePosixEre(ere);
  if (!t.ok) {
    SourceLocation at = where;
    at.column += static_cast<int>(t.error_offset);
    diags->Error(at, absl::StrCat("in ", what, " of stanza \"", stanza.name, "\": ", t.error));
    return false;
  }
  if (t.groups < needed) {
    diags->Error(where, absl::StrCat(what, " of stanza \"", stanza.name, "\" has ", t.groups,
                                     " group(s); it needs ", needed, ": ", need_text));
    return false;
  }
  *out = std::move(t);
  return true;
}

}  // namespace

bool CompileStanzaPattern(Stanza* stanza, Diagnostics* diags) {
  EreTranslation t;
  const bool two_line = stanza->two_line();
  if (!CompileOne(*stanza, stanza->ere, stanza->match_location, two_line ? 1 : 3,
                  two_line ? "group 1 is the user name (the `session` line gives the address)"
                           : "group 1 is dropped, groups 2 and 3 are the user name and the "
                             "address, as `order` says",
                  "pattern", &t, diags)) {
    return false;
  }
  if (two_line) {
    EreTranslation st;
    if (!CompileOne(*stanza, stanza->session_ere, stanza->session_location, 1,
                    "group 1 is the address", "session pattern", &st, diags)) {
      return false;
    }
    stanza->session_pattern = std::move(st.pattern);
    stanza->session_groups = st.groups;
    stanza->session_ast = std::move(st.ast);
  }
  stanza->pattern = std::move(t.pattern);
  stanza->groups = t.groups;
  stanza->ast = std::move(t.ast);
  return true;
}

std::string UnanchoredStanzaWarning(const Stanza& stanza) {
  if (stanza.reads_message() || stanza.legacy) return "";
  return absl::StrCat(
      "stanza \"", stanza.name,
      "\" matches whole lines and trusts no program tag, so text an attacker puts into "
      "another program's line (a mail sender, a failed user name) can pose as a login; add "
      "`program TAG` naming the server's syslog tag and match the message only, or add "
      "`legacy` to accept the risk");
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
      diags->Error(o.stanza.location,
                   absl::StrCat("stanza \"", o.stanza.name, "\" has no `match` line"));
      ok = false;
    }
    if (!o.has_order && !o.stanza.two_line()) {
      // 1.41 silently reused the previous stanza's order here.
      diags->Error(o.stanza.location,
                   absl::StrCat("stanza \"", o.stanza.name,
                                "\" has no `order` line; add `order username,address` or "
                                "`order address,username`"));
      ok = false;
    }
    if (o.stanza.two_line() && !o.stanza.reads_message()) {
      diags->Error(o.stanza.location, absl::StrCat("stanza \"", o.stanza.name,
                                                   "\" has `session` but no `program`: the two "
                                                   "lines are tied by tag, host and pid"));
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
        diags->Error(at,
                     absl::StrCat("expected </server>; got \"", base::Printable(rest, 64), "\""));
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
        diags->Error(open->stanza.location, absl::StrCat("stanza \"", open->stanza.name,
                                                         "\" is not closed; add "
                                                         "</server> before line ",
                                                         line_no));
        open.reset();
      }
      if (name == "all") {
        diags->Error(at, "\"all\" is reserved: `server all` selects every stanza");
        continue;
      }
      if (auto [it, inserted] = seen.emplace(std::string(name), line_no); !inserted) {
        diags->Error(at,
                     absl::StrCat("stanza \"", name, "\" is already defined on line ", it->second));
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
    if (word != "match" && word != "order" && word != "program" && word != "legacy" &&
        word != "session" && word != "optin") {
      diags->Error(at, absl::StrCat("unknown directive \"", base::Printable(word, 64), "\"",
                                    DidYouMeanSuffix(word, {"match", "order", "program", "legacy",
                                                            "session", "optin"}),
                                    "; a stanza holds `order`, `match`, `program`, `session`, "
                                    "`legacy` and `optin`"));
      continue;
    }
    if (word == "legacy" || word == "optin") {
      if (word_end != absl::string_view::npos) {
        diags->Error(at, absl::StrCat("`", word, "` takes no value"));
        continue;
      }
      (word == "legacy" ? open->stanza.legacy : open->stanza.opt_in) = true;
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
    } else if (word == "program") {
      for (absl::string_view tag :
           absl::StrSplit(value, absl::ByAnyChar(" \t,"), absl::SkipEmpty())) {
        if (tag == "*" || tag == "@" || (tag[0] == '@' && tag != "@nginx" && tag != "@zimbra") ||
            tag.find('*', 1) < tag.size() - 1) {
          diags->Error(value_at, absl::StrCat("`program` entry \"", base::Printable(tag, 64),
                                              "\" is not a tag, \"*SUFFIX\", \"PREFIX*\", "
                                              "\"@nginx\" or \"@zimbra\""));
          continue;
        }
        open->stanza.programs.emplace_back(tag);
      }
    } else if (word == "session") {
      if (!open->stanza.session_ere.empty()) {
        diags->Error(at, absl::StrCat("stanza \"", open->stanza.name,
                                      "\" has a second `session`; use | inside one pattern"));
        continue;
      }
      open->stanza.session_ere = std::string(value);
      open->stanza.session_location = value_at;
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
