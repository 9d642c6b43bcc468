#!/bin/bash
# exact --check names what start-up would fail on and exits 78;
# checks each problem separately.
set -u
EXACT=$1
SRC=$2
dir=$(mktemp -d)
chmod 0755 "$dir"
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cp "$SRC/conf/exact-servers.conf" "$dir/"
: >"$dir/mail.log"
chmod 0644 "$dir/mail.log"
base="maillog $dir/mail.log
serverdefs exact-servers.conf"
expect() {  # expect NAME CONFIG-LINE PATTERN
  printf '%s\n%s\n' "$base" "$2" >"$dir/$1.conf"
  [[ $2 == user* ]] || echo "user nobody" >>"$dir/$1.conf"
  out=$("$EXACT" --check -c "$dir/$1.conf" 2>&1)
  rc=$?
  [ "$rc" -eq 78 ] || fail "$1: exit $rc, want 78 ($out)"
  echo "$out" | grep -q -- "$3" || fail "$1: no '$3' in: $out"
}
expect authfile "authfile /etc/passwd/relay" "/etc/passwd is not a directory"
expect nouser "user nosuchuser" "nosuchuser"
printf '%s\nuser nobody\ngroup nogroup\n' "$base" >"$dir/good.conf"
"$EXACT" --check -c "$dir/good.conf" >/dev/null 2>&1 || fail "a good configuration exits $?"
expect pidfile "pidfile /etc/passwd/x.pid" "pidfile /etc/passwd/x.pid"
echo PASS
