#!/bin/bash
# run_golden.sh EXACT CASES_DIR CASE SRC: one golden case (see CMakeLists.txt).
set -u
exact=$1 cases=$2 case=$3 src=$4
dir=$(mktemp -d /tmp/exact-golden-XXXXXX)
trap 'rm -rf "$dir"' EXIT
sed -e "s|@DIR@|$dir|g" -e "s|@SRC@|$src|g" -e "s|@CASES@|$cases|g" \
  "$cases/$case.conf" > "$dir/exact.conf"
[ -f "$cases/$case.log" ] && cp "$cases/$case.log" "$dir/mail.log"
# Logins count from their stamps: each case is evaluated as at a fixed time,
# its .asof file or, for the cases logged on Nov 22 around 10:00, 10:15.
# Stamps without a zone are local time: UTC, or the case's .tz.
export TZ=UTC
[ -f "$cases/$case.tz" ] && TZ=$(cat "$cases/$case.tz")
as_of="2026-11-22 10:15:00"
[ -f "$cases/$case.asof" ] && as_of=$(cat "$cases/$case.asof")
"$exact" --once --as-of "$as_of" -c "$dir/exact.conf" > "$dir/stdout" 2> "$dir/stderr"
status=$?
if [ -f "$cases/$case.err.ref" ]; then
  # Diagnostics: exact text with the scratch directory replaced, plus status.
  { sed -e "s|$dir|@DIR@|g" -e "s|$cases|@CASES@|g" -e "s|$src|@SRC@|g" "$dir/stderr"
    echo "exit $status"; } > "$dir/got"
  diff -u "$cases/$case.err.ref" "$dir/got" && exit 0
  exit 1
fi
if [ $status -ne 0 ]; then
  echo "exact exited $status:"; cat "$dir/stderr"; exit 1
fi
diff -u "$cases/$case.ref" "$dir/relay"
