#!/usr/bin/env bash
# cpack from the build folder into a temporary folder: the .deb's control data (dpkg-deb -I) and files
# (dpkg-deb -c), its binary, man page and `serve` (whose module is in lib/mpyship/) working after
# `dpkg-deb -x`, and the .tar.gz's tree (tar), whose binary and `serve` work too.
# Nothing is installed on this machine. Usage: cpack_test.sh BUILD_DIR VERSION
set -euo pipefail
build=$1
version=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
check() {
  if "${@:2}"; then echo "ok: $1"; else echo "FAIL: $1"; failures=$((failures + 1)); fi
}
# A shared build has a server module beside the binary; a static one has no `serve`.
shared=false
readelf -d "$build/src/mpyship/mpyship" 2>/dev/null | grep -q NEEDED && shared=true
# `serve` run from an unpacked tree: it finds its module and answers a GET (bash's /dev/tcp, HTTP/1.0).
mkdir "$work/site"
echo "served from the package" > "$work/site/hello.txt"
serve_works() { # serve_works BINARY
  local fifo=$work/serve.out line port reply status=0
  rm -f "$fifo"
  mkfifo "$fifo"
  "$1" serve "$work/site" --port 0 --quiet > "$fifo" 2>&1 &
  local pid=$!
  read -r line < "$fifo" || true
  echo "$line"
  port=${line##*127.0.0.1:}
  port=${port%%/*}
  if [[ $port =~ ^[0-9]+$ ]] && exec 3<> "/dev/tcp/127.0.0.1/$port"; then
    printf 'GET /hello.txt HTTP/1.0\r\nConnection: close\r\n\r\n' >&3
    reply=$(cat <&3)
    exec 3<&-
    grep -q "^HTTP/1.1 200" <<< "$reply" && grep -q "^served from the package" <<< "$reply" || status=1
  else
    status=1
  fi
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
  return $status
}
for f in "$build/dist/mpyship.1.gz" "$build/dist/mpyship.bash"; do
  [ -f "$f" ] || { echo "FAIL: $f is missing: build the mpyship_docs target (the default build does)"; exit 1; }
done
cpack --config "$build/CPackConfig.cmake" -B "$work/out" > "$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; echo "FAIL: cpack"; exit 1; }
arch_deb=$(dpkg --print-architecture)
arch=$(uname -m)
deb="$work/out/mpyship_${version}_${arch_deb}.deb"
tgz="$work/out/mpyship-${version}-linux-${arch}.tar.gz"
check "cpack made $(basename "$deb")" test -f "$deb"
check "cpack made $(basename "$tgz")" test -f "$tgz"
ls -l "$work/out"/*.deb "$work/out"/*.tar.gz

dpkg-deb -I "$deb" > "$work/info"
cat "$work/info"
check "package name" grep -q "^ Package: mpyship$" "$work/info"
check "version" grep -q "^ Version: $version$" "$work/info"
check "architecture" grep -q "^ Architecture: $arch_deb$" "$work/info"
# A shared build depends on the libraries it links (dpkg-shlibdeps), cpp-httplib through the server module;
# a static one on nothing.
if $shared; then
  for lib in libc6 libsodium libarchive libcpp-httplib; do
    check "Depends names $lib" grep -q "^ Depends:.*$lib" "$work/info"
  done
else
  check "a static build depends on nothing" bash -c "! grep -q '^ Depends:' '$work/info'"
fi

dpkg-deb -c "$deb" | awk '{ print $6 }' > "$work/files"
for f in ./usr/bin/mpyship ./usr/share/man/man1/mpyship.1.gz ./usr/share/bash-completion/completions/mpyship \
  ./usr/share/zsh/vendor-completions/_mpyship ./usr/share/fish/vendor_completions.d/mpyship.fish; do
  check "the .deb holds $f" grep -qx "$f" "$work/files"
done
$shared && check "the .deb holds ./usr/lib/mpyship/mpyship-serve.so" grep -qx ./usr/lib/mpyship/mpyship-serve.so "$work/files"
dpkg-deb -x "$deb" "$work/root"
check "the packaged binary runs" "$work/root/usr/bin/mpyship" --version
if $shared; then
  # Start-up: cpp-httplib and the OpenSSL it brings are the module's, loaded by `serve` only.
  check "the packaged binary does not link cpp-httplib or OpenSSL" \
    bash -c "! readelf -d '$work/root/usr/bin/mpyship' | grep NEEDED | grep -Eq 'httplib|libssl|libcrypto'"
  check "the packaged binary serves (module in /usr/lib/mpyship)" serve_works "$work/root/usr/bin/mpyship"
fi
check "the packaged binary is stripped" bash -c "! readelf -S '$work/root/usr/bin/mpyship' | grep -q debug_info"
check "the packaged man page renders" bash -c "MANWIDTH=80 man -l '$work/root/usr/share/man/man1/mpyship.1.gz' | grep -q 'mpyship build'"
check "the packaged bash completion completes" bash -c "source '$work/root/usr/share/bash-completion/completions/mpyship'; COMP_WORDS=(mpyship pac); COMP_CWORD=1; _mpyship; [ \"\${COMPREPLY[*]}\" = package ]"

tar -tzf "$tgz" > "$work/tar-files"
top="mpyship-${version}-linux-${arch}"
for f in bin/mpyship share/man/man1/mpyship.1.gz share/bash-completion/completions/mpyship \
  share/zsh/site-functions/_mpyship share/fish/vendor_completions.d/mpyship.fish; do
  check "the .tar.gz holds $top/$f" grep -qx "$top/$f" "$work/tar-files"
done
$shared && check "the .tar.gz holds $top/lib/mpyship/mpyship-serve.so" \
  grep -qx "$top/lib/mpyship/mpyship-serve.so" "$work/tar-files"
mkdir "$work/tar"
tar -xzf "$tgz" -C "$work/tar"
check "the archived binary runs" "$work/tar/$top/bin/mpyship" --version
$shared && check "the archived binary serves (module in lib/mpyship)" serve_works "$work/tar/$top/bin/mpyship"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
