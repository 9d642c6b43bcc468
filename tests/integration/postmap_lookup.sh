#!/bin/bash
# Postfix's own postmap reads exact's lmdb: and hash: maps: every published
# address is found, every other address is not.
set -u
exact=$1 src=$2
. "$(dirname "$0")/lib.sh"
command -v postmap >/dev/null || { echo "FAIL postmap is not installed (tools/setup installs it)"; exit 1; }
dir=$(mktemp -d /tmp/exact-postmap-XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/pf" && : > "$dir/pf/main.cf"   # postmap needs a main.cf, nothing in it.
cp "$src/tests/golden/cases/all_servers.log" "$dir/mail.log"
once_conf "$dir" "$src" "text lmdb db" "$dir"
"$exact" --once --as-of "$GOLDEN_AS_OF" -c "$dir/exact.conf" 2>"$dir/stderr"
check "exact --once exits 0" [ $? -eq 0 ]
check "the text map lists 10 addresses" [ "$(wc -l < "$dir/relay")" -eq 10 ]
for type in lmdb hash; do
  while read -r addr; do
    value=$(postmap -c "$dir/pf" -q "$addr" "$type:$dir/relay")
    check "postmap -q $addr $type: finds it" [ $? -eq 0 ]
    check "its value $value is numeric, which access(5) reads as OK" \
      bash -c "[[ '$value' =~ ^[0-9]+\$ ]]"
  done < "$dir/relay"
  for addr in 198.51.100.2 198.51.100.5 198.51.100.7 198.51.100.8 198.51.100.10 \
              198.51.100.11 203.0.113.1 127.0.0.1 2001:db8::1; do
    postmap -c "$dir/pf" -q "$addr" "$type:$dir/relay" >/dev/null
    check "postmap -q $addr $type: does not find it" [ $? -eq 1 ]
  done
done
check "no LMDB lock file was created next to the map" [ ! -e "$dir/relay.lmdb-lock" ]
check "maps are mode 0640" [ "$(stat -c %a "$dir/relay.lmdb")" = 640 ]

# authmode and authgroup: a map Postfix reads through its group.
sed -i 's/^authtype .*/authtype lmdb/' "$dir/exact.conf"
printf 'authmode 0440\nauthgroup postfix\n' >> "$dir/exact.conf"
"$exact" --once --as-of "$GOLDEN_AS_OF" -c "$dir/exact.conf" 2>>"$dir/stderr"
check "authmode 0440 is applied" [ "$(stat -c %a "$dir/relay.lmdb")" = 440 ]
check "authgroup postfix is applied" [ "$(stat -c %G "$dir/relay.lmdb")" = postfix ]
# A map of its own for one format: lmdbfile beside the shared authfile.
printf 'authtype text lmdb\nlmdbfile %s/postfix/exact-relay\n' "$dir" > "$dir/own.conf"
grep -v '^authtype' "$dir/exact.conf" >> "$dir/own.conf"
"$exact" --once --as-of "$GOLDEN_AS_OF" -c "$dir/own.conf" 2>>"$dir/stderr"
check "lmdbfile puts the lmdb map at its own path" \
  postmap -c "$dir/pf" -q 192.0.2.1 "lmdb:$dir/postfix/exact-relay"
check "exact-lookup -c finds it there too" \
  bash -c "'$(dirname "$exact")/../../tools/exact-lookup' -c '$dir/own.conf' 192.0.2.1 >/dev/null"

printf 'authmode 0666\n' > "$dir/bad.conf"
cat "$dir/exact.conf" >> "$dir/bad.conf"
"$exact" --check -c "$dir/bad.conf" > /dev/null 2>"$dir/bad.err"
check "a world-writable authmode is a config error" \
  grep -q "1:10: error: \"authmode\" 0666 lets anyone rewrite who may relay" "$dir/bad.err"
finish
