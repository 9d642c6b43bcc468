#!/bin/bash
# Fleet mode through memcached: two memcached servers and two exact
# instances reading different logs, each exact writing to both servers.
# Postfix's own memcache client (`postmap -q KEY memcache:FILE.cf`, the
# table check_client_access memcache: reads) finds every login on either
# server, refuses an address never logged in and one whose grant expired,
# and a server stopped and started again gets every live grant back while
# the local map kept being published.
#   fleet_memcached.sh EXACT SRC
set -u
exact=$1 src=$2
. "$(dirname "$0")/lib.sh"
dir=$(mktemp -d /tmp/exact-fleet-mc-XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$dir"' EXIT
base=$((20000 + $$ % 20000))
port1=$base port2=$((base + 1))
mc_pid=()
start_mc() {  # start_mc N PORT
  memcached -u root -l 127.0.0.1 -p "$2" -U 0 -m 16 &
  mc_pid[$1]=$!
  pids+=("$!")
}
start_mc 1 "$port1"
start_mc 2 "$port2"
mkdir -p "$dir/pf"
touch "$dir/pf/main.cf"
for n in 1 2; do
  port=$([ $n = 1 ] && echo "$port1" || echo "$port2")
  printf 'memcache = inet:127.0.0.1:%s\n' "$port" > "$dir/mc$n.cf"
done
exact_pid=()
for n in a b; do
  mkdir -p "$dir/$n"
  : > "$dir/$n/mail.log"
  cat > "$dir/$n/exact.conf" <<CONF
user root
pidfile $dir/$n/exact.pid
maillog $dir/$n/mail.log
serverdefs $src/conf/exact-servers.conf
server dovecot
authtype text
authfile $dir/$n/relay
dumpfile $dir/$n/dump
timeout 8
publish_interval 100ms
memcache 127.0.0.1:$port1 127.0.0.1:$port2
CONF
  "$exact" -f -c "$dir/$n/exact.conf" 2>>"$dir/$n/stderr" &
  exact_pid+=("$!")
  pids+=("$!")
done
login() {  # login INSTANCE ADDRESS USER
  echo "$(LC_ALL=C date '+%b %e %H:%M:%S') mx dovecot: imap-login: Login: user=<$3>, method=PLAIN, rip=$2, lip=192.0.2.1, mpid=1, session=<x>" >> "$dir/$1/mail.log"
}
found() {  # found SERVER ADDRESS: Postfix's memcache client answers OK
  [ "$(postmap -c "$dir/pf" -q "$2" "memcache:$dir/mc$1.cf" 2>/dev/null)" = OK ]
}
absent() { ! found "$@"; }
ready() { grep -q 'info: started:' "$dir/a/stderr" && grep -q 'info: started:' "$dir/b/stderr"; }
check "both exact instances start" wait_until 20 ready
login a 192.0.2.10 alice
login b 192.0.2.20 bob
login b 2001:db8::20 carol
for s in 1 2; do
  check "server $s: a login seen by exact a is granted" wait_until 10 found $s 192.0.2.10
  check "server $s: a login seen by exact b is granted" wait_until 10 found $s 192.0.2.20
  check "server $s: an IPv6 login in Postfix's key form" wait_until 10 found $s 2001:db8::20
  check "server $s: an address never logged in is refused" absent $s 192.0.2.99
done
check "memcached holds exact's value for the key" \
  bash -c "printf 'get 192.0.2.10\r\nquit\r\n' | timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$port1; cat >&3; cat <&3' | grep -q '^OK'"
check "the grant expires with its TTL: refused again" wait_until 20 absent 1 192.0.2.10

kill "${mc_pid[2]}"
wait "${mc_pid[2]}" 2>/dev/null
login a 192.0.2.30 dave
login b 192.0.2.40 erin
check "with server 2 down, exact a keeps publishing its local map" \
  wait_until 10 grep -sqx 192.0.2.30 "$dir/a/relay"
check "and server 1 still gets the new login" wait_until 10 found 1 192.0.2.40
start_mc 2 "$port2"
check "server 2 back: the grant made while it was down is there" wait_until 15 found 2 192.0.2.30
check "server 2 back: exact b's grant too" wait_until 15 found 2 192.0.2.40
for p in "${exact_pid[@]}"; do kill -TERM "$p"; done
for p in "${exact_pid[@]}"; do wait "$p"; check "exact exits 0 on TERM" [ $? -eq 0 ]; done
check "the exit statistics count the fleet writes" grep -q 'fleet: memcached 127.0.0.1' "$dir/a/stderr"
kill "${mc_pid[1]}" "${mc_pid[2]}"
finish
