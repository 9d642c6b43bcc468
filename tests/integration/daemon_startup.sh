#!/bin/bash
# Truthful start-up in daemon mode, started as root with `user nobody`,
# `group nogroup`: the shell's exact exits only when the daemon runs (0) or
# with the daemon's own code and message; the daemon keeps no supplementary
# group; the map is 0640 in its group; SIGTERM empties the pid file (in root's directory) and keeps the map.
set -u
EXACT=$1
SRC=$2
if [ "$(id -u)" -ne 0 ]; then
  echo "FAIL: must run as root (it checks the privilege drop)"
  exit 1
fi
dir=$(mktemp -d)
chmod 0755 "$dir"
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

# The pid file's directory is root's (exact refuses one `user` could write);
# the map's is the account's.
mkdir -p "$dir/run" "$dir/log" "$dir/pid"
chown nobody:nogroup "$dir/run"
: >"$dir/log/mail.log"
chmod 0644 "$dir/log/mail.log"
cp "$SRC/conf/exact-servers.conf" "$dir/"
conf() {  # conf PIDDIR
  cat >"$dir/exact.conf" <<CONF
user nobody
group nogroup
authgroup nogroup
pidfile $1/exact.pid
maillog $dir/log/mail.log
serverdefs exact-servers.conf
authtype text
authfile $dir/run/relay
logging internal
logfile $dir/run/exact.log
CONF
}
conf "$dir/pid"

"$EXACT" -c "$dir/exact.conf" 2>"$dir/err1" || fail "start exited $? ($(cat "$dir/err1"))"
[ -s "$dir/pid/exact.pid" ] || fail "no pid file once the start returned"
pid=$(cat "$dir/pid/exact.pid")
[ -d "/proc/$pid" ] || fail "pid $pid is not running"
read -r uid < <(awk '/^Uid:/ {print $2" "$3" "$4" "$5}' "/proc/$pid/status")
read -r gid < <(awk '/^Gid:/ {print $2" "$3" "$4" "$5}' "/proc/$pid/status")
groups=$(awk '/^Groups:/ {$1=""; print $0}' "/proc/$pid/status" | tr -d ' ')
nobody=$(id -u nobody) nogroup=$(getent group nogroup | cut -d: -f3)
[ "$uid" = "$nobody $nobody $nobody $nobody" ] || fail "uids $uid, want $nobody"
[ "$gid" = "$nogroup $nogroup $nogroup $nogroup" ] || fail "gids $gid, want $nogroup"
[ -z "$groups" ] || fail "supplementary groups: $groups"
[ "$(stat -c '%a %G' "$dir/run/relay")" = "640 nogroup" ] ||
  fail "map is $(stat -c '%a %G' "$dir/run/relay"), want 640 nogroup"

"$EXACT" -c "$dir/exact.conf" 2>"$dir/err2"
rc=$?
[ "$rc" -eq 75 ] || fail "second start exited $rc, want 75"
grep -q "already running (pid $pid" "$dir/err2" || fail "second start said: $(cat "$dir/err2")"

# An unwritable pid directory: a second configuration, same daemon binary.
mkdir -p "$dir/ro"
chmod 0555 "$dir/ro"
chattr +i "$dir/ro" 2>/dev/null  # root ignores modes; an immutable dir holds
touch "$dir/ro/probe" 2>/dev/null && { rm -f "$dir/ro/probe"; ro_ok=0; } || ro_ok=1
if [ "$ro_ok" -eq 1 ]; then
  sed -e "s#^pidfile .*#pidfile $dir/ro/exact.pid#" -e "s#$dir/run/relay#$dir/run/relay2#" \
    "$dir/exact.conf" >"$dir/ro.conf"
  "$EXACT" -c "$dir/ro.conf" 2>"$dir/err3"
  rc=$?
  chattr -i "$dir/ro" 2>/dev/null
  [ "$rc" -ne 0 ] || fail "start with an unwritable pid directory exited 0"
  grep -q "pid" "$dir/err3" || fail "no message for the unwritable pid directory: $(cat "$dir/err3")"
else
  # No chattr on this file system: a pid directory that is a file instead.
  : >"$dir/notadir"
  sed -e "s#^pidfile .*#pidfile $dir/notadir/exact.pid#" "$dir/exact.conf" >"$dir/ro.conf"
  "$EXACT" -c "$dir/ro.conf" 2>"$dir/err3"
  rc=$?
  [ "$rc" -ne 0 ] || fail "start with an unusable pid directory exited 0"
  [ -s "$dir/err3" ] || fail "no message for the unusable pid directory"
fi

kill -TERM "$pid"
for _ in $(seq 50); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
[ -d "/proc/$pid" ] && fail "exact still running 5 s after SIGTERM"
pid=
# By SIGTERM exact runs as nobody, who cannot unlink in root's directory:
# it empties the file instead (systemd removes /run/exact itself).
[ -s "$dir/pid/exact.pid" ] && fail "SIGTERM left the pid in the pid file"
[ -e "$dir/run/relay" ] || fail "SIGTERM removed the map"
echo "PASS"
