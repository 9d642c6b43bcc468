#!/bin/bash
# systemd-analyze verify accepts conf/exact.service (with the exact binary
# where the unit expects it, through a scratch root) and the tmpfiles entry.
set -u
EXACT=$(realpath "$1")
SRC=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# The unit as installed, but naming the binary just built (verify checks
# that every Exec path is executable). Man pages are checked by man_pages.
sed "s#/usr/sbin/exact#$EXACT#g" "$SRC/conf/exact.service" >"$dir/exact.service"
out=$(systemd-analyze verify --man=no "$dir/exact.service" 2>&1) || fail "systemd-analyze verify: $out"
# verify prints some problems without failing; none is acceptable.
[ -z "$out" ] || fail "systemd-analyze verify warned: $out"
grep -q '^Type=notify$' "$SRC/conf/exact.service" || fail "not Type=notify"
grep -Eq '^d /run/exact 0750 exact exact -$' "$SRC/conf/exact.tmpfiles" || fail "tmpfiles entry"
echo PASS
