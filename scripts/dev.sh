#!/usr/bin/env bash
# The project's two entry points, used by the README and by CI:
#   scripts/dev.sh example   install what is missing, build, run mpyship on the bundled example project
#   scripts/dev.sh test      install what is missing, build, run every test (unit, golden, CLI, exec, sanitizers, fuzz)
#   scripts/dev.sh package   install what is missing, build a release, make the .deb and .tar.gz (cpack)
#   scripts/dev.sh static    the same with one static binary (MPYSHIP_STATIC): the archive the CI workflow installs
# Works on a fresh Debian 12 machine as root or through sudo. Nothing is downloaded at build time.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=$(nproc 2>/dev/null || echo 2)
fuzz_seconds=${MPYSHIP_FUZZ_SECONDS:-60}

# Debian packages the build and the tests need. mpyship does not use OpenSSL itself (libsodium hashes and signs);
# libcpp-httplib-dev, whose header includes OpenSSL's, brings libssl-dev.
build_packages=(cmake ninja-build g++ pkg-config libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev
  libcli11-dev libfmt-dev libtomlplusplus-dev libarchive-dev libsodium-dev zlib1g-dev libcpp-httplib-dev)
test_packages=(clang-19 libclang-rt-19-dev fusefat mtools dosfstools socat
  # the real firmware build test (it runs only with MPYSHIP_MICROPYTHON_SRC set): unix and qemu ports
  make patch libffi-dev gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
  # completion, man page and cpack tests (tests/dist)
  zsh fish man-db bash-completion dpkg-dev file)
# Packages: cpack's .deb needs dpkg-shlibdeps (dpkg-dev) and file(1); man and bash completion to use them.
package_packages=(dpkg-dev file man-db bash-completion)
# A static mpyship (cmake/static_link.cmake) links the .a of what libarchive pulls in as well.
static_packages=(libzstd-dev liblz4-dev libacl1-dev nettle-dev liblzma-dev libbz2-dev)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# With an argument, builds only that target (the example needs only the mpyship binary, not the tests).
build_main() {
  echo "== building (build/)"
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMPYSHIP_WERROR=ON >/dev/null
  cmake --build build -j "$jobs" ${1:+--target "$1"}
}

# node + npm run the exec tests: compiled programs in the official MicroPython WebAssembly VM. Any node
# on PATH will do (this one may come from elsewhere than Debian); otherwise Debian's.
install_node() {
  command -v node >/dev/null && command -v npm >/dev/null && return 0
  install_missing nodejs npm
}

# The VM: the npm package pinned in tests/node/package-lock.json, installed into tests/node/node_modules.
# `npm ls` checks what is there without the network, so an installed tree costs nothing.
install_node_packages() {
  npm ls --prefix tests/node --depth=0 >/dev/null 2>&1 && return 0
  echo "== installing npm packages (tests/node)"
  npm ci --prefix tests/node --no-audit --no-fund --loglevel=error >/dev/null
}

run_example() {
  install_missing "${build_packages[@]}"
  build_main mpyship
  local project=examples/circuitpython-blink
  echo "== mpyship build $project"
  ./build/src/mpyship/mpyship build "$project"
  echo "== mpyship verify $project/build"
  ./build/src/mpyship/mpyship verify "$project/build"
}

# A release build (no tests) in DIR with extra cmake options, then cpack into DIR/packages and SHA256SUMS there.
run_package() {
  local dir=$1
  shift
  echo "== building a release ($dir/)"
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMPYSHIP_WERROR=ON -DMPYSHIP_TESTS=OFF \
    -DMPYSHIP_BENCH=OFF "$@" >/dev/null
  cmake --build "$dir" -j "$jobs" --target mpyship mpyship_docs
  echo "== cpack ($dir/packages)"
  rm -rf "$dir/packages"
  cpack --config "$dir/CPackConfig.cmake" -B "$dir/packages" >/dev/null
  rm -rf "$dir/packages/_CPack_Packages"
  (cd "$dir/packages" && sha256sum -- *.deb *.tar.gz > SHA256SUMS && ls -l -- *.deb *.tar.gz && cat SHA256SUMS)
}

# Runs ctest in a build dir and adds its counts to the totals.
passed=0
failed=0
run_ctest() {
  local dir=$1 label=$2 log
  log=$(mktemp)
  echo "== $label"
  set +e
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  set -e
  local total fails
  total=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$log" | tail -1)
  fails=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
  rm -f "$log"
  passed=$((passed + ${total:-0} - ${fails:-0}))
  failed=$((failed + ${fails:-0}))
  [ "$rc" -eq 0 ] || [ "${fails:-1}" -gt 0 ] || failed=$((failed + 1))
}

run_sanitized() {
  echo "== building with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DMPYSHIP_WERROR=ON -DMPYSHIP_SANITIZE=ON \
    -DMPYSHIP_BENCH=OFF >/dev/null
  cmake --build build-asan -j "$jobs"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 run_ctest build-asan "tests under ASan + UBSan"
}

run_fuzzers() {
  echo "== building libFuzzer targets with clang-19 (build-fuzz/)"
  CC=clang-19 CXX=clang++-19 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMPYSHIP_FUZZ=ON -DMPYSHIP_WERROR=ON >/dev/null
  cmake --build build-fuzz -j "$jobs" --target fuzz_targets
  for target in build-fuzz/tests/fuzz/*_fuzz; do
    local name work
    name=$(basename "$target")
    work=$(mktemp -d)
    # -timeout is there to catch hangs. A legitimate compile can take seconds under the fuzzer's
    # instrumentation: folding `3 ** 262000` takes 0.3 s in a release build (5 s in the reference mpy-cross).
    local per_input=1
    [ "$name" = compiler_fuzz ] && per_input=10
    [ "$name" = inline_asm_fuzz ] && per_input=10
    echo "== fuzzing $name for ${fuzz_seconds}s"
    if "$target" -max_total_time="$fuzz_seconds" -max_len=16384 -timeout="$per_input" -print_final_stats=1 \
        "$work" "tests/fuzz/seeds/${name%_fuzz}" >"$work.log" 2>&1; then
      passed=$((passed + 1))
      grep -E "^stat::number_of_executed_units|^Done" "$work.log" || true
    else
      failed=$((failed + 1))
      tail -40 "$work.log"
    fi
    rm -rf "$work" "$work.log"
  done
}

run_tests() {
  # A CI machine once had a regular file with contents at /dev/null; say so up front if it happens again.
  [ -c /dev/null ] || echo "warning: /dev/null is not a character device on this machine" >&2
  install_missing "${build_packages[@]}" "${test_packages[@]}"
  install_node
  install_node_packages
  build_main
  run_ctest build "tests (release build)"
  run_sanitized
  run_fuzzers
  echo "== summary"
  echo "tests: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

case "${1:-}" in
  example) run_example ;;
  test) run_tests ;;
  package) install_missing "${build_packages[@]}" "${package_packages[@]}"; run_package build-release ;;
  static)
    install_missing "${build_packages[@]}" "${package_packages[@]}" "${static_packages[@]}"
    run_package build-static -DMPYSHIP_STATIC=ON ;;
  *) echo "usage: scripts/dev.sh example|test|package|static" >&2; exit 2 ;;
esac
