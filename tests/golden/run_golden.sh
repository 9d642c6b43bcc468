#!/bin/bash
# run_golden.sh EXACT CASES_DIR CASE SRC: one golden case (see CMakeLists.txt).
set -u
exact=$1 cases=$2 case=$3 src=$4
dir=$(mktemp -d /tmp/exact-golden-XXXXXX)
trap 'rm -rf "$dir"' EXIT
sed -e "s|@DIR@|$dir|g" -e "s|@SRC@|$src|g" -e "s|@CASES@|$cases|g" \
  "$cases/$case.conf" > "$dir/exact.conf"
[ -f "$cases/$case.log" ] && cp "$cases/$case.log" "$dir/mail.log"
"$exact" --once -c "$dir/exact.conf" > "$dir/stdout" 2> "$dir/stderr"
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
