#!/bin/bash
# run_exact_test.sh EXACT_TEST CASES_DIR CASE SRC: one exact-test golden case.
# <case>.args holds the options (@DIR@: a scratch directory holding the
# case directory's exact.conf; @CASES@, @SRC@ as for run_golden.sh); the
# log is read from mixed.log on standard input when the args say "-".
# stdout, stderr and the exit status are compared with <case>.ref.
set -u
tool=$1 cases=$2 case=$3 src=$4
dir=$(mktemp -d /tmp/exact-test-golden-XXXXXX)
trap 'rm -rf "$dir"' EXIT
sed -e "s|@SRC@|$src|g" "$cases/exact.conf" > "$dir/exact.conf"
args=$(sed -e "s|@DIR@|$dir|g" -e "s|@SRC@|$src|g" -e "s|@CASES@|$cases|g" "$cases/$case.args")
export TZ=UTC
# shellcheck disable=SC2086 # the args are words on purpose
"$tool" $args < "$cases/mixed.log" > "$dir/stdout" 2> "$dir/stderr"
status=$?
{ cat "$dir/stdout"
  sed -e "s|$dir|@DIR@|g" -e "s|$cases|@CASES@|g" -e "s|$src|@SRC@|g" "$dir/stderr"
  echo "exit $status"; } > "$dir/got"
diff -u "$cases/$case.ref" "$dir/got"
