#!/bin/bash
# Every man page renders with no warning from man/groff.
set -u
SRC=$1
fail() { echo "FAIL: $*"; exit 1; }
n=0
for page in "$SRC"/man/*.[158]; do
  err=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
  [ -z "$err" ] || fail "$page: $err"
  MANWIDTH=80 man -l "$page" 2>/dev/null | grep -q "^NAME" || fail "$page renders no NAME section"
  n=$((n + 1))
done
[ "$n" -eq 7 ] || fail "found $n man pages, want 7"
echo PASS
