#include "src/daemon/startup.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/base/files.h"
#include "src/base/log.h"
#include "src/daemon/control_service.h"
#include "src/daemon/daemon.h"
#include "src/daemon/loaded_config.h"
#include "src/daemon/privileges.h"
#include "src/daemon/readiness.h"
#include "src/match/log_header.h"

namespace exact::daemon {
namespace {

// Of log per chunk. Since replayed ranges are read into each matching
// thread's own buffer, 1 MiB beats 256 KiB by 8 % (docs/performance.md):
// the per-chunk costs (a pread, a TBB token, a pool round trip) dominate.
constexpr size_t kChunkBytes = 1024 * 1024;
constexpr size_t kChunksInPool = 16;

// Refuses a `logfile` that is, by inode, one of the maillogs (a link, or a
// path spelled differently): exact would read its own log.
absl::Status CheckLogNotWatched(const config::Settings& s) {
  if (s.log_to_syslog) return absl::OkStatus();
  struct stat own;
  if (::stat(s.logfile.c_str(), &own) != 0) return absl::OkStatus();
  for (const std::string& log : s.maillog) {
    struct stat st;
    if (::stat(log.c_str(), &st) == 0 && st.st_dev == own.st_dev && st.st_ino == own.st_ino) {
      return absl::FailedPreconditionError(
          absl::StrCat("logfile ", s.logfile, " is the maillog ", log,
                       ": exact would read its own log; use another file or `logging syslog`"));
    }
  }
  return absl::OkStatus();
}

void PrintDiagnostics(const config::Diagnostics& diags) {
  for (const config::Diagnostic& d : diags.all())
    std::fprintf(stderr, "%s\n", d.ToString().c_str());
}

// The directory `path` would be made in: its nearest existing ancestor
// must be a directory, or start-up could never create it
// (`authfile /etc/passwd/relay`).
std::string OutputDirectoryProblem(const std::string& key, const std::string& path) {
  std::string dir = base::SplitPath(path).first;
  while (!dir.empty()) {
    struct stat st;
    if (::stat(dir.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) return "";
      return absl::StrCat(key, " ", path, ": ", dir, " is not a directory");
    }
    if (dir == "/") break;
    dir = base::SplitPath(dir).first;
  }
  return "";
}

}  // namespace

int ReportCheck(const config::Config& config, const match::StanzaMatcher& matcher) {
  const config::Settings& s = config.settings;
  int problems = 0;
  for (const std::string& log : s.maillog) {
    absl::Status kind = ingest::CheckLogKind(log);
    if (absl::IsNotFound(kind)) {
      std::fprintf(stderr, "%s: warning: maillog %s does not exist (yet); exact will wait for it\n",
                   config.path.c_str(), log.c_str());
    } else if (!kind.ok()) {
      std::fprintf(stderr, "%s: error: %s\n", config.path.c_str(),
                   std::string(kind.message()).c_str());
      ++problems;
    }
  }
  std::vector<std::pair<std::string, std::string>> outputs = {
      {"pidfile", s.pidfile}, {"statefile", s.statefile}, {"dumpfile", s.dumpfile}};
  for (config::MapFormat format : s.authtypes)
    outputs.emplace_back("authfile", config::MapName(s, format));
  for (const auto& [key, path] : outputs) {
    if (path.empty()) continue;
    if (std::string p = OutputDirectoryProblem(key, path); !p.empty()) {
      std::fprintf(stderr, "%s: error: %s\n", config.path.c_str(), p.c_str());
      ++problems;
    }
  }
  absl::StatusOr<std::optional<Account>> account = ResolveAccount(s.user, s.group, s.loggroup);
  if (!account.ok()) {
    std::fprintf(stderr, "%s: error: %s\n", config.path.c_str(),
                 std::string(account.status().message()).c_str());
    ++problems;
  } else if (*account) {
    for (const std::string& p : CheckLogAccess(**account, s.maillog)) {
      std::fprintf(stderr, "%s: error: %s\n", config.path.c_str(), p.c_str());
      ++problems;
    }
  }
  if (problems > 0) {
    std::fprintf(stderr, "exact: %d problem(s) that would stop start-up\n", problems);
    return EX_CONFIG;
  }
  std::vector<std::string> names;
  for (const config::Stanza& st : matcher.stanzas()) names.push_back(st.name);
  std::printf("%s: OK, %zu stanza(s): %s\n", config.path.c_str(), names.size(),
              absl::StrJoin(names, ", ").c_str());
  return 0;
}

int Daemon::Start() {
  config::Diagnostics diags;
  std::optional<LoadedConfig> loaded = LoadConfigAndMatcher(options_.config_path, &diags);
  PrintDiagnostics(diags);
  if (!loaded) {
    std::fprintf(stderr, "exact: %d error(s) in the configuration; not started\n",
                 std::max(diags.error_count(), 1));
    return EX_CONFIG;
  }
  config_ = std::move(loaded->config);
  matcher_ = std::move(loaded->matcher);
  ignore_ = std::move(loaded->ignore);
  static_ = std::move(loaded->statics);
  socketmap_allow_ = std::move(loaded->socketmap_allow);
  const config::Settings& s = config_.settings;
  if (options_.check_only) {
    const int rc = ReportCheck(config_, *matcher_);
    return rc != 0 ? rc : -1;
  }

  ::umask(027);
  const bool foreground = options_.foreground || options_.once;
  if (!foreground) {
    if (absl::Status st = DaemonizeAndWait(); !st.ok()) {
      std::fprintf(stderr, "exact: %s\n", std::string(st.message()).c_str());
      return EX_OSERR;
    }
  }
  base::SetLogDebug(options_.debug || s.log_debug);
  if (absl::Status st = CheckLogNotWatched(s); !st.ok()) {
    std::fprintf(stderr, "exact: %s\n", std::string(st.message()).c_str());
    return EX_CONFIG;
  }
  if (!foreground) {
    absl::Status st = s.log_to_syslog ? base::ConfigureLog(base::LogSink::kSyslog)
                                      : base::ConfigureLog(base::LogSink::kFile, s.logfile);
    if (!st.ok()) {
      // Still the terminal's stderr (readiness.h): the only place to say it.
      std::fprintf(stderr, "exact: cannot open the log: %s\n", std::string(st.message()).c_str());
      return EX_CANTCREAT;
    }
  }

  absl::StatusOr<std::optional<Account>> account = ResolveAccount(s.user, s.group, s.loggroup);
  if (!account.ok()) {
    base::LogError("%s (from `user`/`group`/`loggroup` in %s)",
                   std::string(account.status().message()), config_.path);
    return EX_NOUSER;
  }
  if (*account) {
    // Checked now, not after the first rotation: a log the account cannot
    // open would otherwise stop every login silently once logrotate runs.
    std::vector<std::string> problems = CheckLogAccess(**account, s.maillog);
    for (const std::string& p : problems) base::LogError("%s", p);
    if (!problems.empty()) return EX_NOPERM;
  }
  // Root's pid file stays in a directory only root can write (PidFile
  // checks), never one handed to `user`.
  if (absl::Status st = PrepareDirectory(base::SplitPath(s.pidfile).first, std::nullopt);
      !st.ok()) {
    base::LogError("%s", std::string(st.message()));
    return EX_CANTCREAT;
  }
  absl::StatusOr<PidFile> pid = PidFile::Acquire(s.pidfile);
  if (!pid.ok()) {
    base::LogError("%s", std::string(pid.status().message()));
    return absl::IsFailedPrecondition(pid.status()) ? EX_TEMPFAIL : EX_CANTCREAT;
  }
  pidfile_.emplace(std::move(*pid));

  absl::StatusOr<Outputs> outputs = OpenOutputs(s, *account, static_);
  if (!outputs.ok()) {
    base::LogError("cannot prepare the relay map: %s", std::string(outputs.status().message()));
    return EX_CANTCREAT;
  }
  publisher_.emplace(std::move(*outputs), &table_, &book_);

  // The state first: its log positions say where the reader starts.
  const table::SavedState saved = publisher_->RestoreState(clock_.Now(), s.timeout, ignore_);
  ingest::ReaderOptions ropts;
  ropts.follow = !options_.once;
  ropts.from_start = options_.from_start;
  ropts.rotate_wait = absl::Seconds(s.suspicious);
  ropts.consumer_reads = PipelineFillsEveryCore(options_.threads);
  ropts.resume = saved.logs;
  if (!saved.logs.empty()) ropts.resume_written_ns = publisher_->StateWrittenNs();
  // A log without a checkpoint (first start, a lost state file, a new log)
  // is replayed from `timeout` ago: what is still live in it.
  ropts.replay_since_us = clock_.WallMicros() - s.timeout * 1000000;
  ropts.time_of = [parser = match::HeaderParser(absl::LocalTimeZone()),
                   this](absl::string_view line) -> std::optional<int64_t> {
    match::LogHeader h;
    if (!parser.Parse(line, clock_.WallMicros(), &h) || !h.has_time) return std::nullopt;
    return h.time_us;
  };
  ropts.book = &book_;
  ropts.clock = &clock_;
  if (!s.journal_units.empty() || !s.journal_commands.empty()) {
    ingest::JournalOptions j;
    j.units = s.journal_units;
    j.commands = s.journal_commands;
    j.files = s.journal_files;
    j.cursor = options_.from_start ? "" : saved.journal_cursor;
    j.from_start = options_.from_start;
    ropts.journal = std::move(j);
    book_.SetJournalCursor(saved.journal_cursor);
  }
  pool_ =
      std::make_unique<ingest::ChunkPool>(kChunksInPool, ingest::ChunkCapacity(kChunkBytes, ropts));
  ring_ = std::make_unique<ingest::SpscRing<ingest::Chunk*>>(kChunksInPool);
  reader_ = std::make_unique<ingest::LogReader>(s.maillog, ropts, pool_.get(), ring_.get());
  if (absl::Status st = reader_->Open(); !st.ok()) {
    base::LogError("cannot read the mail log: %s", std::string(st.message()));
    return EX_NOINPUT;
  }
  if (!s.socketmap.empty()) {
    auto server = publish::SocketmapServer::Listen(
        s.socketmap, *account ? (*account)->uid : static_cast<uid_t>(-1),
        *account ? (*account)->gid : static_cast<gid_t>(-1));
    if (!server.ok()) {
      base::LogError("cannot serve socketmap: %s", std::string(server.status().message()));
      return EX_CANTCREAT;
    }
    socketmap_ = std::move(*server);
  }

  {
    gid_t allowed = static_cast<gid_t>(-1);
    if (!s.controlgroup.empty()) {
      struct group* gr = ::getgrnam(s.controlgroup.c_str());
      if (gr == nullptr) {
        base::LogError("controlgroup \"%s\" does not exist (in %s)", s.controlgroup, config_.path);
        return EX_NOUSER;
      }
      allowed = gr->gr_gid;
    }
    if (s.controlsocket != "none" && !options_.once) {
      if (absl::Status st = PrepareDirectory(base::SplitPath(s.controlsocket).first, *account);
          !st.ok()) {
        base::LogError("%s", std::string(st.message()));
        return EX_CANTCREAT;
      }
    }
    // --once has nothing to steer: no socket, no listener.
    auto service = ControlService::Listen(options_.once ? "" : s.controlsocket,
                                          *account ? (*account)->uid : static_cast<uid_t>(-1),
                                          allowed != static_cast<gid_t>(-1) ? allowed
                                          : *account                        ? (*account)->gid
                                                     : static_cast<gid_t>(-1),
                                          allowed, options_.once ? "" : s.metrics_listen);
    if (!service.ok()) {
      base::LogError("cannot open the control socket or metrics listener: %s",
                     std::string(service.status().message()));
      return EX_CANTCREAT;
    }
    control_ = std::move(*service);
  }

  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGALRM}) sigaddset(&mask, sig);
  // Blocked before any thread starts, so every thread inherits the mask and
  // only the signalfd ever sees these signals.
  ::pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  // A file-size limit then fails a write with EFBIG, which is logged and
  // retried like a full disk, instead of killing the daemon.
  ::signal(SIGXFSZ, SIG_IGN);
  signal_fd_.Reset(::signalfd(-1, &mask, SFD_CLOEXEC));
  event_fd_.Reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!signal_fd_.valid() || !event_fd_.valid()) {
    base::LogError("signalfd/eventfd: %s", std::strerror(errno));
    return EX_OSERR;
  }

  if (*account) {
    if (absl::Status st = DropPrivileges(**account); !st.ok()) {
      base::LogError("cannot drop privileges to %s: %s", (*account)->user,
                     std::string(st.message()));
      return EX_NOPERM;
    }
  }

  scheduler_.emplace(&clock_, s.publish_interval_ms, s.flush);
  fleet_ = fleet::MakeFleetPublisher(s, &clock_);
  if (fleet_) {
    fleet_->Start();
    publisher_->SetOnPublished(
        [this](const table::RelaySnapshot& live) { fleet_->Offer(live); });  // Never waits.
  }
  if (!Publish(clock_.Now(), "start-up")) return EX_CANTCREAT;

  PipelineOptions popts;
  popts.threads = options_.threads;
  popts.logs = s.maillog.size();
  pipeline_ = std::make_unique<Pipeline>(ring_.get(), pool_.get(), &table_, &clock_, popts);
  pipeline_->SetMatcher(matcher_);
  pipeline_->SetTimeout(s.timeout);
  pipeline_->SetIgnore(ignore_);
  const int efd = event_fd_.get();
  auto wake = [efd] {
    uint64_t one = 1;
    (void)!::write(efd, &one, sizeof one);
  };
  pipeline_->SetOnNewAddress(wake);
  pipeline_->SetCheckpointBook(&book_);
  pipeline_thread_ = std::thread([this, wake] {
    pipeline_->Run();
    pipeline_done_.store(true);
    wake();
  });
  reader_thread_ = std::thread([this] { reader_->Run(); });
  if (socketmap_) {
    publish::SocketmapOptions sopts;
    sopts.allow = socketmap_allow_;
    socketmap_->Start(&table_, &clock_, static_, std::move(sopts));
  }
  subscriber_ = fleet::MakeSubscriber(s, [this, wake](const std::vector<fleet::Grant>& grants) {
    ApplyFleetGrants(grants);
    wake();
  });
  if (subscriber_) subscriber_->Start();
  control_->Start(wake);
  std::vector<std::string> names;
  for (const config::Stanza& st : matcher_->stanzas()) names.push_back(st.name);
  std::vector<std::string> types;
  for (config::MapFormat f : s.authtypes) types.push_back(config::MapFormatName(f));
  base::LogInfo(
      "started: %s; config %s; stanzas %s; logs %s; timeout %ds; maps %s (%s) every %dms at "
      "most; state %s; user %s; control %s; metrics %s%s%s; log level %s",
      kExactVersion, config_.path, absl::StrJoin(names, ","), absl::StrJoin(s.maillog, ","),
      static_cast<int>(s.timeout), publisher_->first_map_path(), absl::StrJoin(types, ","),
      static_cast<int>(s.publish_interval_ms), s.statefile, *account ? s.user : "(unchanged)",
      s.controlsocket, s.metrics_listen.empty() ? "-" : s.metrics_listen.c_str(),
      s.metrics_textfile.empty() ? "" : ", textfile ", s.metrics_textfile,
      base::LogDebugEnabled() ? "debug" : "info");
  return 0;
}

}  // namespace exact::daemon
