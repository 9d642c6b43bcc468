#!/bin/bash
# exact, as root, publishing into a sticky, world-writable directory (what
# /tmp is): it warns once, naming the directory, publishes every format
# there safely, and removes the temps an interrupted publish left behind.
# The attacks on its temp names are in tests/publish/temp_path_test.cc.
set -u
exact=$1 src=$2
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "FAIL needs root (CI runs it as root)"; exit 1; }
dir=$(mktemp -d /tmp/exact-shared-XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/maps" && chmod 1777 "$dir/maps"
cp "$src/tests/golden/cases/all_servers.log" "$dir/mail.log"
once_conf "$dir" "$src" "text lmdb db cdb" "$dir/maps"
echo "statefile $dir/maps/state" >> "$dir/exact.conf"
# What a crash mid-publish leaves, and what another user may have planted.
for f in relay.tmp.abcdefghijkl relay.lmdb.tmp.0123456789ab state.tmp.zyxwvutsrqpo; do
  : > "$dir/maps/$f"
done
echo precious > "$dir/victim"
ln -s "$dir/victim" "$dir/maps/relay.cdb.tmp.notourname12x"
"$exact" --once --as-of "$GOLDEN_AS_OF" -c "$dir/exact.conf" 2>"$dir/stderr"
check "exact --once exits 0" [ $? -eq 0 ]
check "one warning names the sticky, world-writable directory" \
  [ "$(grep -c "output directory $dir/maps is sticky and world-writable" "$dir/stderr")" -eq 1 ]
check "the text map lists 10 addresses" [ "$(wc -l < "$dir/maps/relay")" -eq 10 ]
lookup="$(dirname "$exact")/../../tools/exact-lookup"
for map in "$dir/maps/relay" "$dir/maps/relay.lmdb" "$dir/maps/relay.db" "$dir/maps/relay.cdb"; do
  check "exact-lookup finds 192.0.2.1 in $(basename "$map")" "$lookup" 192.0.2.1 "$map"
done
check "the maps are root's, mode 0640" \
  [ "$(stat -c %U:%a "$dir/maps/relay.lmdb" "$dir/maps/relay.db" | sort -u)" = "root:640" ]
check "stale temps of exact's naming are gone" \
  bash -c "! ls '$dir/maps' | grep -Eq '^(relay|relay.lmdb|state)\.tmp\.[a-z0-9]{12}$'"
check "a symlink of another naming is left alone, and its target unchanged" \
  bash -c "[ -L '$dir/maps/relay.cdb.tmp.notourname12x' ] && [ \"\$(cat '$dir/victim')\" = precious ]"
check "the removal was logged" grep -q "removed 1 temp file(s) of $dir/maps/relay" "$dir/stderr"
finish
