// The control loop, reload, dump and shutdown. Start-up is in startup.cc.
#include "src/daemon/daemon.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/base/log.h"
#include "src/daemon/loaded_config.h"
#include "src/daemon/readiness.h"

namespace exact::daemon {
namespace {

using base::UnixSeconds;

int64_t MonotonicMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
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
  check(texts(a.socketmap_allow) != texts(b.socketmap_allow), "socketmap_allow");
  return changed;
}

std::unique_ptr<base::Clock> OwnClock(const DaemonOptions& options, const base::Clock* injected) {
  if (injected != nullptr) return nullptr;
  if (options.as_of_us != 0) {
    return std::make_unique<base::ShiftedClock>(options.as_of_us - base::RealClock().WallMicros());
  }
  return std::make_unique<base::RealClock>();
}

}  // namespace

Daemon::Daemon(const DaemonOptions& options, const base::Clock* clock)
    : options_(options),
      clock_holder_(OwnClock(options, clock)),
      clock_(clock != nullptr ? *clock : *clock_holder_) {}

int Daemon::Run() {
  int rc = Start();
  if (rc >= 0) StartupDone(rc);
  if (rc != 0) return rc;
  NotifyStatus(table_.size());
  rc = ControlLoop();
  NotifyStopping();
  Shutdown();
  return rc;
}

bool Daemon::Publish(UnixSeconds now, const char* why) {
  const int64_t started_us = MonotonicMicros();
  const bool ok = publisher_->Publish(now, why);
  publish_seconds_.Observe(static_cast<double>(MonotonicMicros() - started_us) / 1e6);
  ++publishes_;
  publish_failures_ += !ok;
  scheduler_->Published(ok);
  WriteMetricsFile();
  if (pipeline_) refreshed_at_publish_ = pipeline_->stats().refreshed.load();
  return ok;
}

bool Daemon::Reload() {
  config::Diagnostics diags;
  std::optional<LoadedConfig> loaded = LoadConfigAndMatcher(config_.path, &diags);
  LogDiagnostics(diags);
  if (!loaded) {
    base::LogError("reload of %s failed; keeping the running configuration", config_.path);
    return false;
  }
  const config::Settings& fresh = loaded->config.settings;
  for (const std::string& key : RestartOnlyChanges(config_.settings, fresh)) {
    base::LogWarning("`%s` changed; restart exact to apply it (keeping the old value)", key);
  }
  config::Settings kept = config_.settings;
  kept.timeout = fresh.timeout;
  kept.flush = fresh.flush;
  kept.suspicious = fresh.suspicious;
  kept.publish_interval_ms = fresh.publish_interval_ms;
  kept.servers = fresh.servers;
  kept.log_debug = fresh.log_debug;
  base::SetLogDebug(options_.debug || kept.log_debug);
  config_.settings = kept;
  config_.stanzas = loaded->config.stanzas;
  matcher_ = std::move(loaded->matcher);
  pipeline_->SetMatcher(matcher_);
  pipeline_->SetTimeout(kept.timeout);
  scheduler_->SetIntervals(kept.publish_interval_ms, kept.flush);
  base::LogInfo("reloaded %s: %zu stanza(s), timeout %ds", config_.path, matcher_->stanzas().size(),
                static_cast<int>(kept.timeout));
  return true;
}

void Daemon::Dump() {
  publisher_->Dump(clock_.Now());
  LogStats("so far");
}

void Daemon::LogStats(const char* when) {
  base::LogInfo("%s: %s", when, StatsText());
  if (socketmap_) {
    base::LogInfo("%s: %s", when, publish::FormatSocketmapCounters(socketmap_->counters()));
  }
  if (fleet_) base::LogInfo("%s: fleet: %s", when, fleet_->Summary());
  if (subscriber_) base::LogInfo("%s: fleet: %s", when, subscriber_->Summary());
}

void Daemon::ApplyFleetGrants(const std::vector<fleet::Grant>& grants) {
  const UnixSeconds now = clock_.Now();
  // Lived no longer than a login seen here would: a front end with a
  // longer timeout, or a clock ahead of ours, is held to ours.
  const UnixSeconds max_expiry = now + config_.settings.timeout;
  std::vector<table::RelayTable::Login> logins;
  for (const fleet::Grant& g : grants) {
    if (g.expiry <= now || ignore_.Contains(g.address)) continue;
    logins.push_back({g.address, "(fleet)", now, std::min(g.expiry, max_expiry)});
  }
  table_.UpsertAll(logins, now);
}

std::string Daemon::StatsText() const {
  const PipelineStats& p = pipeline_->stats();
  const ingest::ReaderCounts& r = reader_->counts();
  return absl::StrFormat(
      "%d bytes, %d lines, %d candidate lines, %d logins (%d by the fast extractor, %d "
      "new addresses, %d without a usable time, %d stamped in the future), %d live; skipped: "
      "%d stale logins, %d bad addresses, %d binary lines, %d oversized lines, %d logins from "
      "ignored networks, %d revoked; logs: %d rotations, %d truncations, %d open errors, %d read "
      "errors; scans: %d retried, %d failed (their logins lost)",
      p.bytes.load(), p.lines.load(), p.candidates.load(), p.logins.load(),
      p.fast_extractions.load(), p.new_addresses.load(), p.untimed.load(), p.future.load(),
      table_.size(), p.stale.load(), p.bad_address.load(), p.binary.load(),
      r.oversized_lines.load() + p.oversized.load(), p.ignored.load(), table_.revoked_logins(),
      r.rotations.load(), r.truncations.load(), r.open_errors.load(), r.read_errors.load(),
      p.scan_retries.load(), p.scan_failures.load());
}

int Daemon::ControlLoop() {
  Scheduler& sched = *scheduler_;
  for (;;) {
    struct pollfd fds[2] = {{signal_fd_.get(), POLLIN, 0}, {event_fd_.get(), POLLIN, 0}};
    int n = ::poll(fds, 2, sched.PollTimeoutMillis(table_.NextExpiry()));
    if (n < 0 && errno != EINTR) {
      base::LogError("poll: %s", std::strerror(errno));
      return EX_OSERR;
    }
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
            NotifyReloading();
            Reload();
            NotifyReloaded(table_.size());
            break;
          case SIGUSR1:
            Dump();
            break;
          case SIGALRM:
            sched.PublishNow();
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
      sched.Changed();
    }
    const UnixSeconds now = clock_.Now();
    if (sched.ExpiryDue(table_.NextExpiry())) {
      std::vector<match::IpAddress> expired;
      if (table_.Expire(now, base::LogDebugEnabled() ? &expired : nullptr) > 0) sched.Expired();
      for (const match::IpAddress& a : expired) base::LogDebug("expired %s", a.ToString());
    }
    if (sched.TakeFlush()) {
      // Refreshed logins moved expiries: save them, at most once per flush.
      if (pipeline_->stats().refreshed.load() != refreshed_at_publish_) sched.PublishNow();
      LogStats("periodic");
    }
    if (sched.PublishDue()) Publish(now, "change");
  }
}

void Daemon::Shutdown() {
  if (control_) control_->Stop();
  if (socketmap_) socketmap_->Stop();
  if (subscriber_) subscriber_->Stop();
  reader_->Stop();
  if (reader_thread_.joinable()) reader_thread_.join();
  // The reader closed the ring; the pipeline finishes what was read.
  if (pipeline_thread_.joinable()) pipeline_thread_.join();
  UnixSeconds now = clock_.Now();
  table_.Expire(now);
  Publish(now, "exit");
  if (fleet_) fleet_->Stop();
  LogStats("exit");
  if (pidfile_) pidfile_->Remove();
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
    return Reload() ? absl::StrCat("reloaded ", config_.path, " (exact's log says what changed)\n")
                    : absl::StrCat("reload of ", config_.path,
                                   " refused; the running configuration is kept (exact's log "
                                   "says why)\n");
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
  in.version = kExactVersion;
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
  in.untrusted = p.untrusted.load();
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
  in.scan_retries = p.scan_retries.load();
  in.scan_failures = p.scan_failures.load();
  in.socketmap = socketmap_ != nullptr;
  if (socketmap_) in.socketmap_counters = socketmap_->counters();
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

int RunDaemon(const DaemonOptions& options) {
  Daemon daemon(options);
  int rc = daemon.Run();
  return rc < 0 ? 0 : rc;
}

}  // namespace exact::daemon
