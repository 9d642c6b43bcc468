#!/usr/bin/python3
"""The tailing torture test: logins written while exact is killed and restarted
and the log is rotated every way logrotate and syslog daemons do it, then the
published map compared with every login that was written.

usage: torture.py EXACT SRC [--lines N --logins N --rotations N --kills N --seed N]

One process, one thread: the writer, the rotations and the kills are steps of
one loop driven by a seeded random schedule, so a run is reproducible up to the
daemon's own timing and nothing here races with itself. The log is paced at
--rate lines a second and written in bursts; about 1 % of the lines are written
in two write() calls 1-20 ms apart, torn at a random byte.

Rotations take turns:
  rename       logrotate's default: shift mail.log.N to N+1 (at most 5 kept),
               mv mail.log mail.log.1, create mail.log. The writer goes on
               appending 0-20 lines to the renamed file, as syslog does until
               it is told to reopen, and then reopens.
  copytruncate shift, copy mail.log to mail.log.1, truncate mail.log to 0. The
               writer is paused across the copy and the truncate: a line
               written between the two is lost for every reader, so it could
               only be left out of the truth; pausing keeps every line fair.
  delete       rm mail.log, create it anew.
Nothing exact has not finished is deleted: before mail.log is removed, or the
oldest generation dropped, the harness waits (bounded) until the last login
written to that file is in the map, starting exact first if it is down (up to
--catchup-wait, 5 s; 0.5 s once five such waits have timed out, so that a
binary that loses files still finishes in time; each is reported). At most
two rotations happen while exact is down (from the kill until the new process
logs "started:").

Kills: --kills SIGKILLs, half right after a rotation and half at a random line
(mid-burst, or between the two halves of a torn line), each followed by 0-300 ms
of down time in which the writer keeps writing, then a restart with the same
command. Run N's stderr is DIR/stderr.N; DIR/events logs every rotation, kill,
restart and unfinished delete with the number of logins written before it, and
the report lists each range of consecutive lost logins (login k is 10.a.b.c for
k = a<<16 | b<<8 | c) with the events logged while it was written.

At the end the writer stops, the map is awaited until it holds still, and its
addresses are compared with the truth (the address of every successful login;
each login has its own address, 10.a.b.c). Noise (Postfix lines, failed and
aborted Dovecot logins, a sender address shaped like a login) uses other
addresses and must never be published. Then SIGTERM must exit 0. Exit status 0
only when nothing is lost, nothing is extra and TERM exits 0; on failure the
scratch directory is kept and its path printed.

Waits are bounded only so that a broken daemon cannot hang the run; none is a
performance assertion. Thread safety: single-threaded.
"""

import argparse
import ctypes
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

KEEP_GENERATIONS = 5
MAX_ROTATIONS_WHILE_DOWN = 2
STARTUP_WAIT = 20.0  # A restart that does not log "started:" by then is a failure.
SETTLE_QUIET = 2.0  # The map must be unchanged this long at the end ...
SETTLE_LIMIT = 30.0  # ... within this long.
TERM_WAIT = 20.0
MAX_SELF_EXITS = 5  # Runs that exit by themselves are restarted this often, then the run ends.
PR_SET_PDEATHSIG = 1


def login_address(k):
    return "10.%d.%d.%d" % ((k >> 16) & 255, (k >> 8) & 255, k & 255)


def stamp():
    # Python leaves LC_TIME at "C", so %b is the English month syslog writes.
    return time.strftime("%b %e %H:%M:%S")


class Lines:
    """Makes the log lines: successful logins and every kind of noise."""

    def __init__(self, rng):
        self.rng = rng

    def login(self, k):
        r = self.rng
        tag = "dovecot" if r.random() < 0.7 else "dovecot[%d]" % r.randint(100, 99999)
        service = r.choice(("imap-login", "pop3-login"))
        info = "Info: " if r.random() < 0.2 else ""
        return ("%s mx %s: %s: %sLogin: user=<u%d>, method=PLAIN, rip=%s, lip=192.0.2.1, "
                "mpid=%d, session=<%08x>\n" % (stamp(), tag, service, info, k, login_address(k),
                                               r.randint(1, 99999), r.getrandbits(32)))

    def noise(self):
        r = self.rng
        ip = "172.%d.%d.%d" % (r.randint(16, 31), r.randint(0, 255), r.randint(1, 254))
        pid = r.randint(100, 99999)
        qid = "%010X" % r.getrandbits(40)
        kind = r.randrange(6)
        if kind == 0:
            body = "postfix/smtpd[%d]: connect from unknown[%s]" % (pid, ip)
        elif kind == 1:
            body = ("postfix/smtp[%d]: %s: to=<u%d@example.org>, relay=mx.example.org[%s]:25, "
                    "delay=0.4, dsn=2.0.0, status=sent (250 2.0.0 Ok)" % (pid, qid,
                                                                       r.randint(1, 9999), ip))
        elif kind == 2:
            # A sender address shaped like a login: the stanza's anchor on the
            # program tag must keep it out of the map.
            body = ("postfix/qmgr[%d]: %s: from=<imap-login: Login: user=<evil>, method=PLAIN, "
                    "rip=%s, lip=192.0.2.1>, size=%d, nrcpt=1 (queue active)" % (
                        pid, qid, ip, r.randint(300, 90000)))
        elif kind == 3:
            body = ("dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): "
                    "user=<u%d>, method=PLAIN, rip=%s, lip=192.0.2.1, TLS, session=<%08x>" % (
                        r.randint(1, 9999), ip, r.getrandbits(32)))
        elif kind == 4:
            body = ("dovecot: pop3-login: Aborted login (no auth attempts in 0 secs): user=<>, "
                    "rip=%s, lip=192.0.2.1, session=<%08x>" % (ip, r.getrandbits(32)))
        else:
            body = "dovecot: auth: passwd-file(u%d,%s): unknown user" % (r.randint(1, 9999), ip)
        return "%s mx %s\n" % (stamp(), body)


class Abort(Exception):
    """Ends the run early: the daemon cannot be kept running."""


class Daemon:
    """exact -f, started, killed and restarted with the same command."""

    def __init__(self, exact, conf, scratch):
        self.cmd = [exact, "-f", "-c", conf]
        self.scratch = scratch
        self.proc = None
        self.runs = 0
        self.confirmed = False  # This run has logged "started:".
        self.died = []  # (run, returncode) of runs that exited by themselves.

    def stderr_path(self, run=None):
        return os.path.join(self.scratch, "stderr.%d" % (self.runs if run is None else run))

    def up(self):
        return self.proc is not None

    def start(self):
        self.runs += 1
        with open(self.stderr_path(), "wb") as err:
            self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=err,
                                         preexec_fn=_die_with_parent)
        self.confirmed = False

    def check_alive(self):
        """Notes and restarts a run that exited without being told to."""
        if self.proc is not None and self.proc.poll() is not None:
            self.died.append((self.runs, self.proc.returncode))
            self.proc = None
            if len(self.died) > MAX_SELF_EXITS:
                raise Abort("%d runs exited by themselves; the last, run %d, with status %d" %
                            (len(self.died), self.died[-1][0], self.died[-1][1]))
            self.start()

    def started(self):
        if self.proc is None:
            return False
        if not self.confirmed:
            try:
                with open(self.stderr_path(), "rb") as f:
                    self.confirmed = b"info: started:" in f.read()
            except OSError:
                pass
        return self.confirmed

    def wait_started(self):
        end = time.monotonic() + STARTUP_WAIT
        while time.monotonic() < end:
            self.check_alive()
            if self.started():
                return True
            time.sleep(0.01)
        return False

    def kill(self):
        self.check_alive()
        self.proc.kill()
        self.proc.wait()
        self.proc = None
        self.confirmed = False

    def terminate(self):
        """SIGTERM; returns the exit status, or None if it did not exit."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(TERM_WAIT)
        except subprocess.TimeoutExpired:
            return None
        self.proc = None
        return rc

    def reap(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def _die_with_parent():
    # If the harness itself is killed (a ctest timeout), the daemon must not
    # outlive it and keep a stale scratch directory busy.
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class Generation:
    """One file of the log's rotation set, as the harness wrote it."""

    def __init__(self):
        self.last_login = None  # Address of the last login written to it.


class Torture:
    def __init__(self, args, scratch):
        self.args = args
        self.dir = scratch
        self.log = os.path.join(scratch, "mail.log")
        self.map = os.path.join(scratch, "relay")
        self.rng = random.Random(args.seed)
        self.lines = Lines(self.rng)
        self.truth = set()
        self.gens = [Generation()]  # gens[0] is mail.log, gens[n] mail.log.n.
        self.fd = None
        self.fd_gen = None  # The generation the writer's fd appends to.
        self.reopen_in = None  # Lines still to write to a renamed file.
        self.down_rotations = 0
        self.restart_at = None  # When the daemon is down: when to restart it.
        self.deferred_kills = 0
        self.stats = dict(split=0, rename=0, copytruncate=0, delete=0, kill_rotation=0,
                          kill_burst=0, kill_split=0, kill_startup=0, waits=0,
                          wait_timeouts=0)
        self.wait_notes = []
        self.k = 0  # Logins written so far; login k is from login_address(k).
        # One line per rotation, kill, restart and unfinished delete, with the
        # last login written before it: a lost range of logins then points at
        # the event that lost it.
        self.events = open(os.path.join(scratch, "events"), "w")
        self.t_start = time.monotonic()
        self.event_list = []  # (logins written before it, what)
        self.failures = []
        conf = os.path.join(scratch, "exact.conf")
        self.write_conf(conf)
        self.daemon = Daemon(args.exact, conf, scratch)

    def write_conf(self, conf):
        d, src = self.dir, self.args.src
        # As root the daemon would drop to `user` (default mail), which could
        # not write a root-owned scratch dir; unprivileged it ignores both keys.
        account = "user root\ngroup root\n" if os.geteuid() == 0 else ""
        with open(conf, "w") as f:
            f.write(account + "maillog %s/mail.log\n"
                    "serverdefs %s/conf/exact-servers.conf\n"
                    "server dovecot\n"
                    "authtype text\n"
                    "authfile %s/relay\n"
                    "statefile %s/relay.state\n"
                    "pidfile %s/exact.pid\n"
                    "timeout 3600\n"
                    "publish_interval 100ms\n"
                    "suspicious 120\n" % (d, src, d, d, d))

    # --- the map ---------------------------------------------------------

    def read_map(self):
        try:
            with open(self.map) as f:
                return set(f.read().split())
        except FileNotFoundError:
            return set()

    def wait_finished(self, gen, name):
        """Before `name` is deleted: waits until its last login is published."""
        if gen.last_login is None:
            return
        self.stats["waits"] += 1
        if gen.last_login in self.read_map():
            return
        if not self.daemon.up():
            self.restart()
        if not self.daemon.wait_started():
            self.fail("run %d did not log 'started:' within %gs" % (self.daemon.runs,
                                                                   STARTUP_WAIT))
            return
        # Generous while the daemon keeps up; once it has shown it loses
        # files, short, so that a losing binary still finishes in time.
        limit = (self.args.catchup_wait if self.stats["wait_timeouts"] < 5 else 0.5)
        end = time.monotonic() + limit
        while time.monotonic() < end:
            if gen.last_login in self.read_map():
                return
            time.sleep(0.02)
        self.stats["wait_timeouts"] += 1
        self.event("deleting %s unfinished" % os.path.basename(name))
        if len(self.wait_notes) < 10:
            self.wait_notes.append("%s deleted unfinished: its last login %s was not "
                                   "published within %.1fs" % (name, gen.last_login, limit))

    # --- the daemon ------------------------------------------------------

    def end_reopen_lag(self):
        # A renamed file that is still written after a restart could only be
        # read whole by a reader that keeps watching every old file for good;
        # so syslog's lag ends before each restart. Lines written to it while
        # exact is down are fair: the restart finds the file finished.
        if self.reopen_in is not None:
            self.open_writer()

    def event(self, what):
        self.event_list.append((self.k, what))
        self.events.write("%8.3fs after login %d: %s\n" % (time.monotonic() - self.t_start,
                                                           self.k, what))

    def restart(self):
        self.end_reopen_lag()
        self.daemon.start()
        self.event("start run %d" % self.daemon.runs)
        self.restart_at = None

    def kill(self, kind):
        if not self.daemon.up():
            # Still down from the last kill: this one falls due just after
            # the restart, in the new run's start-up.
            self.deferred_kills += 1
            return
        # A run killed before it logged "started:" may have saved nothing:
        # the rotations since the last started run still count as "down".
        if self.daemon.started():
            self.down_rotations = 0
        self.daemon.kill()
        self.stats["kill_" + kind] += 1
        self.event("kill run %d (%s)" % (self.daemon.runs, kind))
        self.restart_at = time.monotonic() + self.rng.uniform(0.0, 0.3)

    def tick(self):
        """Between lines: restarts the daemon when its down time is over."""
        if self.restart_at is not None and time.monotonic() >= self.restart_at:
            self.restart()
        elif self.deferred_kills and self.daemon.up():
            self.deferred_kills -= 1
            self.kill("startup")

    # --- the writer ------------------------------------------------------

    def open_writer(self):
        if self.fd is not None:
            os.close(self.fd)
        self.fd = os.open(self.log, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
        self.fd_gen = self.gens[0]
        self.reopen_in = None

    def write_line(self, text, login, kill_mid):
        data = text.encode()
        split = self.rng.random() < 0.01 or kill_mid
        if split:
            self.stats["split"] += 1
            cut = self.rng.randint(1, len(data) - 1)
            os.write(self.fd, data[:cut])
            if kill_mid:
                self.kill("split")
            time.sleep(self.rng.uniform(0.001, 0.020))
            os.write(self.fd, data[cut:])
        else:
            os.write(self.fd, data)
        if login is not None:
            self.truth.add(login)
            self.fd_gen.last_login = login
        if self.reopen_in is not None:
            self.reopen_in -= 1
            if self.reopen_in <= 0:
                self.open_writer()

    # --- rotations -------------------------------------------------------

    def name(self, n):
        return self.log if n == 0 else "%s.%d" % (self.log, n)

    def shift(self):
        """mail.log.N -> N+1, dropping the oldest beyond KEEP_GENERATIONS."""
        if len(self.gens) > KEEP_GENERATIONS:
            self.wait_finished(self.gens[KEEP_GENERATIONS], self.name(KEEP_GENERATIONS))
            os.unlink(self.name(KEEP_GENERATIONS))
            del self.gens[KEEP_GENERATIONS:]
        for n in range(len(self.gens) - 1, 0, -1):
            os.rename(self.name(n), self.name(n + 1))

    def limit_rotations_while_down(self):
        """Counts this rotation; ends the down time if it would be one too many."""
        if self.daemon.started():
            self.down_rotations = 0
            return
        if self.down_rotations < MAX_ROTATIONS_WHILE_DOWN:
            self.down_rotations += 1
            return
        if not self.daemon.up():
            self.restart()
        if not self.daemon.wait_started():
            self.fail("run %d did not log 'started:' within %gs" % (self.daemon.runs,
                                                                   STARTUP_WAIT))
        self.down_rotations = 0

    def rotate(self, kind):
        if self.reopen_in is not None:
            self.open_writer()  # Syslog reopens before the next rotation.
        self.limit_rotations_while_down()
        self.stats[kind] += 1
        self.event("rotate: " + kind)
        if kind == "rename":
            self.shift()
            os.rename(self.log, self.name(1))
            self.gens.insert(0, Generation())
            os.close(os.open(self.log, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            self.reopen_in = self.rng.randint(0, 20)
            if self.reopen_in == 0:
                self.open_writer()
        elif kind == "copytruncate":
            self.shift()
            shutil.copyfile(self.log, self.name(1))
            copy = Generation()
            copy.last_login = self.gens[0].last_login
            self.gens.insert(1, copy)
            os.truncate(self.log, 0)
            self.gens[0].last_login = None
        else:
            self.wait_finished(self.gens[0], self.log)
            os.unlink(self.log)
            self.gens[0] = Generation()
            self.open_writer()

    # --- the run ---------------------------------------------------------

    def fail(self, what):
        self.failures.append(what)

    def schedule(self):
        a, r = self.args, self.rng
        logins = set(r.sample(range(a.lines), a.logins))
        rotations = sorted(r.randrange(1, a.lines) for _ in range(a.rotations))
        after_rotation = set(r.sample(range(a.rotations), min(a.kills // 2, a.rotations)))
        at_line = sorted(r.sample(range(1, a.lines), a.kills - len(after_rotation)))
        # Every other one tears the line it falls on and lands between its
        # halves; the rest fall between two lines of a burst.
        at_line = {line: n % 2 == 1 for n, line in enumerate(at_line)}
        return logins, rotations, after_rotation, at_line

    def run(self):
        a = self.args
        logins, rotations, kill_after_rotation, kill_at_line = self.schedule()
        kinds = self.args.kinds
        self.open_writer()
        self.restart()
        if not self.daemon.wait_started():
            self.fail("the first run did not log 'started:' within %gs" % STARTUP_WAIT)
            return
        t0 = time.monotonic()
        burst = 0
        next_rotation = 0
        for i in range(a.lines):
            if burst == 0:
                self.daemon.check_alive()
                burst = self.rng.randint(1, 400)
                due = t0 + i / a.rate
                while time.monotonic() < due:
                    time.sleep(min(0.005, max(0.0, due - time.monotonic())))
                    self.tick()
            burst -= 1
            self.tick()
            while next_rotation < len(rotations) and rotations[next_rotation] <= i:
                self.rotate(kinds[next_rotation % len(kinds)])
                if next_rotation in kill_after_rotation:
                    self.kill("rotation")
                next_rotation += 1
            kill_mid = False
            if i in kill_at_line:
                if kill_at_line[i] and self.daemon.up():
                    kill_mid = True
                else:
                    self.kill("burst")
            if i in logins:
                self.k += 1
                self.write_line(self.lines.login(self.k), login_address(self.k), kill_mid)
            else:
                self.write_line(self.lines.noise(), None, kill_mid)
        self.write_seconds = time.monotonic() - t0
        self.event("writing done")
        if self.reopen_in is not None:
            self.open_writer()
        if not self.daemon.up():
            self.restart()
        if not self.daemon.wait_started():
            self.fail("the last run did not log 'started:' within %gs" % STARTUP_WAIT)

    def settle(self):
        """Waits until the map holds still; returns it."""
        end = time.monotonic() + SETTLE_LIMIT
        last, since = self.read_map(), time.monotonic()
        while time.monotonic() < end:
            time.sleep(0.1)
            self.daemon.check_alive()
            now = self.read_map()
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= SETTLE_QUIET:
                return last
        self.fail("the map was still changing after %gs" % SETTLE_LIMIT)
        return last


def blame(t, lost):
    """Lines describing the ranges of consecutive lost logins and the events
    logged while each was written (from one login before it to its last):
    a pointer for debugging, not a verdict. Logins written shortly before a
    kill, while exact was down and until the new run reads on are one range
    around a kill; the tail a copytruncate cut off ends at the rotation."""
    numbers = sorted((int(a) << 16) + (int(b) << 8) + int(c)
                     for a, b, c in (x.split(".")[1:] for x in lost))
    ranges = []
    for n in numbers:
        if ranges and ranges[-1][1] == n - 1:
            ranges[-1][1] = n
        else:
            ranges.append([n, n])
    out, tally = [], {}
    for first, last in ranges:
        during = [w for k, w in t.event_list if first - 1 <= k <= last]
        if not during:
            before = [w for k, w in t.event_list if k < first]
            during = ["(none; last before: %s)" % (before[-1] if before else "none")]
        # Tally by the first event's kind: "kill", "rotate: rename", ...
        kind = during[0].split(" run")[0] if during[0].startswith(("kill", "start")) else during[0]
        tally[kind] = tally.get(kind, 0) + 1
        if len(out) < 10:
            out.append("logins %d-%d (%d): %s" % (first, last, last - first + 1,
                                                  ", ".join(during)))
    summary = "%d ranges of consecutive logins, by the first event in each: %s" % (
        len(ranges), ", ".join("%s %d" % kv for kv in sorted(tally.items(),
                                                              key=lambda kv: -kv[1])))
    return [summary] + out


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("exact", help="the exact binary")
    p.add_argument("src", help="the source tree (for conf/exact-servers.conf)")
    p.add_argument("--lines", type=int, default=200000, help="lines written (default %(default)s)")
    p.add_argument("--logins", type=int, default=20000,
                   help="successful logins among them (default %(default)s)")
    p.add_argument("--rotations", type=int, default=100, help="default %(default)s")
    p.add_argument("--kills", type=int, default=20, help="default %(default)s")
    p.add_argument("--seed", type=int, default=20240601, help="default %(default)s")
    p.add_argument("--rate", type=float, default=3500.0,
                   help="lines per second, at most (default %(default)s)")
    p.add_argument("--catchup-wait", type=float, default=5.0,
                   help="seconds to wait for a file to be finished before deleting it")
    p.add_argument("--kinds", default="rename,copytruncate,delete",
                   help="the rotations, taken in turn (default %(default)s)")
    p.add_argument("--keep", action="store_true", help="keep the scratch directory")
    a = p.parse_args()
    a.kinds = a.kinds.split(",")
    if not a.kinds or not set(a.kinds) <= {"rename", "copytruncate", "delete"}:
        p.error("--kinds takes rename, copytruncate and delete, comma-separated")
    # The config names files by absolute path: exact resolves relative ones
    # against the config's own directory, the scratch directory.
    a.exact, a.src = os.path.abspath(a.exact), os.path.abspath(a.src)
    if not 0 < a.logins <= a.lines or a.logins >= 1 << 24:
        p.error("--logins must be in 1..min(--lines, 2^24 - 1)")
    if a.rotations < 0 or a.kills < 0 or a.kills > a.lines - 1:
        p.error("--rotations and --kills must be >= 0, --kills < --lines")
    return a


def main():
    a = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    start = time.monotonic()
    scratch = tempfile.mkdtemp(prefix="exact-torture-", dir="/tmp")
    os.chmod(scratch, 0o755)
    print("torture: seed %d, scratch %s" % (a.seed, scratch), flush=True)
    t = Torture(a, scratch)
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        print("%s %s" % ("PASS" if ok else "FAIL", what), flush=True)
        if ok:
            passed += 1
        else:
            failed += 1

    rc = None
    try:
        t.run()
        published = t.settle() if not t.failures else t.read_map()
        rc = t.daemon.terminate() if t.daemon.up() else None
    except Abort as e:
        t.fail("run abandoned: %s" % e)
        published = t.read_map()
    finally:
        t.daemon.reap()
        t.events.close()
    s = t.stats
    lost = sorted(t.truth - published, key=lambda x: tuple(map(int, x.split("."))))
    extra = sorted(published - t.truth)
    print("lost %d, extra %d" % (len(lost), len(extra)))
    if lost:
        print("  lost e.g.: " + " ".join(lost[:10]))
        for line in blame(t, lost):
            print("  " + line)
    if extra:
        print("  extra e.g.: " + " ".join(extra[:10]))
    for note in t.wait_notes:
        print("  note: " + note)
    if s["wait_timeouts"] > len(t.wait_notes):
        print("  note: %d more file(s) deleted unfinished" % (s["wait_timeouts"] -
                                                               len(t.wait_notes)))
    for run, code in t.daemon.died:
        print("  note: run %d exited by itself with status %d (see stderr.%d)" % (run, code, run))
    print("torture: seed %d: %d lines (%d logins, %d torn), %d rotations (rename %d, "
          "copytruncate %d, delete %d), %d kills (after a rotation %d, mid-burst %d, mid-line "
          "%d, in start-up %d), %d runs, %d pre-delete waits (%d timed out), writing "
          "%.1fs, elapsed %.1fs" % (
              a.seed, a.lines, len(t.truth), s["split"], a.rotations, s["rename"],
              s["copytruncate"], s["delete"], s["kill_rotation"] + s["kill_burst"] +
              s["kill_split"] + s["kill_startup"], s["kill_rotation"], s["kill_burst"],
              s["kill_split"], s["kill_startup"], t.daemon.runs, s["waits"], s["wait_timeouts"],
              getattr(t, "write_seconds", 0.0), time.monotonic() - start))
    for what in t.failures:
        check(False, what)
    check(not t.daemon.died, "no run exited by itself")
    check(len(t.truth) == a.logins, "%d logins written (of %d asked)" % (len(t.truth), a.logins))
    check(not lost, "every login written is published (lost %d of %d)" % (len(lost),
                                                                         len(t.truth)))
    check(not extra, "nothing but those logins is published (extra %d)" % len(extra))
    check(rc == 0, "SIGTERM exits 0 (status %s)" % rc)
    print("%d passed, %d failed" % (passed, failed))
    if failed or a.keep:
        print("torture: scratch directory kept: %s" % scratch)
    else:
        shutil.rmtree(scratch)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
