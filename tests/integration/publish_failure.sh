#!/bin/bash
# A publish the kernel refuses, end to end: with a file-size limit of 1 KiB
# (room for the pid file) every write of every map past it fails (EFBIG,
# what a full disk looks like to exact, and for LMDB, Berkeley DB and
# tinycdb inside the libraries' own writes).
# exact logs each failure with the file and the cause, leaves every old
# map in place and whole, and the next run publishes.
set -u
exact=$1 src=$2
. "$(dirname "$0")/lib.sh"
dir=$(mktemp -d /tmp/exact-pubfail-XXXXXX)
trap 'rm -rf "$dir"' EXIT
lookup="$(dirname "$exact")/../../tools/exact-lookup"
maps="$dir/relay $dir/relay.lmdb $dir/relay.db $dir/relay.cdb"
cp "$src/tests/golden/cases/all_servers.log" "$dir/mail.log"
# 120 more logins: the text map and the state file outgrow 1 KiB too.
for i in $(seq 1 120); do
  echo "Nov 22 10:04:00 mx dovecot: imap-login: Login: user=<u$i>, method=PLAIN, rip=198.18.0.$i, lip=192.0.2.254, mpid=1, session=<s$i>"
done >> "$dir/mail.log"
once_conf "$dir" "$src" "text lmdb db cdb" "$dir"
"$exact" --once --as-of "$GOLDEN_AS_OF" -c "$dir/exact.conf" 2>"$dir/first.err"
check "the first run publishes" [ $? -eq 0 ]
before=$(for m in $maps; do md5sum < "$m"; done)

# A new login, then a run whose every file write fails. stderr goes through
# a pipe, which the limit does not cover. exact ignores SIGXFSZ itself (its
# default action would kill it at the first write past the limit).
echo "Nov 22 10:05:00 mx dovecot: imap-login: Login: user=<new>, method=PLAIN, rip=203.0.113.77, lip=192.0.2.254, mpid=1, session=<n>" >> "$dir/mail.log"
(ulimit -f 1; exec "$exact" --once --as-of "$GOLDEN_AS_OF" -c "$dir/exact.conf") \
  2>&1 | cat > "$dir/second.err"
rc=${PIPESTATUS[0]}
check "the run whose publishes fail exits EX_CANTCREAT (73)" [ "$rc" -eq 73 ]
# LMDB reports the short write of its meta page as ENOSPC.
for m in $maps; do
  check "the failure of $(basename "$m") is logged with its cause" \
    grep -Eq "cannot publish $m: .*(File too large|No space left on device); the previous map stays in place" "$dir/second.err"
done
check "the failed state file write is logged" grep -q "cannot write the state file: .*File too large" "$dir/second.err"
check "every old map is byte for byte as it was" \
  [ "$(for m in $maps; do md5sum < "$m"; done)" = "$before" ]
for m in $maps; do
  check "$(basename "$m") still answers for 192.0.2.1, not yet for 203.0.113.77" \
    bash -c "'$lookup' 192.0.2.1 '$m' >/dev/null && ! '$lookup' 203.0.113.77 '$m' >/dev/null"
done
check "no temp file is left behind" bash -c "! ls '$dir' | grep -q '\.tmp\.'"

"$exact" --once --as-of "$GOLDEN_AS_OF" -c "$dir/exact.conf" 2>"$dir/third.err"
check "the next run publishes" [ $? -eq 0 ]
for m in $maps; do
  check "$(basename "$m") now has 203.0.113.77" "$lookup" 203.0.113.77 "$m"
done
finish
