#!/bin/bash
# cmake --install into a DESTDIR (prefix /usr) yields exactly the expected
# files, and the installed exact runs.
set -u
BUILD=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
DESTDIR=$dir cmake --install "$BUILD" --prefix /usr >/dev/null || fail "cmake --install failed"
got=$(cd "$dir" && find . -type f | sort)
want=$(sort <<'LIST'
./etc/exact/exact-servers.conf
./usr/bin/exact-bench
./usr/bin/exact-lookup
./usr/lib/systemd/system/exact.service
./usr/lib/tmpfiles.d/exact.conf
./usr/sbin/exact
./usr/share/bash-completion/completions/exact
./usr/share/bash-completion/completions/exact-lookup
./usr/share/bash-completion/completions/exactctl
./usr/share/doc/exact/README.md
./usr/share/doc/exact/exact-servers.conf.md
./usr/share/doc/exact/exact.conf.md
./usr/share/doc/exact/security.md
./usr/share/man/man1/exact-bench.1
./usr/share/man/man1/exact-lookup.1
./usr/share/man/man1/exact-test.1
./usr/share/man/man5/exact-servers.conf.5
./usr/share/man/man5/exact.conf.5
./usr/share/man/man8/exact.8
./usr/share/man/man8/exactctl.8
LIST
)
[ "$got" = "$want" ] || fail "installed files differ: $(diff <(echo "$want") <(echo "$got"))"
"$dir/usr/sbin/exact" --version | grep -q '^exact ' || fail "installed exact does not run"
# Each completion loads and offers exact's options.
out=$(bash -c "source $dir/usr/share/bash-completion/completions/exact
  COMP_WORDS=(exact --ch); COMP_CWORD=1; _exact; echo \${COMPREPLY[*]}")
[ "$out" = "--check" ] || fail "completion of 'exact --ch' gave '$out'"
echo PASS
