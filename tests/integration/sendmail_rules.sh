#!/bin/bash
# Sendmail 8.17 (Debian's sendmail-bin, unpacked by tools/setup) reads
# exact's Berkeley DB map through a K map in a cf built from Debian's
# sendmail-cf: its own check_rcpt ruleset, run in address test mode (-bt)
# with ${client_addr} set, accepts relaying from published addresses and
# denies others.
#   sendmail_rules.sh EXACT SRC
set -u
exact=$1 src=$2
. "$(dirname "$0")/lib.sh"
root=/var/cache/exact-test/sendmail
sendmail=$root/usr/libexec/sendmail/sendmail
cf=$root/usr/share/sendmail/cf
[ -x "$sendmail" ] || { echo "FAIL $sendmail missing (tools/setup unpacks it)"; exit 1; }
command -v m4 >/dev/null || { echo "FAIL m4 is not installed (tools/setup installs it)"; exit 1; }
dir=$(mktemp -d /tmp/exact-sendmail-XXXXXX)
trap 'rm -rf "$dir"' EXIT
cp "$src/tests/golden/cases/all_servers.log" "$dir/mail.log"
once_conf "$dir" "$src" db "$dir/map"
"$exact" --once --as-of "$GOLDEN_AS_OF" -c "$dir/exact.conf" 2>"$dir/stderr"
check "exact --once exits 0" [ $? -eq 0 ]

# The recipe of docs/mta.md. MapInUnsafeDirPath only because the test's map
# lives under /tmp, which sendmail rightly calls unsafe.
cat > "$dir/test.mc" <<MC
divert(-1)
divert(0)dnl
OSTYPE(\`linux')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confDOMAIN_NAME', \`relay.test')dnl
define(\`confDONT_BLAME_SENDMAIL', \`MapInUnsafeDirPath')dnl
MAILER(\`smtp')dnl
LOCAL_CONFIG
Kexactrelay hash -a<RELAY> $dir/map/relay.db
LOCAL_RULESETS
SLocal_check_rcpt
R\$*		\$: \$(exactrelay \$&{client_addr} \$: <NO> \$)
R<NO>		\$@ <NO>
R\$* <RELAY>	\$# OK
MC
m4 -D_CF_DIR_="$cf/" "$cf/m4/cf.m4" "$dir/test.mc" > "$dir/test.cf" 2>"$dir/m4.err"
check "the cf builds from Debian's sendmail-cf" [ -s "$dir/test.cf" ]

# Sendmail sleeps a minute at start when its host name has no domain part
# ("WHO AM I?"); give it a qualified one in a UTS namespace of its own
# rather than touch the machine's.
check_rcpt_returns() {  # check_rcpt_returns ADDRESS PATTERN
  printf '.D{client_addr}%s\n.D{client_name}client.example\ncheck_rcpt <r@external.example>\n' "$1" |
    unshare --uts sh -c "hostname localhost.localdomain && exec '$sendmail' -C '$dir/test.cf' -bt" \
      2>/dev/null | grep -E "^check_rcpt +returns:" | grep -q "$2"
}
for addr in 192.0.2.1 192.0.2.5 192.0.2.10; do
  check "sendmail lets published $addr relay" check_rcpt_returns "$addr" '\$# OK'
done
for addr in 198.51.100.2 198.51.100.10 192.0.2.3; do
  check "sendmail denies relaying to $addr" check_rcpt_returns "$addr" "Relaying denied"
done
finish
