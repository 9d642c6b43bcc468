#!/bin/bash
# Fleet mode through Redis: one exact front end writes grants to a private
# redis-server; one exact subscriber follows the stream and publishes an
# lsearch map that Exim (`exim4 -bh`) relays from. A subscriber killed and
# restarted catches up; a Redis restarted empty gets every live grant again
# from the front end.
#   fleet_redis.sh EXACT SRC
set -u
exact=$1 src=$2
. "$(dirname "$0")/lib.sh"
exim=/var/cache/exact-test/exim/usr/sbin/exim4
[ -x "$exim" ] || { echo "FAIL $exim missing (tools/setup unpacks it)"; exit 1; }
dir=$(mktemp -d /tmp/exact-fleet-redis-XXXXXX)
chmod 755 "$dir"
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$dir"' EXIT
port=$((40000 + $$ % 20000))
start_redis() {
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
    > "$dir/redis.log" 2>&1 &
  redis_pid=$!
  pids+=("$!")
}
start_redis
conf() {  # conf NAME EXTRA-LINE
  mkdir -p "$dir/$1"
  chmod 755 "$dir/$1"
  : > "$dir/$1/mail.log"
  cat > "$dir/$1/exact.conf" <<CONF
user root
pidfile $dir/$1/exact.pid
maillog $dir/$1/mail.log
serverdefs $src/conf/exact-servers.conf
server dovecot
authtype exim
authfile $dir/$1/relay
dumpfile $dir/$1/dump
timeout 600
publish_interval 100ms
authmode 0644
$2
CONF
}
conf front "redis 127.0.0.1:$port"
conf relay "subscribe 127.0.0.1:$port"
start() {  # start NAME
  "$exact" -f -c "$dir/$1/exact.conf" 2>>"$dir/$1/stderr" &
  eval "${1}_pid=$!"
  pids+=("$!")
}
start front
start relay
login() {  # login ADDRESS USER
  echo "$(LC_ALL=C date '+%b %e %H:%M:%S') mx dovecot: imap-login: Login: user=<$2>, method=PLAIN, rip=$1, lip=192.0.2.1, mpid=1, session=<x>" >> "$dir/front/mail.log"
}
mkdir -p "$dir/spool"
chmod 777 "$dir/spool"
cat > "$dir/exim.conf" <<CONF
primary_hostname = relay.test
domainlist local_domains = relay.test
spool_directory = $dir/spool
log_file_path = $dir/%slog
acl_smtp_rcpt = acl_check_rcpt
begin acl
acl_check_rcpt:
  accept  domains = +local_domains
  accept  hosts   = net-lsearch;$dir/relay/relay.exim
  deny    message = relay not permitted
CONF
printf 'HELO client.example\r\nMAIL FROM:<s@client.example>\r\nRCPT TO:<r@external.example>\r\nQUIT\r\n' > "$dir/smtp"
relays() {  # relays ADDRESS: Exim on the relay accepts RCPT from ADDRESS
  "$exim" -C "$dir/exim.conf" -bh "$1" < "$dir/smtp" 2>/dev/null | tr -d '\r' |
    grep -q '^250 Accepted'
}
refused() {
  "$exim" -C "$dir/exim.conf" -bh "$1" < "$dir/smtp" 2>/dev/null | tr -d '\r' |
    grep -q '^550 relay not permitted'
}
rcli() { redis-cli -h 127.0.0.1 -p "$port" "$@" 2>/dev/null; }
ready() { grep -q 'info: started:' "$dir/front/stderr" && grep -q 'info: started:' "$dir/relay/stderr"; }
check "front end and subscriber start" wait_until 20 ready
check "the relay's map exists" wait_until 10 test -f "$dir/relay/relay.exim"
login 192.0.2.10 alice
check "a login on the front end lets Exim on the relay accept it" wait_until 10 relays 192.0.2.10
check "an address never logged in is refused" refused 192.0.2.99
check "Redis holds the key with an expiry" bash -c "[ \$(redis-cli -p $port TTL exact:192.0.2.10) -gt 0 ]"
check "and the stream holds the entry" bash -c "[ \$(redis-cli -p $port XLEN exact:grants) -ge 1 ]"

kill -9 "$relay_pid"
wait "$relay_pid" 2>/dev/null
login 192.0.2.20 bob
check "with the subscriber down the front end still writes Redis" \
  wait_until 10 bash -c "[ \"\$(redis-cli -p $port GET exact:192.0.2.20)\" = OK ]"
rm -f "$dir/relay/exact.pid"
start relay
check "the restarted subscriber catches up" wait_until 10 relays 192.0.2.20
check "and still has the earlier grant" relays 192.0.2.10

kill "$redis_pid"
wait "$redis_pid" 2>/dev/null
login 192.0.2.30 carol
check "with Redis down the relay keeps its last map" relays 192.0.2.10
start_redis
check "Redis back empty: the front end resends what is live" \
  wait_until 15 bash -c "[ \"\$(redis-cli -p $port GET exact:192.0.2.10)\" = OK ]"
check "including the login made while it was down" \
  wait_until 15 bash -c "[ \"\$(redis-cli -p $port GET exact:192.0.2.30)\" = OK ]"
check "and the relay gets it" wait_until 15 relays 192.0.2.30
kill -TERM "$front_pid" "$relay_pid"
wait "$front_pid"; check "the front end exits 0" [ $? -eq 0 ]
wait "$relay_pid"; check "the subscriber exits 0" [ $? -eq 0 ]
kill "$redis_pid"
finish
