#!/bin/bash
# The journal input end to end: a journal file built by systemd-journal-remote
# from export text (no running systemd), read by `exact --once` with
# journal_units. A real Dovecot login (trusted _SYSTEMD_UNIT) is published; a
# local user's `logger -t dovecot` forgery of the same line is not; the state
# file keeps the journal's cursor.
set -u
exact=$1 src=$2
. "$(dirname "$0")/lib.sh"
dir=$(mktemp -d /tmp/exact-journal-XXXXXX)
trap 'rm -rf "$dir"' EXIT
remote=/lib/systemd/systemd-journal-remote
now_us=$(($(date +%s) * 1000000))
entry() {  # entry N UNIT COMM IDENTIFIER ADDRESS: one export-format entry
  printf '__REALTIME_TIMESTAMP=%s\n__MONOTONIC_TIMESTAMP=%s\n_BOOT_ID=0123456789abcdef0123456789abcdef\n' \
    "$((now_us - 60000000 + $1 * 1000000))" "$((1000000 + $1 * 1000))"
  printf '_HOSTNAME=mail1\n_PID=%s\n_UID=%s\n_SYSTEMD_UNIT=%s\n_COMM=%s\nSYSLOG_IDENTIFIER=%s\n' \
    "$((1000 + $1))" "$6" "$2" "$3" "$4"
  printf 'MESSAGE=imap-login: Login: user=<u%s>, method=PLAIN, rip=%s, lip=192.0.2.254, mpid=1\n\n' "$1" "$5"
}
{
  entry 1 dovecot.service log dovecot 192.0.2.10 0
  entry 2 session-3.scope logger dovecot 198.51.100.66 1000
  entry 3 dovecot.service log dovecot 2001:db8::10 0
} > "$dir/export"
"$remote" --output="$dir/mail.journal" "$dir/export" 2>"$dir/remote.log"
check "systemd-journal-remote builds the journal file" test -s "$dir/mail.journal"
: > "$dir/mail.log"
cat > "$dir/exact.conf" <<CONF
user root
pidfile $dir/exact.pid
maillog $dir/mail.log
journal_units dovecot.service
journal_files $dir/mail.journal
serverdefs $src/conf/exact-servers.conf
server dovecot
authtype text
authfile $dir/relay
dumpfile $dir/dump
timeout 1800
CONF
"$exact" --once -c "$dir/exact.conf" 2>"$dir/stderr"
check "exact --once exits 0" [ $? -eq 0 ]
check "the real Dovecot login is published" grep -qx 192.0.2.10 "$dir/relay"
check "and the second one" grep -qx 2001:db8::10 "$dir/relay"
check "the logger forgery under another unit is not" bash -c "! grep -q 198.51.100.66 '$dir/relay'"
check "the state file keeps the journal's cursor" grep -q "^journal	s=" "$dir/relay.state"
finish
