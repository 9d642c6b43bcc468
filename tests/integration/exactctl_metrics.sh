#!/bin/bash
# exactctl and the metrics, against a running daemon: `add` makes
# exact-lookup and postmap -q find an address at once, `remove` takes it out
# at the next publish and holds across a restart, `list --json` parses, and
# after a known log the metrics on the loopback listener and in the textfile
# equal the known counts and pass a strict text-format parser.
set -u
exact=$1 src=$2
. "$(dirname "$0")/lib.sh"
bin=$(dirname "$exact")/../../tools
exactctl=$bin/exactctl lookup=$bin/exact-lookup
command -v postmap >/dev/null || { echo "FAIL postmap is not installed (tools/setup installs it)"; exit 1; }
command -v curl >/dev/null || { echo "FAIL curl is not installed (tools/setup installs it)"; exit 1; }
dir=$(mktemp -d /tmp/exact-ctl-XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
mkdir "$dir/pf" && : > "$dir/pf/main.cf"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
now=$(date '+%b %e %H:%M:%S')
# The known log: 7 lines, 6 of them candidates; logins by alice (twice),
# bob and carol are granted, one from an ignored network and one with a
# malformed address are not.
login() { echo "$now mx1 dovecot: imap-login: Login: user=<$1>, method=PLAIN, rip=$2, lip=203.0.113.1, mpid=1, TLS"; }
{
  login alice 192.0.2.1
  login bob 192.0.2.2
  echo "$now mx1 postfix/smtpd[1]: connect from unknown[192.0.2.99]"
  login alice 192.0.2.1
  login carol 192.0.2.3
  login mallory 10.1.2.3
  login eve 999.1.2.3
} > "$dir/mail.log"
cat > "$dir/exact.conf" <<CONF
user root
pidfile $dir/run/exact.pid
maillog $dir/mail.log
serverdefs $src/conf/exact-servers.conf
server dovecot
authtype text lmdb
authfile $dir/relay
dumpfile $dir/dump
ignore 10.0.0.0/8
controlsocket $dir/run/exact.ctl
metrics_listen 127.0.0.1:$port
metrics_textfile $dir/exact.prom
publish_interval 100ms
CONF
start() {
  "$exact" -f -c "$dir/exact.conf" 2>>"$dir/stderr" &
  pid=$!
  wait_until 10 test -S "$dir/run/exact.ctl"
}
ctl() { "$exactctl" -c "$dir/exact.conf" "$@"; }
start
check "the control socket appears" test -S "$dir/run/exact.ctl"
check "the control socket is mode 0660" [ "$(stat -c %a "$dir/run/exact.ctl")" = 660 ]
check "the known log's three addresses are live" wait_until 10 bash -c "[ \$(wc -l < '$dir/relay') -eq 3 ]"

ctl add 198.51.100.7 --for 10m --user walkin > "$dir/add.out"
check "exactctl add exits 0" [ $? -eq 0 ]
# add answers after its publish: no wait is needed.
check "exact-lookup finds the added address" bash -c "'$lookup' -c '$dir/exact.conf' 198.51.100.7 > /dev/null"
check "postmap -q finds it in the lmdb map" bash -c "postmap -c '$dir/pf' -q 198.51.100.7 'lmdb:$dir/relay' > /dev/null"
check "show names its user" bash -c "'$exactctl' -c '$dir/exact.conf' show 198.51.100.7 | grep -q walkin"
ctl list --json > "$dir/list.json"
check "list --json parses, with four entries and their fields" python3 - "$dir/list.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
assert [r["address"] for r in rows] == ["192.0.2.1", "192.0.2.2", "192.0.2.3", "198.51.100.7"], rows
assert rows[3]["user"] == "walkin" and rows[3]["expiry"] - rows[3]["last_login"] == 600, rows[3]
assert all(isinstance(r["last_login"], int) for r in rows)
PY

ctl remove 192.0.2.2 > /dev/null
check "exactctl remove exits 0" [ $? -eq 0 ]
check "the removed address is out of the text map" bash -c "! grep -q '^192.0.2.2' '$dir/relay'"
postmap -c "$dir/pf" -q 192.0.2.2 "lmdb:$dir/relay" > /dev/null
check "postmap -q no longer finds it" [ $? -eq 1 ]
ctl show 192.0.2.2 > /dev/null 2>&1
check "show of a revoked address exits 1" [ $? -eq 1 ]
ctl add not-an-address > /dev/null 2>&1
check "add of a bad address exits 65 (EX_DATAERR)" [ $? -eq 65 ]
ctl add 10.9.9.9 > /dev/null 2>&1
check "add in an ignored network exits 65" [ $? -eq 65 ]
ctl frobnicate > /dev/null 2>&1
check "an unknown command exits 64 (EX_USAGE)" [ $? -eq 64 ]
check "config prints the effective controlsocket" bash -c "'$exactctl' -c '$dir/exact.conf' config | grep -qx 'controlsocket $dir/run/exact.ctl'"
check "stats answers" bash -c "'$exactctl' -s '$dir/run/exact.ctl' stats | grep -q 'candidate lines'"
check "flush publishes" bash -c "'$exactctl' -s '$dir/run/exact.ctl' flush | grep -q 'published 3 address'"

curl -sf "http://127.0.0.1:$port/metrics" > "$dir/metrics.txt"
check "curl gets the metrics" [ $? -eq 0 ]
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/other")
check "another path is 404" [ "$code" = 404 ]
metric() { grep -F "$1 " "$dir/metrics.txt" | grep -v '^#' | awk '{print $NF}'; }
check_metric() { check "$1 = $2" [ "$(metric "$1")" = "$2" ]; }
check_metric "exact_log_lines_read_total{log=\"$dir/mail.log\"}" 7
check_metric "exact_log_bytes_read_total{log=\"$dir/mail.log\"}" "$(stat -c %s "$dir/mail.log")"
check_metric "exact_log_lag_bytes{log=\"$dir/mail.log\"}" 0
check_metric "exact_candidate_lines_total" 6
check_metric 'exact_logins_total{stanza="dovecot"}' 5
check_metric 'exact_rejected_total{reason="bad_address"}' 1
check_metric 'exact_rejected_total{reason="ignored_network"}' 1
check_metric 'exact_rejected_total{reason="stale"}' 0
check_metric 'exact_rejected_total{reason="untrusted"}' 0
check_metric 'exact_scan_failures_total' 0
check_metric 'exact_grants_total{kind="new"}' 3
check_metric 'exact_grants_total{kind="refreshed"}' 1
check_metric 'exact_grants_total{kind="manual"}' 1
check_metric 'exact_revokes_total' 1
check_metric 'exact_live_addresses' 3
check "a strict parser accepts the exposition" python3 "$src/tests/integration/prom_text_check.py" "$dir/metrics.txt"
if command -v promtool > /dev/null; then
  check "promtool check metrics accepts it" bash -c "promtool check metrics < '$dir/metrics.txt'"
fi
check "the textfile is written, and parses too" python3 "$src/tests/integration/prom_text_check.py" "$dir/exact.prom"

# A revoke holds across a restart (state file), and the log is re-read
# from its checkpoint without bringing 192.0.2.2 back; a newer login does.
kill "$pid"; wait "$pid"; pid=""
start
check "after a restart the revoked address stays out" bash -c "sleep 0.3; ! grep -q '^192.0.2.2' '$dir/relay'"
check "the manual grant survives the restart" grep -q '^198.51.100.7' "$dir/relay"
sleep 1  # The next login must be logged after the revoke's second.
echo "$(date '+%b %e %H:%M:%S') mx1 dovecot: imap-login: Login: user=<bob>, method=PLAIN, rip=192.0.2.2, lip=203.0.113.1, mpid=2, TLS" >> "$dir/mail.log"
check "a newer login grants it again" wait_until 10 grep -q '^192.0.2.2' "$dir/relay"

# Past the file mode (opened up here), the peer check still refuses.
chmod 0711 "$dir" "$dir/run"
chmod 0666 "$dir/run/exact.ctl"
check "a user who is not allowed is refused with EX_NOPERM (77)" \
  bash -c "setpriv --reuid=nobody --regid=nogroup --clear-groups '$exactctl' -s '$dir/run/exact.ctl' stats 2>/dev/null; [ \$? -eq 77 ]"
check "exact's log says who was refused" grep -q "control socket: refused uid" "$dir/stderr"
finish
