#!/usr/bin/env bash
# The "Install mpyship" step of the workflow `mpyship init --ci github` writes, run as the shell script GitHub
# runs (bash -eo pipefail, the step's env as the runner sets it), against `mpyship serve` on 127.0.0.1 standing
# in for the release host:
#   1. a release with SHA256SUMS: downloaded, checked, extracted, its bin/ on PATH, "installed from release"
#   2. a pinned SHA-256 that does not match: the step fails, says so, and puts nothing on PATH
#   3. no release and no MPYSHIP_REPO: the step fails and says it could do neither
#   4. no release, MPYSHIP_REPO set: the source fallback clones (a local git repository), builds with cmake,
#      and says "installed from source" (apt-get runs through a stand-in sudo that only records it)
# Usage: ci_install_test.sh MPYSHIP_BINARY
set -euo pipefail
mpyship=$1
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
check() { # check DESCRIPTION COMMAND...: records a failure instead of stopping, so every case reports
  if "${@:2}"; then echo "ok: $1"; else echo "FAIL: $1"; failures=$((failures + 1)); fi
}
fails() { ! "$@"; }

# The release folder: mpyship-9.9.9-linux-ARCH.tar.gz (the binary under test, stripped) and SHA256SUMS.
arch=$(uname -m)
rel=$work/release
mkdir -p "$rel" "$work/stage/mpyship-9.9.9-linux-$arch/bin"
strip -o "$work/stage/mpyship-9.9.9-linux-$arch/bin/mpyship" "$mpyship"
tar -czf "$rel/mpyship-9.9.9-linux-$arch.tar.gz" -C "$work/stage" "mpyship-9.9.9-linux-$arch"
(cd "$rel" && sha256sum "mpyship-9.9.9-linux-$arch.tar.gz" > SHA256SUMS)
good_sha=$(cut -d ' ' -f 1 "$rel/SHA256SUMS")

# The server, on a port of its choosing: its first line names it.
mkfifo "$work/server.out"
"$mpyship" serve "$rel" --port 0 > "$work/server.out" &
server_pid=$!
read -r line < "$work/server.out"
url=${line##* on }
url=${url%% *}
url=${url%/}
case $url in http://127.0.0.1:*) ;; *) echo "FAIL: serve printed '$line'"; exit 1 ;; esac
echo "release host: $url"

# Writes the workflow for `init` options, then the install step as a script: its env (GitHub expressions
# evaluated with the repository variables given as VARS_NAME=value) and its run block.
make_step() { # make_step DIR [init options...]
  local dir=$1
  shift
  "$mpyship" init "$dir" --ci github "$@" > /dev/null
  awk '/^      - name: Install mpyship$/ { on = 1; next } on && /^      - / { exit } on { print }' \
    "$dir/.github/workflows/mpyship.yml" > "$dir/step.yml"
  {
    awk '/^        env:$/ { on = 1; next } /^        run: \|$/ { exit } on { print }' "$dir/step.yml" |
      while IFS= read -r entry; do
        local key=${entry%%:*} value=${entry#*: }
        key=${key// /}
        value=${value%% # *}
        if [[ $value =~ ^\"(.*)\"$ ]]; then
          printf 'export %s=%q\n' "$key" "${BASH_REMATCH[1]}"
        elif [[ $value =~ ^\$\{\{\ vars\.([A-Z_]+)\ \|\|\ \'(.*)\'\ \}\}$ ]]; then
          printf 'export %s="${VARS_%s:-%s}"\n' "$key" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
        elif [[ $value =~ ^\$\{\{\ vars\.([A-Z_]+)\ \}\}$ ]]; then
          printf 'export %s="${VARS_%s:-}"\n' "$key" "${BASH_REMATCH[1]}"
        else
          echo "echo 'unknown env value in the workflow: $value' >&2; exit 99"
        fi
      done
    awk '/^        run: \|$/ { on = 1; next } on { sub(/^          /, ""); print }' "$dir/step.yml"
  } > "$dir/step.sh"
}

# Runs a step script as the runner does; prints its output; its exit code is the step's.
run_step() { # run_step DIR [VAR=value...]
  local dir=$1
  shift
  mkdir -p "$dir/runner"
  : > "$dir/github_path"
  env -i PATH="$work/bin:$PATH" HOME="$HOME" RUNNER_TEMP="$dir/runner" GITHUB_PATH="$dir/github_path" \
    GITHUB_STEP_SUMMARY="$dir/summary" "$@" bash --noprofile --norc -eo pipefail "$dir/step.sh" > "$dir/log" 2>&1
}

# 1. The release, checked against SHA256SUMS.
make_step "$work/one" --mpyship-version 9.9.9 --mpyship-url "$url"
check "release: the step succeeds" run_step "$work/one"
cat "$work/one/log"
check "release: bin/ goes on PATH" grep -qx "$work/one/runner/mpyship-release/bin" "$work/one/github_path"
check "release: the installed binary runs" "$work/one/runner/mpyship-release/bin/mpyship" version --json
check "release: the step says it installed the release" \
  grep -q "mpyship installed from release 9.9.9 ($url/mpyship-9.9.9-linux-$arch.tar.gz, sha256 $good_sha)" \
  "$work/one/summary"

# 2. A pinned SHA-256 that the download does not have.
make_step "$work/two" --mpyship-version 9.9.9 --mpyship-url "$url" --mpyship-sha256 "$(printf '0%.0s' {1..64})"
check "wrong sha256: the step fails" fails run_step "$work/two"
cat "$work/two/log"
check "wrong sha256: it says why" grep -q "has SHA-256 $good_sha, expected 0000" "$work/two/log"
check "wrong sha256: nothing on PATH" test ! -s "$work/two/github_path"
check "wrong sha256: nothing extracted" test ! -e "$work/two/runner/mpyship-release"

# 3. A version the host does not have, and no repository to build from.
make_step "$work/three" --mpyship-version 9.9.8 --mpyship-url "$url"
check "no release, no repo: the step fails" fails run_step "$work/three"
cat "$work/three/log"
check "no release, no repo: it says so" grep -q "no usable mpyship 9.9.8 release at $url, and the repository variable MPYSHIP_REPO is not set" "$work/three/log"
check "no release, no repo: nothing on PATH" test ! -s "$work/three/github_path"

# 4. The source fallback: a repository shaped like mpyship's (tag v9.9.8, src/mpyship/ builds `mpyship`).
repo=$work/repo
mkdir -p "$repo/src/mpyship" "$work/bin"
cat > "$repo/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.25)
project(stand_in LANGUAGES CXX)
option(MPYSHIP_TESTS "" ON)
option(MPYSHIP_BENCH "" ON)
add_subdirectory(src/mpyship)
CMAKE
echo 'add_executable(mpyship main.cpp)' > "$repo/src/mpyship/CMakeLists.txt"
printf '#include <cstdio>\nint main() { std::puts("mpyship built from source"); }\n' > "$repo/src/mpyship/main.cpp"
git -C "$repo" init -q
git -C "$repo" -c user.name=t -c user.email=t@t add -A
git -C "$repo" -c user.name=t -c user.email=t@t commit -qm stand-in
git -C "$repo" tag v9.9.8
# The runner's sudo installs packages; here it only records what it was asked.
printf '#!/bin/sh\necho "$*" >> "%s/sudo.log"\n' "$work" > "$work/bin/sudo"
chmod +x "$work/bin/sudo"
make_step "$work/four" --mpyship-version 9.9.8 --mpyship-url "$url"
check "source fallback: the step succeeds" run_step "$work/four" VARS_MPYSHIP_REPO="file://$repo"
cat "$work/four/log"
check "source fallback: it warns that there was no release" grep -q "::warning::no usable mpyship 9.9.8 release at $url: building from source" "$work/four/log"
check "source fallback: the built binary goes on PATH" grep -qx "$work/four/runner/mpyship/build/src/mpyship" "$work/four/github_path"
check "source fallback: the binary there runs" "$work/four/runner/mpyship/build/src/mpyship/mpyship"
check "source fallback: the step says it built from source" grep -q "mpyship installed from source (file://$repo at v9.9.8)" "$work/four/summary"
check "source fallback: build packages were asked for" grep -q "apt-get install .*libcpp-httplib-dev" "$work/sudo.log"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
