// The control loop, reload, dump and shutdown. Start-up is in startup.cc.
#include "src/daemon/daemon.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <sysexits.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "src/base/log.h"
#include "src/daemon/loaded_config.h"
#include "src/daemon/readiness.h"

namespace exact::daemon {
namespace {

using base::UnixSeconds;

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
  const bool ok = publisher_->Publish(now, why);
  scheduler_->Published(ok);
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
  const PipelineStats& p = pipeline_->stats();
  const ingest::ReaderCounts& r = reader_->counts();
  base::LogInfo(
      "%s: %d bytes, %d lines, %d candidate lines, %d logins (%d by the fast extractor, %d "
      "new addresses, %d without a usable time, %d stamped in the future), %d live; skipped: "
      "%d stale logins, %d bad addresses, %d binary lines, %d oversized lines, %d logins from "
      "ignored networks; logs: %d rotations, %d truncations, %d open errors, %d read errors; "
      "scans: %d retried, %d failed (their logins lost)",
      when, p.bytes.load(), p.lines.load(), p.candidates.load(), p.logins.load(),
      p.fast_extractions.load(), p.new_addresses.load(), p.untimed.load(), p.future.load(),
      table_.size(), p.stale.load(), p.bad_address.load(), p.binary.load(),
      r.oversized_lines.load() + p.oversized.load(), p.ignored.load(), r.rotations.load(),
      r.truncations.load(), r.open_errors.load(), r.read_errors.load(), p.scan_retries.load(),
      p.scan_failures.load());
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
      if (pipeline_done_.load()) {
        if (options_.once) return 0;
        base::LogError("the log reader stopped unexpectedly");
        return EX_SOFTWARE;
      }
      sched.Changed();
    }
    const UnixSeconds now = clock_.Now();
    if (sched.ExpiryDue(table_.NextExpiry()) && table_.Expire(now) > 0) sched.Expired();
    if (sched.TakeFlush()) {
      // Refreshed logins moved expiries: save them, at most once per flush.
      if (pipeline_->stats().refreshed.load() != refreshed_at_publish_) sched.PublishNow();
      LogStats("periodic");
    }
    if (sched.PublishDue()) Publish(now, "change");
  }
}

void Daemon::Shutdown() {
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

int RunDaemon(const DaemonOptions& options) {
  Daemon daemon(options);
  int rc = daemon.Run();
  return rc < 0 ? 0 : rc;
}

}  // namespace exact::daemon
