# Helpers for the integration scripts. Each check prints PASS/FAIL; the
# script ends with "N passed, M failed" and fails if any check failed.
passed=0
failed=0
pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
# Logins count from their stamps: tests/golden/cases/all_servers.log is
# replayed as at this time (its lines are from Nov 22, about 10:00).
GOLDEN_AS_OF="2026-11-22 10:15:00"
export TZ=UTC  # Its BSD stamps and the time above are local time: make that UTC.

# once_conf DIR SRC AUTHTYPE MAPDIR: an exact.conf in DIR for `exact --once`
# over DIR/mail.log with every bundled stanza, maps under MAPDIR.
once_conf() {
  cat > "$1/exact.conf" <<CONF
user root
pidfile $1/exact.pid
maillog $1/mail.log
serverdefs $2/conf/exact-servers.conf
server all
authtype $3
authfile $4/relay
dumpfile $4/dump
CONF
}
# wait_until SECONDS COMMAND...: polls until the command succeeds. The bound
# only keeps a broken run from hanging; it is not a performance assertion.
wait_until() {
  local limit=$1; shift
  local end=$((SECONDS + limit))
  while [ $SECONDS -lt $end ]; do
    "$@" && return 0
    sleep 0.05
  done
  return 1
}
