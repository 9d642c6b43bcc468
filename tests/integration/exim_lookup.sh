#!/bin/bash
# Exim 4 (Debian's exim4-daemon-light, run with -bh, which fakes a client
# address and needs no network) accepts relaying for published addresses
# through net-lsearch on the exim map and through net-cdb on the exim-cdb
# map, IPv4 and IPv6, and refuses others.
#   exim_lookup.sh EXACT SRC
set -u
exact=$1 src=$2
. "$(dirname "$0")/lib.sh"
exim=/var/cache/exact-test/exim/usr/sbin/exim4
[ -x "$exim" ] || { echo "FAIL $exim missing (tools/setup unpacks it)"; exit 1; }
dir=$(mktemp -d /tmp/exact-exim-XXXXXX)
chmod 755 "$dir"
trap 'rm -rf "$dir"' EXIT
cp "$src/tests/golden/cases/all_servers.log" "$dir/mail.log"
once_conf "$dir" "$src" "exim exim-cdb" "$dir/map"
"$exact" --once --as-of "$GOLDEN_AS_OF" -c "$dir/exact.conf" 2>"$dir/stderr"
check "exact --once exits 0" [ $? -eq 0 ]
chmod 755 "$dir/map"
chmod 644 "$dir/map/relay.exim" "$dir/map/relay.exim.cdb"
check "the exim map writes IPv6 in Exim's dotted form" \
  grep -qx "2001.0db8.0000.0000.0000.0000.0000.0003" "$dir/map/relay.exim"
mkdir -p "$dir/spool"
chmod 777 "$dir/spool"
printf 'HELO client.example\r\nMAIL FROM:<s@client.example>\r\nRCPT TO:<r@external.example>\r\nQUIT\r\n' > "$dir/smtp"
rcpt_reply_is() {  # rcpt_reply_is ADDRESS REPLY: Exim's answer to RCPT from ADDRESS
  [ "$("$exim" -C "$dir/exim.conf" -bh "$1" < "$dir/smtp" 2>/dev/null |
       tr -d '\r' | grep -E '^(250 Accepted|550 relay not permitted)')" = "$2" ]
}
for lookup in "net-lsearch;$dir/map/relay.exim" "net-cdb;$dir/map/relay.exim.cdb"; do
  kind=${lookup%%;*}
  cat > "$dir/exim.conf" <<CONF
primary_hostname = relay.test
domainlist local_domains = relay.test
spool_directory = $dir/spool
log_file_path = $dir/%slog
acl_smtp_rcpt = acl_check_rcpt
begin acl
acl_check_rcpt:
  accept  domains = +local_domains
  accept  hosts   = $lookup
  deny    message = relay not permitted
CONF
  for addr in 192.0.2.1 192.0.2.10 2001:db8::3; do
    check "[$kind] Exim accepts relaying from published $addr" rcpt_reply_is "$addr" "250 Accepted"
  done
  for addr in 198.51.100.2 198.51.100.10 192.0.2.3 2001:db8::1; do
    check "[$kind] Exim refuses $addr" rcpt_reply_is "$addr" "550 relay not permitted"
  done
done
finish
