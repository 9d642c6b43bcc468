// Live-tail latency: runs the real exact daemon on a log that grows at a
// fixed line rate (Postfix-like noise from the generator), appends a login
// from a fresh address every 50 ms, and measures how long each takes to be
// found (a) in the published LMDB map and (b) through the socketmap.
//   latency_bench EXACT SERVERS.CONF [LINES_PER_SECOND] [SECONDS]
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "src/base/files.h"
#include "src/config/exact_conf.h"
#include "src/publish/map_reader.h"
#include "src/publish/socketmap_server.h"
#include "tools/loggen/log_generator.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Probe {
  std::string address;
  Clock::time_point written;
  double map_ms = -1, socketmap_ms = -1;
};

bool SocketmapHas(const std::string& path, const std::string& address) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path.c_str());
  bool found = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun) == 0) {
    std::string req = exact::publish::Netstring("relay " + address);
    char buf[128];
    if (::write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      found = n > 4 && std::string(buf, static_cast<size_t>(n)).find(":OK") != std::string::npos;
    }
  }
  ::close(fd);
  return found;
}

void Report(const char* what, std::vector<double> v) {
  v.erase(std::remove(v.begin(), v.end(), -1.0), v.end());
  if (v.empty()) {
    std::printf("%-10s no probe was seen\n", what);
    return;
  }
  std::sort(v.begin(), v.end());
  auto pct = [&](double p) { return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))]; };
  std::printf("%-10s probes %zu  p50 %.0f ms  p99 %.0f ms  max %.0f ms\n", what, v.size(), pct(0.5),
              pct(0.99), v.back());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: latency_bench EXACT SERVERS.CONF [LINES_PER_SECOND] [SECONDS]\n");
    return 64;
  }
  int rate = 100000, seconds = 20;
  if (argc > 3 && !absl::SimpleAtoi(argv[3], &rate)) return 64;
  if (argc > 4 && !absl::SimpleAtoi(argv[4], &seconds)) return 64;
  char tmpl[] = "/tmp/exact-latency-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string log = dir + "/mail.log", sock = dir + "/socket";
  std::ofstream(log).close();
  std::ofstream(dir + "/exact.conf")
      << "user root\npidfile " << dir << "/pid\nmaillog " << log << "\nserverdefs "
      << exact::base::AbsolutePath(argv[2]) << "\nserver dovecot\nauthtype lmdb\nauthfile " << dir
      << "/relay\ndumpfile " << dir << "/dump\ntimeout 3600\nsocketmap unix:" << sock << "\n";
  pid_t daemon = ::fork();
  if (daemon == 0) {
    ::execl(argv[1], argv[1], "-f", "-c", (dir + "/exact.conf").c_str(), nullptr);
    std::_Exit(127);
  }
  while (::access(sock.c_str(), F_OK) != 0) {
    if (::waitpid(daemon, nullptr, WNOHANG) == daemon) {
      std::fprintf(stderr, "latency_bench: exact exited at start\n");
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  std::mutex mu;
  std::vector<Probe> probes;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    exact::loggen::GeneratorOptions o;
    o.login_share = 0;
    o.failure_share = 0.02;
    exact::loggen::LogGenerator gen(o);
    FILE* f = std::fopen(log.c_str(), "a");
    const int per_ms = std::max(1, rate / 1000);
    auto next = Clock::now();
    int probe_id = 0;
    for (int ms = 0; ms < seconds * 1000; ++ms) {
      std::string chunk;
      for (int i = 0; i < per_ms; ++i) gen.AppendLine(&chunk);
      if (ms % 50 == 0) {
        std::string ip = absl::StrCat("10.250.", probe_id / 250, ".", probe_id % 250 + 1);
        ++probe_id;
        chunk += absl::StrCat(
            "Nov 22 10:00:00 mx dovecot: imap-login: Login: user=<p>, method=PLAIN, rip=", ip,
            ", lip=192.0.2.1, mpid=1, session=<x>\n");
        std::fwrite(chunk.data(), 1, chunk.size(), f);
        std::fflush(f);
        std::lock_guard<std::mutex> l(mu);
        probes.push_back({ip, Clock::now()});
      } else {
        std::fwrite(chunk.data(), 1, chunk.size(), f);
        std::fflush(f);
      }
      next += std::chrono::milliseconds(1);
      std::this_thread::sleep_until(next);
    }
    std::fclose(f);
  });
  std::thread prober([&] {
    while (!done) {
      std::vector<Probe*> pending;
      {
        std::lock_guard<std::mutex> l(mu);
        for (Probe& p : probes) {
          if (p.map_ms < 0 || p.socketmap_ms < 0) pending.push_back(&p);
        }
      }
      auto map = exact::publish::ReadMapFile(exact::config::MapFormat::kLmdb, dir + "/relay.lmdb");
      auto now = Clock::now();
      for (Probe* p : pending) {
        double ms = std::chrono::duration<double, std::milli>(now - p->written).count();
        if (p->map_ms < 0 && map.ok()) {
          for (const auto& e : *map) {
            if (e.key == p->address) p->map_ms = ms;
          }
        }
        if (p->socketmap_ms < 0 && SocketmapHas(sock, p->address)) p->socketmap_ms = ms;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  writer.join();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  done = true;
  prober.join();
  ::kill(daemon, SIGTERM);
  ::waitpid(daemon, nullptr, 0);
  std::vector<double> map_ms, sm_ms;
  for (const Probe& p : probes) {
    map_ms.push_back(p.map_ms);
    sm_ms.push_back(p.socketmap_ms);
  }
  std::printf("log growing at %d lines/s for %d s, a new login every 50 ms\n", rate, seconds);
  Report("lmdb map", map_ms);
  Report("socketmap", sm_ms);
  std::system(absl::StrCat("rm -rf ", dir).c_str());
  return 0;
}
