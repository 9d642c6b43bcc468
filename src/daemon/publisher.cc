#include "src/daemon/publisher.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "src/base/log.h"

namespace exact::daemon {

using base::UnixSeconds;

absl::StatusOr<Outputs> OpenOutputs(const config::Settings& s,
                                    const std::optional<Account>& account,
                                    const match::NetworkSet& statics) {
  gid_t map_group = static_cast<gid_t>(-1);
  if (!s.authgroup.empty()) {
    struct group* gr = ::getgrnam(s.authgroup.c_str());
    if (gr == nullptr) {
      return absl::NotFoundError(absl::StrCat("authgroup \"", s.authgroup, "\" does not exist"));
    }
    map_group = gr->gr_gid;
  }
  Outputs out;
  std::vector<std::string> paths = {s.statefile, s.dumpfile};
  for (config::MapFormat format : s.authtypes) paths.push_back(config::MapName(s, format));
  for (const std::string& path : paths) {
    absl::Status st = PrepareDirectory(base::SplitPath(path).first, account);
    if (!st.ok()) return st;
  }
  base::WarnAboutSharedDirectories(paths);
  for (config::MapFormat format : s.authtypes) {
    publish::MapTarget target{
        format, config::MapName(s, format),
        format == config::MapFormat::kText && !s.map_names.count(format) ? s.authtemp : "",
        static_cast<mode_t>(s.authmode), map_group};
    absl::StatusOr<std::unique_ptr<publish::MapWriter>> w = publish::OpenMapWriter(target);
    if (!w.ok()) return w.status();
    (*w)->set_static_networks(statics.networks());
    out.maps.push_back(std::move(*w));
  }
  auto [state_dir, state_name] = base::SplitPath(s.statefile);
  absl::StatusOr<base::Directory> sd = base::Directory::Open(state_dir);
  if (!sd.ok()) return sd.status();
  out.state_dir = std::move(*sd);
  out.state_name = state_name;
  if (auto stale = out.state_dir.RemoveStaleTemps(state_name); !stale.ok()) return stale.status();
  auto [dump_dir, dump_name] = base::SplitPath(s.dumpfile);
  absl::StatusOr<base::Directory> dd = base::Directory::Open(dump_dir);
  if (!dd.ok()) return dd.status();
  out.dump_dir = std::move(*dd);
  out.dump_name = dump_name;
  if (auto stale = out.dump_dir.RemoveStaleTemps(dump_name); !stale.ok()) return stale.status();
  return out;
}

Publisher::Publisher(Outputs outputs, table::RelayTable* table, const ingest::CheckpointBook* book)
    : outputs_(std::move(outputs)), table_(table), book_(book) {}

bool Publisher::Publish(UnixSeconds now, const char* why) {
  // Positions before the snapshot: the book only ever lags the table, so the
  // state never claims a line its entries do not hold (a line applied twice
  // changes nothing).
  table::SavedState positions;
  positions.logs = book_->Positions();
  positions.journal_cursor = book_->JournalCursor();
  // Revokes too: a restart must not let a replayed login undo one.
  for (const auto& [address, r] : table_->Revokes(now)) {
    positions.revokes.push_back({address, r.at, r.hold_until});
  }
  const table::RelaySnapshot records = table_->Snapshot(now);
  // The state file first: if we die between the two, the next start
  // republishes from it and nothing is lost.
  absl::Status st = outputs_.state_dir.WriteFileAtomically(
      outputs_.state_name, table::EncodeState(records, positions), 0600);
  bool ok = st.ok();
  if (!ok) base::LogError("cannot write the state file: %s", std::string(st.message()));
  for (const auto& map : outputs_.maps) {
    absl::Status ms = map->Write(records);
    if (!ms.ok()) {
      base::LogError("cannot publish %s: %s; the previous map stays in place", map->path(),
                     std::string(ms.message()));
      ok = false;
    }
  }
  if (on_published_) on_published_(records);
  base::LogDebug("published %zu address(es) (%s)", records.size(), why);
  return ok;
}

void Publisher::Dump(UnixSeconds now) {
  const table::RelaySnapshot records = table_->Snapshot(now);
  absl::Status st =
      outputs_.dump_dir.WriteFileAtomically(outputs_.dump_name, table::EncodeDump(records), 0640);
  if (st.ok()) {
    base::LogInfo("dumped %zu address(es) to %s", records.size(),
                  outputs_.dump_dir.PathOf(outputs_.dump_name));
  } else {
    base::LogError("cannot write the dump: %s", std::string(st.message()));
  }
}

table::SavedState Publisher::RestoreState(UnixSeconds now, int64_t timeout,
                                          const match::NetworkSet& ignore) {
  const std::string path = outputs_.state_dir.PathOf(outputs_.state_name);
  absl::StatusOr<std::string> text = outputs_.state_dir.ReadFile(outputs_.state_name);
  if (!text.ok()) {
    if (absl::IsNotFound(text.status())) {
      base::LogInfo("no state file %s: replaying the last %ds of each log", path,
                    static_cast<int>(timeout));
    } else {
      base::LogError("cannot read the state file: %s; replaying the last %ds of each log instead",
                     std::string(text.status().message()), static_cast<int>(timeout));
      SetStateAside(now);
    }
    return {};
  }
  table::DecodedState state = table::DecodeState(*text);
  using Verdict = table::DecodedState::Verdict;
  if (state.verdict == Verdict::kCorrupt || state.verdict == Verdict::kForeign) {
    base::LogError(
        "the state file %s is %s; keeping it aside and replaying the last %ds of each "
        "log instead",
        path, table::VerdictName(state.verdict), static_cast<int>(timeout));
    SetStateAside(now);
    return {};
  }
  // An entry passes the checks a login would, and lives no longer than one.
  const UnixSeconds max_expiry = now + timeout + 1;
  size_t refused = 0;
  for (const table::RelayRecord& r : state.records) {
    if (!r.address.IsUnicast() || ignore.Contains(r.address)) {
      ++refused;
      continue;
    }
    table_->Restore(r, now, max_expiry);
  }
  for (const table::SavedRevoke& r : state.positions.revokes) {
    table_->RestoreRevoke(r.address, {r.at, r.hold_until}, now);
  }
  if (state.bad_lines > 0) {
    base::LogWarning("skipped %d unreadable line(s) of the state file", state.bad_lines);
  }
  if (refused > 0) {
    base::LogWarning(
        "refused %zu state file entr%s that no login could grant (not unicast, or "
        "an ignored network)",
        refused, refused == 1 ? "y" : "ies");
  }
  base::LogInfo("restored %zu live address(es) and %zu log position(s) from the state file",
                table_->size(), state.positions.logs.size());
  return std::move(state.positions);
}

int64_t Publisher::StateWrittenNs() const {
  struct stat st;
  if (::fstatat(outputs_.state_dir.fd(), outputs_.state_name.c_str(), &st, AT_SYMLINK_NOFOLLOW) !=
      0) {
    return 0;
  }
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

void Publisher::SetStateAside(UnixSeconds now) {
  const std::string aside = absl::StrCat(outputs_.state_name, ".bad-", now);
  absl::Status st = outputs_.state_dir.Commit(outputs_.state_name, aside);
  if (st.ok()) {
    base::LogWarning("the old state file is kept as %s", outputs_.state_dir.PathOf(aside));
  } else {
    base::LogWarning("cannot keep the old state file aside: %s; it will be replaced",
                     std::string(st.message()));
  }
}

}  // namespace exact::daemon
