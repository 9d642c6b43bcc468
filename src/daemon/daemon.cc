// Daemon start-up, control loop and shutdown. Start-up order matters:
//   config (exit 78 on error) → daemonize → log sink → pid file lock →
//   open logs, map directories, state → block signals → drop privileges →
//   restore state, publish (the map exists before tailing starts) →
//   start reader and pipeline threads → control loop.
#include "src/daemon/daemon.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "src/base/clock.h"
#include "src/base/files.h"
#include "src/base/log.h"
#include "src/config/config.h"
#include "src/daemon/control_service.h"
#include "src/daemon/daemon_metrics.h"
#include "src/daemon/pidfile.h"
#include "src/daemon/pipeline.h"
#include "src/daemon/privileges.h"
#include "src/ingest/checkpoint_book.h"
#include "src/ingest/chunk.h"
#include "src/ingest/log_reader.h"
#include "src/match/log_header.h"
#include "src/match/stanza_matcher.h"
#include "src/publish/map_writer.h"
#include "src/publish/socketmap_server.h"
#include "src/table/relay_table.h"
#include "src/table/state_file.h"

namespace exact::daemon {
namespace {

using base::UnixSeconds;

// Of log per chunk. Since replayed ranges are read into each matching
// thread's own buffer, 1 MiB beats 256 KiB by 8 % (docs/performance.md):
// the per-chunk costs (a pread, a TBB token, a pool round trip) dominate.
constexpr size_t kChunkBytes = 1024 * 1024;
constexpr size_t kChunksInPool = 16;
constexpr int64_t kPublishRetryMs = 5000;
constexpr int64_t kNeverMs = INT64_MAX;
constexpr char kVersion[] = "exact 2.0.0";

int64_t MonotonicMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The effective configuration in exact.conf's own syntax (exactctl config).
std::string EffectiveConfig(const config::Config& c, size_t stanzas) {
  const config::Settings& s = c.settings;
  std::string out = absl::StrCat("# ", c.path, ", as running (", stanzas, " stanza(s))\n");
  auto line = [&](const char* key, const std::string& value) {
    if (!value.empty()) absl::StrAppend(&out, key, " ", value, "\n");
  };
  auto texts = [](const auto& list) {
    std::vector<std::string> v;
    for (const auto& [text, at] : list) v.push_back(text);
    return absl::StrJoin(v, ", ");
  };
  std::vector<std::string> types;
  for (config::MapFormat f : s.authtypes) types.push_back(config::MapFormatName(f));
  line("user", s.user);
  line("group", s.group);
  line("loggroup", s.loggroup);
  line("pidfile", s.pidfile);
  line("maillog", absl::StrJoin(s.maillog, ", "));
  line("journal_units", absl::StrJoin(s.journal_units, ", "));
  line("journal_commands", absl::StrJoin(s.journal_commands, ", "));
  line("serverdefs", s.serverdefs);
  line("server", absl::StrJoin(s.servers, ", "));
  line("authtype", absl::StrJoin(types, ", "));
  line("authfile", s.authfile);
  for (const auto& [format, name] : s.map_names) {
    line(absl::StrCat(config::MapFormatName(format), "file").c_str(), name);
  }
  line("authtemp", s.authtemp);
  line("authmode", absl::StrFormat("%04o", s.authmode));
  line("authgroup", s.authgroup);
  line("statefile", s.statefile);
  line("dumpfile", s.dumpfile);
  line("timeout", absl::StrCat(s.timeout));
  line("flush", absl::StrCat(s.flush));
  line("suspicious", absl::StrCat(s.suspicious));
  line("publish_interval", absl::StrCat(s.publish_interval_ms, "ms"));
  line("logging", s.log_to_syslog ? "syslog" : "internal");
  if (!s.log_to_syslog) line("logfile", s.logfile);
  line("loglevel", s.log_debug ? "debug" : "info");
  line("socketmap", s.socketmap);
  line("controlsocket", s.controlsocket);
  line("controlgroup", s.controlgroup);
  line("metrics_listen", s.metrics_listen);
  line("metrics_textfile", s.metrics_textfile);
  line("ignore", texts(s.ignore_networks));
  line("static", texts(s.static_networks));
  return out;
}

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

void LogDiagnostics(const config::Diagnostics& diags) {
  for (const config::Diagnostic& d : diags.all()) {
    if (d.severity == config::DiagnosticSeverity::kError) {
      base::LogError("%s", d.ToString());
    } else {
      base::LogWarning("%s", d.ToString());
    }
  }
}

absl::Status Daemonize() {
  pid_t pid = ::fork();
  if (pid < 0) return base::ErrnoStatus(errno, "fork");
  if (pid > 0) ::_exit(0);
  if (::setsid() < 0) return base::ErrnoStatus(errno, "setsid");
  pid = ::fork();
  if (pid < 0) return base::ErrnoStatus(errno, "fork");
  if (pid > 0) ::_exit(0);
  if (::chdir("/") != 0) return base::ErrnoStatus(errno, "chdir /");
  int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0) return base::ErrnoStatus(errno, "open /dev/null");
  ::dup2(null_fd, STDIN_FILENO);
  ::dup2(null_fd, STDOUT_FILENO);
  ::dup2(null_fd, STDERR_FILENO);
  ::close(null_fd);
  return absl::OkStatus();
}

// Where the daemon writes: the maps, the state file and the dump file, each
// through a directory opened before privileges are dropped.
struct Outputs {
  std::vector<std::unique_ptr<publish::MapWriter>> maps;
  base::Directory state_dir;
  std::string state_name;
  base::Directory dump_dir;
  std::string dump_name;
};

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
  auto [dump_dir, dump_name] = base::SplitPath(s.dumpfile);
  absl::StatusOr<base::Directory> dd = base::Directory::Open(dump_dir);
  if (!dd.ok()) return dd.status();
  out.dump_dir = std::move(*dd);
  out.dump_name = dump_name;
  return out;
}

// Settings that a reload cannot change in a running daemon.
std::vector<std::string> RestartOnlyChanges(const config::Settings& a, const config::Settings& b) {
  std::vector<std::string> changed;
  auto check = [&](bool differs, const char* key) {
    if (differs) changed.push_back(key);
  };
  check(a.user != b.user, "user");
  check(a.group != b.group, "group");
  check(a.loggroup != b.loggroup, "loggroup");
  check(a.journal_units != b.journal_units || a.journal_commands != b.journal_commands ||
            a.journal_files != b.journal_files,
        "journal_units/journal_commands/journal_files");
  check(a.pidfile != b.pidfile, "pidfile");
  check(a.maillog != b.maillog, "maillog");
  check(a.authtypes != b.authtypes, "authtype");
  check(a.authfile != b.authfile, "authfile");
  check(a.map_names != b.map_names, "a per-format map name (textfile, lmdbfile, ...)");
  check(a.authtemp != b.authtemp, "authtemp");
  check(a.authmode != b.authmode, "authmode");
  check(a.authgroup != b.authgroup, "authgroup");
  check(a.statefile != b.statefile, "statefile");
  check(a.dumpfile != b.dumpfile, "dumpfile");
  check(a.log_to_syslog != b.log_to_syslog, "logging");
  check(a.logfile != b.logfile, "logfile");
  check(a.socketmap != b.socketmap, "socketmap");
  check(a.controlsocket != b.controlsocket, "controlsocket");
  check(a.controlgroup != b.controlgroup, "controlgroup");
  check(a.metrics_listen != b.metrics_listen, "metrics_listen");
  auto texts = [](const auto& list) {
    std::vector<std::string> out;
    for (const auto& [text, at] : list) out.push_back(text);
    return out;
  };
  check(texts(a.ignore_networks) != texts(b.ignore_networks), "ignore");
  check(texts(a.static_networks) != texts(b.static_networks), "static");
  return changed;
}

class Daemon {
 public:
  explicit Daemon(const DaemonOptions& options)
      : options_(options),
        clock_holder_(options.as_of_us != 0
                          ? std::unique_ptr<base::Clock>(std::make_unique<base::ShiftedClock>(
                                options.as_of_us - base::RealClock().WallMicros()))
                          : std::make_unique<base::RealClock>()),
        clock_(*clock_holder_) {}
  int Run();

 private:
  int Start();
  int ControlLoop();
  bool Publish(UnixSeconds now, const char* why);
  void Reload();
  void Dump();
  void LogStats(const char* when);
  std::string StatsText() const;
  std::string Metrics();
  void WriteMetricsFile();
  ControlHooks Hooks();
  void Shutdown();
  // Reads the state file: restores its live entries and returns its log
  // positions. A torn, corrupt, foreign or unreadable file is reported and
  // set aside; the logs are then replayed from their stamps instead.
  table::SavedState RestoreState(base::UnixSeconds now);
  void SetStateAside();

  DaemonOptions options_;
  config::Config config_;
  std::unique_ptr<base::Clock> clock_holder_;
  const base::Clock& clock_;
  std::shared_ptr<const match::StanzaMatcher> matcher_;
  match::NetworkSet ignore_;
  match::NetworkSet static_;
  table::RelayTable table_;
  ingest::CheckpointBook book_;
  std::optional<PidFile> pidfile_;
  Outputs outputs_;
  std::unique_ptr<ingest::ChunkPool> pool_;
  std::unique_ptr<ingest::SpscRing<ingest::Chunk*>> ring_;
  std::unique_ptr<ingest::LogReader> reader_;
  std::unique_ptr<Pipeline> pipeline_;
  std::thread reader_thread_;
  std::thread pipeline_thread_;
  std::atomic<bool> pipeline_done_{false};
  std::unique_ptr<publish::SocketmapServer> socketmap_;
  base::UniqueFd signal_fd_;
  base::UniqueFd event_fd_;
  int64_t last_publish_ms_ = INT64_MIN / 2;  // base::MonotonicMillis() of the last publish.
  uint64_t refreshed_at_publish_ = 0;
  // exactctl and metrics (control_service.h, daemon_metrics.h).
  std::unique_ptr<ControlService> control_;
  metrics::Histogram publish_seconds_{PublishSecondsBuckets()};
  uint64_t publishes_ = 0, publish_failures_ = 0, manual_grants_ = 0, manual_revokes_ = 0;
  std::vector<int64_t> behind_since_;  // Per maillog: when a scrape first saw it behind; 0: not.
};

int Daemon::Run() {
  int rc = Start();
  if (rc != 0) return rc;
  rc = ControlLoop();
  Shutdown();
  return rc;
}

int Daemon::Start() {
  config::LoadResult loaded = config::LoadConfig(options_.config_path);
  config::Diagnostics diags = loaded.diagnostics;
  std::shared_ptr<match::StanzaMatcher> matcher;
  if (loaded.config) {
    absl::StatusOr<std::unique_ptr<match::StanzaMatcher>> m =
        match::StanzaMatcher::Create(loaded.config->stanzas, &diags);
    if (m.ok()) matcher = std::move(*m);
    const config::Settings& ls = loaded.config->settings;
    ignore_ = match::ParseNetworks(ls.ignore_networks, "ignore", &diags);
    static_ = match::ParseNetworks(ls.static_networks, "static", &diags);
    if (ls.static_networks.size() == static_.networks().size()) {
      publish::CheckStaticNetworks(ls, static_, &diags);
    }
  }
  PrintDiagnostics(diags);
  if (!loaded.config || !matcher || diags.HasErrors()) {
    std::fprintf(stderr, "exact: %d error(s) in the configuration; not started\n",
                 std::max(diags.error_count(), 1));
    return EX_CONFIG;
  }
  config_ = std::move(*loaded.config);
  matcher_ = std::move(matcher);
  const config::Settings& s = config_.settings;
  if (options_.check_only) {
    // What start-up will need of the logs, said now rather than at 3 a.m.
    int problems = 0;
    for (const std::string& log : s.maillog) {
      absl::Status kind = ingest::CheckLogKind(log);
      if (absl::IsNotFound(kind)) {
        std::fprintf(stderr,
                     "%s: warning: maillog %s does not exist (yet); exact will wait for it\n",
                     config_.path.c_str(), log.c_str());
      } else if (!kind.ok()) {
        std::fprintf(stderr, "%s: error: %s\n", config_.path.c_str(),
                     std::string(kind.message()).c_str());
        ++problems;
      }
    }
    absl::StatusOr<std::optional<Account>> account = ResolveAccount(s.user, s.group, s.loggroup);
    if (!account.ok()) {
      std::fprintf(stderr, "%s: error: %s\n", config_.path.c_str(),
                   std::string(account.status().message()).c_str());
      ++problems;
    } else if (*account) {
      for (const std::string& p : CheckLogAccess(**account, s.maillog)) {
        std::fprintf(stderr, "%s: error: %s\n", config_.path.c_str(), p.c_str());
        ++problems;
      }
    }
    if (problems > 0) {
      std::fprintf(stderr, "exact: %d problem(s) that would stop start-up\n", problems);
      return EX_CONFIG;
    }
    std::vector<std::string> names;
    for (const config::Stanza& st : matcher_->stanzas()) names.push_back(st.name);
    std::printf("%s: OK, %zu stanza(s): %s\n", config_.path.c_str(), names.size(),
                absl::StrJoin(names, ", ").c_str());
    return -1;
  }

  ::umask(027);
  const bool foreground = options_.foreground || options_.once;
  if (!foreground) {
    if (absl::Status st = Daemonize(); !st.ok()) {
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
    if (!st.ok()) return EX_CANTCREAT;  // stderr is /dev/null by now; nowhere to say more.
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
  if (absl::Status st = PrepareDirectory(base::SplitPath(s.pidfile).first, *account); !st.ok()) {
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
  outputs_ = std::move(*outputs);

  // The state first: its log positions say where the reader starts.
  const table::SavedState saved = RestoreState(clock_.Now());
  ingest::ReaderOptions ropts;
  ropts.follow = !options_.once;
  ropts.from_start = options_.from_start;
  ropts.rotate_wait = absl::Seconds(s.suspicious);
  ropts.consumer_reads = PipelineFillsEveryCore(options_.threads);
  ropts.resume = saved.logs;
  struct stat state_st;
  if (!saved.logs.empty() && ::fstatat(outputs_.state_dir.fd(), outputs_.state_name.c_str(),
                                       &state_st, AT_SYMLINK_NOFOLLOW) == 0) {
    ropts.resume_written_ns =
        static_cast<int64_t>(state_st.st_mtim.tv_sec) * 1000000000 + state_st.st_mtim.tv_nsec;
  }
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
  if (socketmap_) socketmap_->Start(&table_, &clock_, static_);
  control_->Start(wake);
  std::vector<std::string> names;
  for (const config::Stanza& st : matcher_->stanzas()) names.push_back(st.name);
  std::vector<std::string> types;
  for (config::MapFormat f : s.authtypes) types.push_back(config::MapFormatName(f));
  base::LogInfo(
      "started: %s; config %s; stanzas %s; logs %s; timeout %ds; maps %s (%s) every %dms at "
      "most; state %s; user %s; control %s; metrics %s%s%s; log level %s",
      kVersion, config_.path, absl::StrJoin(names, ","), absl::StrJoin(s.maillog, ","),
      static_cast<int>(s.timeout), outputs_.maps.front()->path(), absl::StrJoin(types, ","),
      static_cast<int>(s.publish_interval_ms), s.statefile, *account ? s.user : "(unchanged)",
      s.controlsocket, s.metrics_listen.empty() ? "-" : s.metrics_listen.c_str(),
      s.metrics_textfile.empty() ? "" : ", textfile ", s.metrics_textfile,
      base::LogDebugEnabled() ? "debug" : "info");
  return 0;
}

table::SavedState Daemon::RestoreState(UnixSeconds now) {
  const std::string path = outputs_.state_dir.PathOf(outputs_.state_name);
  absl::StatusOr<std::string> text = outputs_.state_dir.ReadFile(outputs_.state_name);
  if (!text.ok()) {
    if (absl::IsNotFound(text.status())) {
      base::LogInfo("no state file %s: replaying the last %ds of each log", path,
                    static_cast<int>(config_.settings.timeout));
    } else {
      base::LogError("cannot read the state file: %s; replaying the last %ds of each log instead",
                     std::string(text.status().message()),
                     static_cast<int>(config_.settings.timeout));
      SetStateAside();
    }
    return {};
  }
  table::DecodedState state = table::DecodeState(*text);
  using Verdict = table::DecodedState::Verdict;
  if (state.verdict == Verdict::kCorrupt || state.verdict == Verdict::kForeign) {
    base::LogError(
        "the state file %s is %s; keeping it aside and replaying the last %ds of each "
        "log instead",
        path, table::VerdictName(state.verdict), static_cast<int>(config_.settings.timeout));
    SetStateAside();
    return {};
  }
  // An entry passes the checks a login would, and lives no longer than one.
  const UnixSeconds max_expiry = now + config_.settings.timeout + 1;
  size_t refused = 0;
  for (const table::RelayRecord& r : state.records) {
    if (!r.address.IsUnicast() || ignore_.Contains(r.address)) {
      ++refused;
      continue;
    }
    table_.Restore(r, now, max_expiry);
  }
  for (const table::SavedRevoke& r : state.positions.revokes) {
    table_.RestoreRevoke(r.address, {r.at, r.hold_until}, now);
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
                table_.size(), state.positions.logs.size());
  return std::move(state.positions);
}

void Daemon::SetStateAside() {
  const std::string aside = absl::StrCat(outputs_.state_name, ".bad-", clock_.Now());
  absl::Status st = outputs_.state_dir.Commit(outputs_.state_name, aside);
  if (st.ok()) {
    base::LogWarning("the old state file is kept as %s", outputs_.state_dir.PathOf(aside));
  } else {
    base::LogWarning("cannot keep the old state file aside: %s; it will be replaced",
                     std::string(st.message()));
  }
}

bool Daemon::Publish(UnixSeconds now, const char* why) {
  // Positions before the snapshot: the book only ever lags the table, so the
  // state never claims a line its entries do not hold (a line applied twice
  // changes nothing).
  table::SavedState positions;
  positions.logs = book_.Positions();
  positions.journal_cursor = book_.JournalCursor();
  for (const auto& [address, r] : table_.Revokes(now)) {
    positions.revokes.push_back({address, r.at, r.hold_until});
  }
  const int64_t started_us = MonotonicMicros();
  const table::RelaySnapshot records = table_.Snapshot(now);
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
  last_publish_ms_ = base::MonotonicMillis();
  publish_seconds_.Observe(static_cast<double>(MonotonicMicros() - started_us) / 1e6);
  ++publishes_;
  publish_failures_ += !ok;
  WriteMetricsFile();
  if (pipeline_) refreshed_at_publish_ = pipeline_->stats().refreshed.load();
  base::LogDebug("published %zu address(es) (%s)", records.size(), why);
  return ok;
}

void Daemon::Reload() {
  config::LoadResult loaded = config::LoadConfig(config_.path);
  config::Diagnostics diags = loaded.diagnostics;
  std::shared_ptr<match::StanzaMatcher> matcher;
  if (loaded.config) {
    absl::StatusOr<std::unique_ptr<match::StanzaMatcher>> m =
        match::StanzaMatcher::Create(loaded.config->stanzas, &diags);
    if (m.ok()) matcher = std::move(*m);
  }
  LogDiagnostics(diags);
  if (!loaded.config || !matcher) {
    base::LogError("reload of %s failed; keeping the running configuration", config_.path);
    return;
  }
  for (const std::string& key : RestartOnlyChanges(config_.settings, loaded.config->settings)) {
    base::LogWarning("`%s` changed; restart exact to apply it (keeping the old value)", key);
  }
  config::Settings kept = config_.settings;
  kept.timeout = loaded.config->settings.timeout;
  kept.flush = loaded.config->settings.flush;
  kept.suspicious = loaded.config->settings.suspicious;
  kept.publish_interval_ms = loaded.config->settings.publish_interval_ms;
  kept.servers = loaded.config->settings.servers;
  kept.log_debug = loaded.config->settings.log_debug;
  base::SetLogDebug(options_.debug || kept.log_debug);
  config_.settings = kept;
  config_.stanzas = loaded.config->stanzas;
  matcher_ = std::move(matcher);
  pipeline_->SetMatcher(matcher_);
  pipeline_->SetTimeout(kept.timeout);
  base::LogInfo("reloaded %s: %zu stanza(s), timeout %ds", config_.path, matcher_->stanzas().size(),
                static_cast<int>(kept.timeout));
}

void Daemon::Dump() {
  const table::RelaySnapshot records = table_.Snapshot(clock_.Now());
  absl::Status st =
      outputs_.dump_dir.WriteFileAtomically(outputs_.dump_name, table::EncodeDump(records), 0640);
  if (st.ok()) {
    base::LogInfo("dumped %zu address(es) to %s", records.size(),
                  outputs_.dump_dir.PathOf(outputs_.dump_name));
  } else {
    base::LogError("cannot write the dump: %s", std::string(st.message()));
  }
  LogStats("so far");
}

void Daemon::LogStats(const char* when) { base::LogInfo("%s: %s", when, StatsText()); }

std::string Daemon::StatsText() const {
  const PipelineStats& p = pipeline_->stats();
  const ingest::ReaderCounts& r = reader_->counts();
  return absl::StrFormat(
      "%d bytes, %d lines, %d candidate lines, %d logins (%d by the fast extractor, %d "
      "new addresses, %d without a usable time, %d stamped in the future), %d live; skipped: "
      "%d stale logins, %d bad addresses, %d binary lines, %d oversized lines, %d logins from "
      "ignored networks, %d revoked; logs: %d rotations, %d truncations, %d open errors, %d read "
      "errors",
      p.bytes.load(), p.lines.load(), p.candidates.load(), p.logins.load(),
      p.fast_extractions.load(), p.new_addresses.load(), p.untimed.load(), p.future.load(),
      table_.size(), p.stale.load(), p.bad_address.load(), p.binary.load(),
      r.oversized_lines.load() + p.oversized.load(), p.ignored.load(), table_.revoked_logins(),
      r.rotations.load(), r.truncations.load(), r.open_errors.load(), r.read_errors.load());
}

int Daemon::ControlLoop() {
  // Expiries and flushes follow the wall clock in seconds; publishes are
  // paced in monotonic milliseconds.
  int64_t publish_due_ms = kNeverMs;
  UnixSeconds next_flush = clock_.Now() + config_.settings.flush;
  for (;;) {
    UnixSeconds wall_deadline = std::min(table_.NextExpiry(), next_flush);
    int64_t timeout_ms =
        publish_due_ms == kNeverMs ? kNeverMs : publish_due_ms - base::MonotonicMillis();
    if (wall_deadline != table::RelayTable::kNever) {
      const int64_t now_ms = clock_.NowMicros() / 1000;  // The table's frame, as expiries.
      timeout_ms = std::min(timeout_ms, wall_deadline * 1000 - now_ms);
    }
    struct pollfd fds[2] = {{signal_fd_.get(), POLLIN, 0}, {event_fd_.get(), POLLIN, 0}};
    int n = ::poll(fds, 2,
                   timeout_ms == kNeverMs
                       ? -1
                       : static_cast<int>(std::clamp<int64_t>(timeout_ms, 0, 3600000)));
    if (n < 0 && errno != EINTR) {
      base::LogError("poll: %s", std::strerror(errno));
      return EX_OSERR;
    }
    UnixSeconds now = clock_.Now();
    int64_t now_ms = base::MonotonicMillis();
    if (n > 0 && (fds[0].revents & POLLIN)) {
      struct signalfd_siginfo si;
      while (::read(signal_fd_.get(), &si, sizeof si) == sizeof si) {
        switch (si.ssi_signo) {
          case SIGTERM:
          case SIGINT:
            base::LogInfo("caught %s; publishing and exiting",
                          strsignal(static_cast<int>(si.ssi_signo)));
            return 0;
          case SIGHUP:
            Reload();
            break;
          case SIGUSR1:
            Dump();
            break;
          case SIGALRM:
            publish_due_ms = now_ms;
            break;
        }
        struct pollfd again = {signal_fd_.get(), POLLIN, 0};
        if (::poll(&again, 1, 0) <= 0) break;
      }
    }
    if (n > 0 && (fds[1].revents & POLLIN)) {
      uint64_t count;
      (void)!::read(event_fd_.get(), &count, sizeof count);
      control_->RunPending(Hooks());
      if (pipeline_done_.load()) {
        if (options_.once) return 0;
        base::LogError("the log reader stopped unexpectedly");
        return EX_SOFTWARE;
      }
      // The first new address after a quiet spell goes out at once; a burst
      // is coalesced into one publish per interval.
      publish_due_ms =
          std::min(publish_due_ms,
                   std::max(now_ms, last_publish_ms_ + config_.settings.publish_interval_ms));
    }
    if (now >= table_.NextExpiry()) {
      std::vector<match::IpAddress> expired;
      if (table_.Expire(now, base::LogDebugEnabled() ? &expired : nullptr) > 0) {
        publish_due_ms = now_ms;
      }
      for (const match::IpAddress& a : expired) base::LogDebug("expired %s", a.ToString());
    }
    if (now >= next_flush) {
      // Refreshed logins moved expiries: save them, at most once per flush.
      if (pipeline_->stats().refreshed.load() != refreshed_at_publish_) publish_due_ms = now_ms;
      LogStats("periodic");
      next_flush = now + config_.settings.flush;
    }
    if (now_ms >= publish_due_ms) {
      publish_due_ms = Publish(now, "change") ? kNeverMs : now_ms + kPublishRetryMs;
    }
  }
}

void Daemon::Shutdown() {
  control_->Stop();
  if (socketmap_) socketmap_->Stop();
  reader_->Stop();
  if (reader_thread_.joinable()) reader_thread_.join();
  // The reader closed the ring; the pipeline finishes what was read.
  if (pipeline_thread_.joinable()) pipeline_thread_.join();
  UnixSeconds now = clock_.Now();
  table_.Expire(now);
  Publish(now, "exit");
  LogStats("exit");
}

ControlHooks Daemon::Hooks() {
  ControlHooks h;
  h.table = &table_;
  h.clock = &clock_;
  h.ignore = &ignore_;
  h.timeout = [this] { return config_.settings.timeout; };
  h.publish = [this](const char* why) {
    if (absl::string_view(why) == "exactctl add") ++manual_grants_;
    if (absl::string_view(why) == "exactctl remove") ++manual_revokes_;
    return Publish(clock_.Now(), why);
  };
  h.reload = [this] {
    Reload();
    return absl::StrCat("reloaded ", config_.path, " (exact's log says what changed)\n");
  };
  h.stats = [this] { return absl::StrCat(StatsText(), "; ", table_.size(), " live\n"); };
  h.config = [this] { return EffectiveConfig(config_, matcher_->stanzas().size()); };
  h.metrics = [this] { return Metrics(); };
  return h;
}

std::string Daemon::Metrics() {
  const PipelineStats& p = pipeline_->stats();
  const ingest::ReaderCounts& r = reader_->counts();
  MetricsInputs in;
  in.version = kVersion;
  const std::vector<base::LogPosition> positions = book_.Positions();
  const int64_t now_s = clock_.Now();
  behind_since_.resize(config_.settings.maillog.size(), 0);
  for (size_t i = 0; i < config_.settings.maillog.size(); ++i) {
    LogMetrics l;
    l.path = config_.settings.maillog[i];
    if (const LogCounts* c = pipeline_->log_counts(i)) {
      l.bytes = c->bytes.load();
      l.lines = c->lines.load();
    }
    struct stat st;
    if (l.path != "-" && ::stat(l.path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      uint64_t applied = 0;
      for (const base::LogPosition& pos : positions) {
        if (pos.index == i && pos.dev == st.st_dev && pos.ino == st.st_ino) applied = pos.offset;
      }
      const uint64_t size = static_cast<uint64_t>(st.st_size);
      l.lag_bytes = size > applied ? size - applied : 0;
    }
    if (l.lag_bytes == 0) {
      behind_since_[i] = 0;
    } else if (behind_since_[i] == 0) {
      behind_since_[i] = now_s;
    }
    l.lag_seconds = behind_since_[i] == 0 ? 0 : now_s - behind_since_[i];
    in.logs.push_back(std::move(l));
  }
  in.candidates = p.candidates.load();
  in.logins_by_stanza = pipeline_->LoginsByStanza();
  in.bad_address = p.bad_address.load();
  in.stale = p.stale.load();
  in.ignored = p.ignored.load();
  in.binary = p.binary.load();
  in.oversized = p.oversized.load() + r.oversized_lines.load();
  in.revoked = table_.revoked_logins();
  in.new_addresses = p.new_addresses.load();
  in.refreshed = p.refreshed.load();
  in.manual_grants = manual_grants_;
  in.manual_revokes = manual_revokes_;
  in.live = table_.size();
  in.publishes = publishes_;
  in.publish_failures = publish_failures_;
  in.publish_seconds = &publish_seconds_;
  in.rotations = r.rotations.load();
  in.truncations = r.truncations.load();
  in.open_errors = r.open_errors.load();
  in.read_errors = r.read_errors.load();
  in.socketmap = socketmap_ != nullptr;
  if (socketmap_) {
    in.socketmap_hits = socketmap_->hits();
    in.socketmap_misses = socketmap_->misses();
  }
  return RenderMetrics(in);
}

void Daemon::WriteMetricsFile() {
  const std::string& path = config_.settings.metrics_textfile;
  if (path.empty() || !pipeline_) return;
  // Written whole and renamed into place: node_exporter never reads half.
  auto [dir, name] = base::SplitPath(path);
  absl::StatusOr<base::Directory> d = base::Directory::Open(dir);
  absl::Status st = d.ok() ? d->WriteFileAtomically(name, Metrics(), 0644) : d.status();
  static bool reported = false;  // Once per run: a full disk would flood the log otherwise.
  if (!st.ok() && !reported) {
    base::LogError("cannot write the metrics textfile %s: %s", path, std::string(st.message()));
  }
  reported = !st.ok();
}

}  // namespace

int RunDaemon(const DaemonOptions& options) {
  Daemon daemon(options);
  int rc = daemon.Run();
  return rc < 0 ? 0 : rc;
}

}  // namespace exact::daemon
