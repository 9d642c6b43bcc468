#!/bin/bash
# A log rotation under the bundled defaults' account: exact starts as root,
# drops to mail:mail keeping only `loggroup adm` as a supplementary group,
# and must still open the new root:adm 0640 mail.log (Debian's layout) after
# a rename rotation. Without `loggroup` it must refuse to start (EX_NOPERM,
# naming the log and the setting) rather than fail at the first rotation.
# Needs root: re-executes itself through `sudo -n` when it can, otherwise
# fails (a test that cannot run must not pass).
set -u
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    exec sudo -n bash "$0" "$@"
  fi
  echo "FAIL privileged_rotation needs root (run as root, or give passwordless sudo)"
  exit 1
fi
exact=$1 src=$2
. "$(dirname "$0")/lib.sh"
for name in mail adm; do
  getent group "$name" >/dev/null || { echo "FAIL group $name does not exist"; exit 1; }
done
getent passwd mail >/dev/null || { echo "FAIL user mail does not exist"; exit 1; }
mail_uid=$(id -u mail) mail_gid=$(getent group mail | cut -d: -f3)
adm_gid=$(getent group adm | cut -d: -f3)

dir=$(mktemp -d /tmp/exact-priv-XXXXXX)
chmod 0755 "$dir"
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$dir"' EXIT
# The configuration and the server definitions must stay readable by mail
# (a reload reads them after the drop); the source tree may not be.
install -m 0644 "$src/conf/exact-servers.conf" "$dir/exact-servers.conf"
log=$dir/log/mail.log

setup_log() {  # a fresh root:root 0755 log directory holding a root:adm 0640 mail.log
  rm -rf "$dir/log" "$dir/map" "$dir/run" "$dir/stderr"
  install -d -m 0755 -o root -g root "$dir/log"
  install -m 0640 -o root -g adm /dev/null "$log"
}
write_conf() {  # write_conf [LOGGROUP]
  {
    echo "user mail"
    echo "group mail"
    [ $# -gt 0 ] && echo "loggroup $1"
    cat <<CONF
maillog $log
serverdefs $dir/exact-servers.conf
server dovecot
authtype text
authfile $dir/map/relay
statefile $dir/map/relay.state
pidfile $dir/run/exact.pid
timeout 3600
publish_interval 100ms
CONF
  } > "$dir/exact.conf"
  chmod 0644 "$dir/exact.conf"
}
login() {  # login ADDRESS USER
  echo "$(LC_ALL=C date '+%b %e %H:%M:%S') mx dovecot: imap-login: Login: user=<$2>, method=PLAIN, rip=$1, lip=192.0.2.1, mpid=1, session=<x>" >> "$log"
}
alive() { [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
# Waits below give up at once when the daemon has exited: nothing more can
# come, and a failing binary should fail quickly.
ready() { grep -q 'info: started:' "$dir/stderr" 2>/dev/null || { ! alive && return 2; }; }
in_map() { grep -qsx "$1" "$dir/map/relay"; }
published() { in_map "$1" || { ! alive && ! in_map "$1" && return 2; }; }
await() {  # await SECONDS COMMAND...: wait_until that stops early on status 2
  local limit=$1 rc; shift
  local end=$((SECONDS + limit))
  while [ $SECONDS -lt $end ]; do
    "$@"; rc=$?
    [ $rc -eq 0 ] && return 0
    [ $rc -eq 2 ] && return 1
    sleep 0.05
  done
  return 1
}
status_field() {  # status_field NAME: that line of /proc/PID/status, without the name
  sed -n "s/^$1:[[:space:]]*//p" "/proc/$pid/status" 2>/dev/null | tr -s '[:space:]' ' ' |
    sed 's/ $//'
}
groups_ok() {  # Groups: holds adm's gid, and nothing but adm's and mail's
  local g have_adm=
  for g in $(status_field Groups); do
    [ "$g" = "$adm_gid" ] && have_adm=1
    [ "$g" = "$adm_gid" ] || [ "$g" = "$mail_gid" ] || return 1
  done
  [ -n "$have_adm" ]
}
stop() {
  if alive; then
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null
    status=$?
  else
    wait "$pid" 2>/dev/null
    status=$?
  fi
  pid=
}

echo "--- with loggroup adm"
setup_log
write_conf adm
"$exact" -f -c "$dir/exact.conf" 2>"$dir/stderr" &
pid=$!
check "the daemon starts as root with user mail, group mail, loggroup adm" await 20 ready
grep -q 'info: started:' "$dir/stderr" || sed 's/^/  stderr: /' "$dir/stderr"
check "it runs as uid mail" [ "$(status_field Uid)" = "$mail_uid $mail_uid $mail_uid $mail_uid" ]
check "it runs as gid mail" [ "$(status_field Gid)" = "$mail_gid $mail_gid $mail_gid $mail_gid" ]
check "its supplementary groups are adm (and mail) only (Groups: $(status_field Groups))" groups_ok
check "it made the map directory, owned by mail:mail" \
  [ "$(stat -c %U:%G "$dir/map" 2>/dev/null)" = "mail:mail" ]
login 192.0.2.21 alice
check "a login before the rotation is published" await 20 published 192.0.2.21
mv "$log" "$log.1"
install -m 0640 -o root -g adm /dev/null "$log"
login 192.0.2.22 bob
check "a login in the new root:adm 0640 mail.log is published" await 20 published 192.0.2.22
# install(1) creates the file before its chown and chmod, so an open in
# that instant may fail (and is logged); what counts is that it is followed.
check "it ran, and followed the new log" \
  bash -c "grep -q 'info: started:' '$dir/stderr' && grep -qE 'was rotated; following the new file|appeared; reading it from the start' '$dir/stderr'"
stop
check "TERM exits 0 (status $status)" [ "$status" -eq 0 ]

echo "--- without loggroup"
setup_log
write_conf
# A refusal is immediate; a daemon that starts anyway is stopped by the
# time limit (status 124), and the checks below then fail.
pid=
timeout 20 "$exact" -f -c "$dir/exact.conf" 2>"$dir/stderr"
status=$?
check "start-up is refused with EX_NOPERM (77; status $status)" [ "$status" -eq 77 ]
check "the message names the log file" grep -qF "$log" "$dir/stderr"
check "the message mentions loggroup" grep -q "loggroup" "$dir/stderr"
if [ "$status" -ne 77 ]; then sed 's/^/  stderr: /' "$dir/stderr"; fi
finish
