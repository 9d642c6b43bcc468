#!/bin/bash
# The daemon end to end: map before tailing, live logins, USR1 dump, HUP
# reload (good and bad), exact expiry, pidfile lock, SIGKILL and restart with
# nothing lost, TERM publishes and exits 0.
set -u
exact=$1 src=$2
. "$(dirname "$0")/lib.sh"
dir=$(mktemp -d /tmp/exact-daemon-XXXXXX)
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$dir"' EXIT
: > "$dir/mail.log"
write_conf() {  # write_conf TIMEOUT SERVER
  cat > "$dir/exact.conf" <<CONF
user root
pidfile $dir/exact.pid
maillog $dir/mail.log
serverdefs $src/conf/exact-servers.conf
server $2
authtype text lmdb
authfile $dir/relay
dumpfile $dir/dump
timeout $1
CONF
}
login() {  # login ADDRESS USER
  echo "$(LC_ALL=C date '+%b %e %H:%M:%S') mx dovecot: imap-login: Login: user=<$2>, method=PLAIN, rip=$1, lip=192.0.2.1, mpid=1, session=<x>" >> "$dir/mail.log"
}
in_map() { grep -qx "$1" "$dir/relay" 2>/dev/null; }
not_in_map() { [ -f "$dir/relay" ] && ! grep -qx "$1" "$dir/relay"; }
start() {
  "$exact" -f -c "$dir/exact.conf" 2>>"$dir/stderr" &
  pid=$!
}
ready() { grep -q 'info: started:' "$dir/stderr"; }

write_conf 3600 dovecot
start
check "the daemon starts" wait_until 20 ready
check "the map exists before any login" wait_until 20 test -f "$dir/relay"
check "and it is empty" [ ! -s "$dir/relay" ]
check "a second exact on the same pidfile is refused with EX_TEMPFAIL" \
  bash -c "'$exact' -f -c '$dir/exact.conf' 2>/dev/null; [ \$? -eq 75 ]"

login 192.0.2.10 alice
check "a new login is published" wait_until 20 in_map 192.0.2.10
login 2001:DB8::0:7 bob
check "an IPv6 login is published in canonical form" wait_until 20 in_map 2001:db8::7

kill -USR1 $pid
check "USR1 writes the dump with user and expiry" \
  wait_until 20 grep -qs "^192.0.2.10	alice	[0-9]* (" "$dir/dump"

# Start and reload load the config through one function, so they refuse the
# same things: an `ignore` network that does not parse is one.
echo "ignore banana/99" >> "$dir/exact.conf"
check "start-up refuses ignore banana/99 with EX_CONFIG" \
  bash -c "'$exact' -f -c '$dir/exact.conf' 2>/dev/null; [ \$? -eq 78 ]"
kill -HUP $pid
check "a reload refuses ignore banana/99 too" \
  wait_until 20 bash -c "[ \$(grep -c 'reload of .* failed; keeping' '$dir/stderr') -eq 1 ]"
write_conf 3600 dovecot
echo "timout 5" >> "$dir/exact.conf"   # an unknown key: an error
kill -HUP $pid
check "a bad reload is reported and the old config kept" \
  wait_until 20 bash -c "[ \$(grep -c 'reload of .* failed; keeping' '$dir/stderr') -eq 2 ]"
login 192.0.2.11 carol
check "the daemon still publishes after a bad reload" wait_until 20 in_map 192.0.2.11

write_conf 2 dovecot
kill -HUP $pid
check "a good reload is applied" wait_until 20 grep -q "reloaded .*timeout 2s" "$dir/stderr"
login 192.0.2.12 dave
check "a login after the reload is published" wait_until 20 in_map 192.0.2.12
check "it expires after the new 2 s timeout" wait_until 20 not_in_map 192.0.2.12
check "entries from before the reload keep their own expiry" in_map 192.0.2.10

kill -9 $pid
wait $pid 2>/dev/null
pid=
check "after SIGKILL the map is still complete" in_map 192.0.2.10
write_conf 3600 dovecot
start
started_twice() { [ "$(grep -c 'info: started:' "$dir/stderr")" -eq 2 ]; }
check "the restarted daemon is running" wait_until 20 started_twice
check "entries live before the kill survive the restart" wait_until 20 in_map 192.0.2.11
check "expired entries do not come back" not_in_map 192.0.2.12

kill -TERM $pid
wait $pid
status=$?
pid=
check "TERM exits 0" [ $status -eq 0 ]
check "the map is kept after exit" in_map 192.0.2.10
check "no temp file is left behind" bash -c "! ls '$dir' | grep -q '\\.tmp'"
finish
