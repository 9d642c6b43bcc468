#!/usr/bin/python3
"""The socketmap under attack, through the real daemon and Postfix's postmap.

usage: socketmap_attack.py EXACT SRC

Starts exact with `socketmap unix:DIR/socket` and one live login, then at
once: 8 clients that write requests and never read, 1,000 idle connections,
and an oversized request. While they hold on, `postmap -q` through
`socketmap:` must still answer, and the daemon's RSS (VmRSS in
/proc/PID/status) must stay under RSS_BOUND_KIB; at SIGTERM the statistics
line must count each limit (reads paused, evicted at the connection limit,
oversized). Then an `inet:` socketmap beyond loopback without
socketmap_allow must be refused, by --check and at start, with EX_CONFIG
and a message; and `inet:[::1]:PORT` must answer postmap.

Waits are bounded only so that a broken daemon cannot hang the run; none is
a performance assertion. Thread safety: single-threaded.
"""

import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

# The daemon's whole RSS: its own ~10-30 MiB, plus what the attack could make
# it hold (the memory cap is 8 MiB of buffers, 256 connections).
RSS_BOUND_KIB = 64 * 1024
EX_CONFIG = 78

passed = 0
failed = 0


def check(what, ok):
    global passed, failed
    print(("PASS " if ok else "FAIL ") + what, flush=True)
    if ok:
        passed += 1
    else:
        failed += 1


def wait_until(seconds, predicate):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def netstring(payload):
    data = payload.encode()
    return b"%d:%s," % (len(data), data)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def write_conf(d, src, socketmap, extra=""):
    path = os.path.join(d, "exact.conf")
    with open(path, "w") as f:
        f.write(
            "user root\npidfile {d}/exact.pid\nmaillog {d}/mail.log\n"
            "serverdefs {src}/conf/exact-servers.conf\nserver dovecot\nauthtype text\n"
            "authfile {d}/relay\ndumpfile {d}/dump\ntimeout 3600\nsocketmap {sm}\n{extra}".format(
                d=d, src=src, sm=socketmap, extra=extra))
    return path


def postmap(d, table, key):
    try:
        r = subprocess.run(["postmap", "-c", os.path.join(d, "pf"), "-q", key, table],
                           capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return None, "timed out"
    return r.returncode, r.stdout.strip() + r.stderr.strip()


def main():
    exact, src = sys.argv[1], sys.argv[2]
    if shutil.which("postmap") is None:
        print("FAIL postmap is not installed (tools/setup installs it)")
        return 1
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    d = tempfile.mkdtemp(prefix="exact-socketmap-")
    os.mkdir(os.path.join(d, "pf"))
    open(os.path.join(d, "pf", "main.cf"), "w").close()
    stamp = time.strftime("%b %e %H:%M:%S")
    with open(os.path.join(d, "mail.log"), "w") as f:
        f.write("%s mx dovecot: imap-login: Login: user=<alice>, method=PLAIN, rip=192.0.2.10, "
                "lip=192.0.2.1, mpid=1, session=<x>\n" % stamp)
    sock = os.path.join(d, "socket")
    table = "socketmap:unix:%s:relay" % sock
    conf = write_conf(d, src, "unix:" + sock)
    stderr = open(os.path.join(d, "stderr"), "w")
    proc = subprocess.Popen([exact, "-f", "-c", conf], stderr=stderr)
    clients = []
    try:
        def log():
            with open(os.path.join(d, "stderr")) as f:
                return f.read()

        check("the daemon starts", wait_until(20, lambda: "info: started:" in log()))
        rc, out = postmap(d, table, "192.0.2.10")
        check("postmap -q finds the login through socketmap: (%s)" % out,
              rc == 0 and re.fullmatch(r"\d+", out) is not None)
        rss_before = rss_kib(proc.pid)

        # Clients that write requests and never read.
        request = netstring("relay 192.0.2.10") * 4096
        for _ in range(8):
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.connect(sock)
            c.setblocking(False)
            clients.append(c)
        sent = [0] * len(clients)  # Whole netstrings: a short send resumes where it stopped.
        quiet = 0
        for _ in range(1000):  # Until neither the kernel nor exact takes more.
            progress = 0
            for i, c in enumerate(clients):
                try:
                    while True:
                        n = c.send(request[sent[i] % len(request):])
                        sent[i] += n
                        progress += n
                except BlockingIOError:
                    pass
            quiet = quiet + 1 if progress == 0 else 0
            if quiet == 5:
                break
            time.sleep(0.02)
        sent = sum(sent)
        check("the never-reading clients were stopped (%d bytes sent)" % sent, sent > 0)

        # An oversized request: closed by the server.
        big = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        big.connect(sock)
        big.sendall(b"100001:relay ")
        big.settimeout(10)
        try:
            closed = big.recv(100) == b""
        except (ConnectionResetError, socket.timeout):
            closed = False
        check("an oversized request closes its connection", closed)
        big.close()

        # 1,000 idle connections.
        idle = []
        for _ in range(1000):
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.connect(sock)
            idle.append(c)
        clients.extend(idle)

        answers = 0
        for _ in range(5):
            rc, out = postmap(d, table, "192.0.2.10")
            answers += rc == 0 and re.fullmatch(r"\d+", out) is not None
            rc, out = postmap(d, table, "192.0.2.99")
            answers += rc == 1
        check("postmap -q answers right during the attack (%d of 10)" % answers, answers == 10)
        rss_during = rss_kib(proc.pid)
        check("the daemon's RSS stays under %d KiB (%d before, %d during)" %
              (RSS_BOUND_KIB, rss_before, rss_during), 0 < rss_during < RSS_BOUND_KIB)

        proc.send_signal(signal.SIGTERM)
        check("SIGTERM exits 0", proc.wait(timeout=30) == 0)
        m = re.search(r"exit: socketmap: (\d+) connections .* (\d+) requests; limits: (\d+) reads "
                      r"paused, (\d+) idle timeouts, (\d+) oversized requests, (\d+) malformed, "
                      r"(\d+) evicted", log())
        check("the exit statistics list the socketmap's counters", m is not None)
        if m:
            accepted, requests, paused, _, oversized, malformed, evicted = map(int, m.groups())
            check("reads were paused for the clients that never read (%d)" % paused, paused >= 8)
            check("the oversized request was counted (%d)" % oversized, oversized == 1)
            check("no request was malformed (%d)" % malformed, malformed == 0)
            check("idle connections were evicted at the limit (%d of %d accepted)" %
                  (evicted, accepted), evicted >= 1000 + 8 + 1 - 256)
            check("every lookup was answered and counted (%d)" % requests, requests >= 11)
    finally:
        for c in clients:
            c.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    # inet: beyond loopback needs socketmap_allow.
    conf = write_conf(d, src, "inet:0.0.0.0:10026")
    r = subprocess.run([exact, "--check", "-c", conf], capture_output=True, text=True, timeout=30)
    want = "listens beyond loopback, and the protocol has no authentication"
    check("--check refuses inet:0.0.0.0 without socketmap_allow (%d)" % r.returncode,
          r.returncode == EX_CONFIG and want in r.stderr)
    r = subprocess.run([exact, "-f", "-c", conf], capture_output=True, text=True, timeout=30)
    check("so does start-up, with the same message (%d)" % r.returncode,
          r.returncode == EX_CONFIG and want in r.stderr)
    conf = write_conf(d, src, "inet:0.0.0.0:10026", "socketmap_allow 127.0.0.0/8\n")
    r = subprocess.run([exact, "--check", "-c", conf], capture_output=True, text=True, timeout=30)
    check("with socketmap_allow it passes --check (%d)" % r.returncode, r.returncode == 0)

    # IPv6 loopback, on a free port.
    probe = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    probe.bind(("::1", 0))
    port = probe.getsockname()[1]
    probe.close()
    conf = write_conf(d, src, "inet:[::1]:%d" % port)
    stderr = open(os.path.join(d, "stderr6"), "w")
    proc = subprocess.Popen([exact, "-f", "-c", conf], stderr=stderr)
    try:
        started = wait_until(20, lambda: "info: started:" in open(os.path.join(d, "stderr6")).read())
        check("the daemon starts on inet:[::1]:%d" % port, started)
        rc, out = postmap(d, "socketmap:inet:[::1]:%d:relay" % port, "192.0.2.10")
        check("postmap -q finds the login through socketmap:inet:[::1] (%s)" % out,
              rc == 0 and re.fullmatch(r"\d+", out) is not None)
        proc.send_signal(signal.SIGTERM)
        check("SIGTERM exits 0", proc.wait(timeout=30) == 0)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    print("%d passed, %d failed" % (passed, failed))
    if failed == 0:
        shutil.rmtree(d)
    else:
        print("kept " + d)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
