// Config loading: the two files, stanza selection and cross-key checks.
#include "src/config/config.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/base/files.h"

namespace exact::config {

LoadResult LoadConfig(const std::string& path) {
  LoadResult result;
  Diagnostics& diags = result.diagnostics;
  Config config;
  config.path = base::AbsolutePath(path);

  absl::StatusOr<std::string> text = base::ReadFileToString(config.path);
  if (!text.ok()) {
    diags.Error({path, 0, 0}, absl::StrCat("cannot read: ", text.status().message()));
    return result;
  }
  Settings& s = config.settings;
  ParseExactConf(*text, path, &s, &diags);

  if (s.inline_stanza) {
    InlineStanza& in = *s.inline_stanza;
    Stanza stanza;
    stanza.name = "exact.conf";
    if (in.match.empty()) {
      diags.Error(in.order_location, "`order` without `match` in exact.conf");
    } else if (!in.order) {
      diags.Error(in.match_location, "`match` in exact.conf needs an `order` line too");
    } else {
      stanza.order = *in.order;
      stanza.ere = in.match;
      stanza.location = in.match_location;
      stanza.match_location = in.match_location;
      if (CompileStanzaPattern(&stanza, &diags)) {
        diags.Warning(in.match_location,
                      "`match` in exact.conf is the pre-1.40 form; it is tried before the "
                      "stanzas of `server` (move it into a <server> stanza)");
        config.stanzas.push_back(std::move(stanza));
      }
    }
  }

  absl::StatusOr<std::string> defs = base::ReadFileToString(s.serverdefs);
  if (!defs.ok()) {
    SourceLocation at =
        s.serverdefs_location.file.empty() ? SourceLocation{path, 0, 0} : s.serverdefs_location;
    diags.Error(at, absl::StrCat("cannot read serverdefs: ", defs.status().message()));
  } else {
    std::vector<Stanza> all = ParseServersConf(*defs, s.serverdefs, &diags);
    std::vector<std::string> names;
    for (const Stanza& st : all) names.push_back(st.name);
    SourceLocation at =
        s.server_location.file.empty() ? SourceLocation{path, 0, 0} : s.server_location;
    bool select_all = s.servers.size() == 1 && s.servers[0] == "all";
    std::vector<bool> chosen(all.size(), false);
    for (size_t i = 0; select_all && i < all.size(); ++i) chosen[i] = !all[i].opt_in;
    if (!select_all) {
      for (const std::string& want : s.servers) {
        auto it = std::find(names.begin(), names.end(), want);
        if (it == names.end()) {
          diags.Error(at, absl::StrCat("no stanza named \"", want, "\" in ", s.serverdefs,
                                       DidYouMeanSuffix(want, names),
                                       "; it has: ", absl::StrJoin(names, ", ")));
          continue;
        }
        chosen[static_cast<size_t>(it - names.begin())] = true;
      }
    }
    for (size_t i = 0; i < all.size(); ++i) {
      if (!chosen[i]) continue;
      // At start and in --check: a selected 1.41-style stanza reopens the
      // log-injection hole (docs/exact-servers.conf.md).
      if (std::string w = UnanchoredStanzaWarning(all[i]); !w.empty()) {
        diags.Warning(all[i].location, std::move(w));
      }
      config.stanzas.push_back(std::move(all[i]));
    }
  }
  if (config.stanzas.empty() && !diags.HasErrors()) {
    diags.Error({path, 0, 0}, "no stanza selected: nothing would ever match");
  }

  if (s.authtemp.empty()) s.authtemp = s.authfile + ".tmp";
  if (s.statefile.empty()) s.statefile = s.authfile + ".state";
  if (base::SplitPath(s.authtemp).first != base::SplitPath(s.authfile).first) {
    diags.Error({path, 0, 0}, absl::StrCat("authtemp (", s.authtemp,
                                           ") must be in the same directory as authfile (",
                                           s.authfile, ") so the final rename is atomic"));
  }
  if (s.maillog.empty()) diags.Error({path, 0, 0}, "maillog names no file");
  if (s.controlsocket.empty()) {
    s.controlsocket = base::SplitPath(s.pidfile).first + "/exact.ctl";
  }
  // exact's own log must never feed a log it reads: each of its lines would
  // be read back, and a line quoting a login would be a login. (The daemon
  // also compares inodes at start, for links.)
  if (!s.log_to_syslog) {
    for (const std::string& log : s.maillog) {
      if (log == s.logfile) {
        diags.Error({path, 0, 0},
                    absl::StrCat("logfile ", s.logfile,
                                 " is also a maillog: exact would read its own log; use "
                                 "another file or `logging syslog`"));
      }
    }
  }

  if (!diags.HasErrors()) result.config = std::move(config);
  return result;
}

}  // namespace exact::config
