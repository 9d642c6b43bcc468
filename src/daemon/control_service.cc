// exactctl's commands and the metrics listener, run on the control loop.
#include "src/daemon/control_service.h"

#include <sysexits.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/base/log.h"
#include "src/config/exact_conf.h"
#include "src/metrics/http_request.h"

namespace exact::daemon {
namespace {

using control::Request;
using control::Response;

// A manual grant is an operator's decision, but not a permanent one.
constexpr int64_t kMaxGrantSeconds = 30 * 86400;
constexpr int kServeTimeoutMs = 5000;

std::string JsonString(absl::string_view s) {
  // Printable first: JSON must be UTF-8, a user name need not be.
  const std::string p = base::Printable(s, 1024);
  std::string out = "\"";
  for (char c : p) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppendFormat(&out, "\\u%04x", c);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

std::optional<match::IpAddress> AddressArg(const Request& r, Response* error) {
  if (r.args.empty()) {
    *error = {EX_USAGE, absl::StrCat("exact: ", r.command, " needs an ADDRESS\n")};
    return std::nullopt;
  }
  std::optional<match::IpAddress> a = match::IpAddress::Parse(r.args[0]);
  if (!a) {
    *error = {EX_DATAERR, absl::StrCat("exact: \"", r.args[0], "\" is not an IP address\n")};
  }
  return a;
}

Response Show(const std::optional<table::RelayRecord>& rec, const match::IpAddress& a) {
  if (!rec) return {1, absl::StrCat(a.ToString(), " is not live\n")};
  return {0, absl::StrCat(rec->address.ToString(), "\t", base::Printable(rec->user), "\t",
                          base::FormatLocalTime(rec->last_login), "\t",
                          base::FormatLocalTime(rec->expiry), "\n")};
}

}  // namespace

std::string ListJson(const table::RelaySnapshot& snapshot) {
  std::string out = "[";
  bool first = true;
  for (const table::RecordView r : snapshot) {
    absl::StrAppend(&out, first ? "\n" : ",\n", "{\"address\":", JsonString(r.address.ToString()),
                    ",\"user\":", JsonString(r.user()), ",\"last_login\":", r.last_login,
                    ",\"expiry\":", r.expiry, "}");
    first = false;
  }
  out += first ? "]\n" : "\n]\n";
  return out;
}

Response ExecuteControl(const Request& r, uid_t peer_uid, const ControlHooks& hooks) {
  const base::UnixSeconds now = hooks.clock->Now();
  auto no_args = [&](size_t allowed) { return r.args.size() <= allowed; };
  if (r.command == "list") {
    const bool json = r.args.size() == 1 && r.args[0] == "--json";
    if (!r.args.empty() && !json) return {EX_USAGE, "exact: list takes only --json\n"};
    const table::RelaySnapshot snapshot = hooks.table->Snapshot(now);
    if (json) return {0, ListJson(snapshot)};
    std::string out;
    for (const table::RecordView v : snapshot) {
      absl::StrAppend(&out, v.address.ToString(), "\t", base::Printable(v.user()), "\t",
                      base::FormatLocalTime(v.last_login), "\t", base::FormatLocalTime(v.expiry),
                      "\n");
    }
    return {0, out};
  }
  if (r.command == "show") {
    Response error;
    std::optional<match::IpAddress> a = AddressArg(r, &error);
    if (!a) return error;
    if (!no_args(1)) return {EX_USAGE, "exact: show takes one ADDRESS\n"};
    return Show(hooks.table->Lookup(*a, now), *a);
  }
  if (r.command == "add") {
    Response error;
    std::optional<match::IpAddress> a = AddressArg(r, &error);
    if (!a) return error;
    int64_t seconds = hooks.timeout();
    std::string user = "exactctl";
    for (size_t i = 1; i < r.args.size(); i += 2) {
      if (i + 1 >= r.args.size())
        return {EX_USAGE, absl::StrCat("exact: ", r.args[i], " needs a value\n")};
      if (r.args[i] == "--for") {
        if (!config::ParseDuration(r.args[i + 1], &seconds) || seconds > kMaxGrantSeconds) {
          return {EX_USAGE, absl::StrCat("exact: --for takes a duration up to 30d (600, 30m, "
                                         "2h, 1d); got \"",
                                         r.args[i + 1], "\"\n")};
        }
      } else if (r.args[i] == "--user") {
        user = r.args[i + 1];
      } else {
        return {EX_USAGE, absl::StrCat("exact: add does not take ", r.args[i], "\n")};
      }
    }
    if (!a->IsUnicast()) {
      return {EX_DATAERR, absl::StrCat("exact: ", a->ToString(), " is not a unicast address\n")};
    }
    if (hooks.ignore->Contains(*a)) {
      return {EX_DATAERR,
              absl::StrCat("exact: ", a->ToString(), " is in an `ignore` network; not granted\n")};
    }
    hooks.table->Upsert(*a, user, now, seconds);
    base::LogInfo("manual grant of %s to \"%s\" for %ds (exactctl, uid %d)", a->ToString(),
                  base::Printable(user, 64), seconds, peer_uid);
    if (!hooks.publish("exactctl add")) {
      return {EX_CANTCREAT, "exact: granted, but the publish failed (see exact's log)\n"};
    }
    return Show(hooks.table->Lookup(*a, now), *a);
  }
  if (r.command == "remove") {
    Response error;
    std::optional<match::IpAddress> a = AddressArg(r, &error);
    if (!a) return error;
    if (!no_args(1)) return {EX_USAGE, "exact: remove takes one ADDRESS\n"};
    const bool was_live = hooks.table->Remove(*a, {now, now + hooks.timeout()}, now);
    base::LogInfo("revoked %s%s until its next login (exactctl, uid %d)", a->ToString(),
                  was_live ? "" : " (not live)", peer_uid);
    if (!hooks.publish("exactctl remove")) {
      return {EX_CANTCREAT, "exact: revoked, but the publish failed (see exact's log)\n"};
    }
    return {0, absl::StrCat("revoked ", a->ToString(), was_live ? "" : " (it was not live)",
                            " until its next login\n")};
  }
  if (!no_args(0)) return {EX_USAGE, absl::StrCat("exact: ", r.command, " takes no argument\n")};
  if (r.command == "flush") {
    if (!hooks.publish("exactctl flush")) {
      return {EX_CANTCREAT, "exact: the publish failed (see exact's log)\n"};
    }
    return {0, absl::StrCat("published ", hooks.table->Snapshot(now).size(), " address(es)\n")};
  }
  if (r.command == "stats") return {0, hooks.stats()};
  if (r.command == "reload") {
    base::LogInfo("reload asked by exactctl (uid %d)", peer_uid);
    return {0, hooks.reload()};
  }
  if (r.command == "config") return {0, hooks.config()};
  return {EX_USAGE, absl::StrCat("exact: unknown command \"", r.command, "\"\n")};
}

absl::StatusOr<std::unique_ptr<ControlService>> ControlService::Listen(
    const std::string& socket_path, uid_t owner, gid_t socket_group, gid_t allowed_group,
    const std::string& metrics_listen) {
  auto service = std::unique_ptr<ControlService>(new ControlService);
  service->allowed_group_ = allowed_group;
  if (!socket_path.empty() && socket_path != "none") {
    auto s = control::StreamServer::ListenUnix(socket_path, owner, socket_group);
    if (!s.ok()) return s.status();
    service->control_ = std::move(*s);
  }
  if (!metrics_listen.empty()) {
    auto s = control::StreamServer::ListenLoopback(metrics_listen);
    if (!s.ok()) return s.status();
    service->metrics_ = std::move(*s);
  }
  return service;
}

ControlService::~ControlService() { Stop(); }

bool ControlService::RunOnLoop(Task task) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> wait = done->get_future();
  {
    base::MutexLock lock(&mu_);
    if (stopping_) return false;
    tasks_.emplace_back(std::move(task), done);
  }
  wake_();
  wait.wait();
  return true;
}

void ControlService::Start(std::function<void()> wake) {
  wake_ = std::move(wake);
  if (control_) {
    control_->Start(
        control::kMaxRequestBytes, kServeTimeoutMs,
        [this](absl::string_view in, const control::Peer& peer,
               bool final) -> std::optional<std::string> {
          if (!control::PeerIsAllowed(peer, ::geteuid(), allowed_group_)) {
            base::LogWarning(
                "control socket: refused uid %d (not root, exact or "
                "in `controlgroup`)",
                static_cast<int>(peer.uid));
            return control::EncodeResponse({EX_NOPERM,
                                            "exact: not allowed (root, exact's user or a member of "
                                            "`controlgroup` only)\n"});
          }
          if (in.find('\n') == absl::string_view::npos && !final) return std::nullopt;
          absl::StatusOr<control::Request> r = control::ParseRequest(in);
          if (!r.ok()) {
            return control::EncodeResponse(
                {EX_PROTOCOL, absl::StrCat("exact: ", r.status().message(), "\n")});
          }
          control::Response out{EX_UNAVAILABLE, "exact: exact is stopping\n"};
          const uid_t uid = peer.uid;
          RunOnLoop(
              [&out, &r, uid](const ControlHooks& hooks) { out = ExecuteControl(*r, uid, hooks); });
          return control::EncodeResponse(out);
        });
  }
  if (metrics_) {
    metrics_->Start(metrics::kMaxHeadBytes, kServeTimeoutMs,
                    [this](absl::string_view in, const control::Peer&,
                           bool final) -> std::optional<std::string> {
                      return metrics::MetricsReply(in, final, [this] {
                        std::string text = "# exact is stopping\n";
                        RunOnLoop([&text](const ControlHooks& hooks) { text = hooks.metrics(); });
                        return text;
                      });
                    });
  }
}

void ControlService::RunPending(const ControlHooks& hooks) {
  for (;;) {
    std::pair<Task, std::shared_ptr<std::promise<void>>> next;
    {
      base::MutexLock lock(&mu_);
      if (tasks_.empty()) return;
      next = std::move(tasks_.front());
      tasks_.pop_front();
    }
    next.first(hooks);
    next.second->set_value();
  }
}

void ControlService::Stop() {
  {
    base::MutexLock lock(&mu_);
    stopping_ = true;
    for (auto& [task, done] : tasks_) done->set_value();  // Answered "stopping".
    tasks_.clear();
  }
  if (control_) control_->Stop();
  if (metrics_) metrics_->Stop();
}

}  // namespace exact::daemon
