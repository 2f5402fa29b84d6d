#!/usr/bin/env bash
# `mpyship build` on a tree of real MicroPython code against two anchors doing the same work on the same tree:
#   cold build  vs  mpy-cross once per file through `xargs -P<jobs> -n1` (what a Makefile-less project does)
#   no-op build vs  `ninja` over a generated build.ninja with one mpy-cross edge per file
# Each figure is the median of 3 runs; the ratios are printed when the anchors are installed, otherwise the
# line says "anchor not installed". Numbers only: nothing here fails on a slow machine.
# Usage: bench/tree_bench.sh [TREE]   (TREE: a folder of .py files; default: micropython-lib's .py files plus
#        MicroPython's tests/, from MPYSHIP_REF_DIR, default /work/ref)
# Environment: MPYSHIP (default build/src/mpyship/mpyship), MPYSHIP_BEFORE (another mpyship binary measured in
#        the same run, for before/after figures), MPYSHIP_MPY_CROSS (default: mpy-cross on PATH, then
#        MicroPython's own build under MPYSHIP_REF_DIR), JOBS (default: nproc), WORK (default: a temp folder).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
mpyship=${MPYSHIP:-$here/build/src/mpyship/mpyship}
ref=${MPYSHIP_REF_DIR:-/work/ref}
jobs=${JOBS:-$(nproc)}
work=${WORK:-$(mktemp -d /tmp/mpyship-tree-bench-XXXXXX)}
mpy_cross=${MPYSHIP_MPY_CROSS:-$(command -v mpy-cross || true)}
[ -z "$mpy_cross" ] && [ -x "$ref/micropython/mpy-cross/build/mpy-cross" ] &&
  mpy_cross=$ref/micropython/mpy-cross/build/mpy-cross
ninja=$(command -v ninja || true)

now_ms() { echo $(($(date +%s%N) / 1000000)); }
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

# The tree: every .py file, folders kept. Files the anchor compiler rejects (tests of syntax errors) are left
# out so both sides compile the same files.
make_tree() {
  local dest=$1
  shift
  local src
  for src in "$@"; do
    mkdir -p "$dest/$(basename "$src")"
    (cd "$src" && find . -name '*.py' -type f -exec cp --parents -t "$dest/$(basename "$src")" {} +)
  done
  if [ -n "$mpy_cross" ]; then
    find "$dest" -name '*.py' -print0 | while IFS= read -r -d '' f; do
      "$mpy_cross" -o /dev/null "$f" 2>/dev/null || rm -f "$f"
    done
  fi
}

mkdir -p "$work/proj"
if [ $# -ge 1 ]; then
  tree_name=$1
  make_tree "$work/proj/src" "$1"
else
  tree_name="$ref/micropython-lib (*.py) + $ref/micropython/tests (*.py)"
  make_tree "$work/proj/src" "$ref/micropython-lib" "$ref/micropython/tests"
fi
printf '[project]\nname = "tree-bench"\ntarget = "micropython"\n' >"$work/proj/mpyship.toml"
files=$(find "$work/proj/src" -name '*.py' | wc -l)
bytes=$(find "$work/proj/src" -name '*.py' -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
echo "tree: $tree_name"
echo "      $files files, $bytes bytes of source; $jobs jobs; $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "mpyship: $mpyship"

time_cmd() { # prints the milliseconds "$@" took
  local t0 t1
  t0=$(now_ms)
  "$@" >/dev/null 2>&1 || true
  t1=$(now_ms)
  echo $((t1 - t0))
}

cold_mpyship() { rm -rf "$work/proj/build"; time_cmd "$1" build -j "$jobs" "$work/proj"; }
noop_mpyship() { time_cmd "$1" build -j "$jobs" "$work/proj"; }

# The median cold and no-op times of one binary, printed, and left in $cold and $noop.
measure_mpyship() {
  local c1 c2 c3 n1 n2 n3
  c1=$(cold_mpyship "$1"); c2=$(cold_mpyship "$1"); c3=$(cold_mpyship "$1")
  cold=$(median3 "$c1" "$c2" "$c3")
  # A folder changed in the last 3 s is read on every build (its listing is remembered only once it has
  # settled: FolderCache::k_settle_ns), so the first no-op right after a cold build reads them all; one more
  # after a pause remembers them, as a build does a few seconds after the last one.
  n0=$(noop_mpyship "$1")
  sleep 4
  noop_mpyship "$1" >/dev/null
  n1=$(noop_mpyship "$1"); n2=$(noop_mpyship "$1"); n3=$(noop_mpyship "$1")
  noop=$(median3 "$n1" "$n2" "$n3")
  echo "$2 cold build -j$jobs:   $cold ms   (runs: $c1 $c2 $c3)"
  echo "$2 no-op build:       $noop ms   (runs: $n1 $n2 $n3; right after the cold build: $n0 ms)"
}
cold_anchor() {
  find "$work/anchor" -name '*.mpy' -delete
  time_cmd sh -c "cd '$work/anchor' && find . -name '*.py' | xargs -P$jobs -n1 '$mpy_cross'"
}
noop_ninja() { time_cmd "$ninja" -C "$work/ninja" -j "$jobs"; }

# One edge per file, as a build system that drives mpy-cross would write it.
make_ninja() {
  mkdir -p "$work/ninja"
  {
    printf 'rule mpyc\n  command = %s -o $out $in\n' "$mpy_cross"
    (cd "$work/proj/src" && find . -name '*.py' | sed 's|^\./||') | while IFS= read -r f; do
      printf 'build out/%s: mpyc %s\n' "${f%.py}.mpy" "$work/proj/src/$f"
    done
  } >"$work/ninja/build.ninja"
  "$ninja" -C "$work/ninja" -j "$jobs" >/dev/null
}

if [ -n "${MPYSHIP_BEFORE:-}" ]; then
  echo "before: $MPYSHIP_BEFORE"
  measure_mpyship "$MPYSHIP_BEFORE" "before:"
  before_cold=$cold before_noop=$noop
fi
measure_mpyship "$mpyship" "mpyship"

if [ -n "$mpy_cross" ]; then
  cp -r "$work/proj/src" "$work/anchor"
  a1=$(cold_anchor); a2=$(cold_anchor); a3=$(cold_anchor)
  anchor=$(median3 "$a1" "$a2" "$a3")
  echo "anchor: xargs -P$jobs -n1 mpy-cross: $anchor ms   (runs: $a1 $a2 $a3; $mpy_cross)"
  awk -v a="$anchor" -v m="$cold" 'BEGIN { printf "cold ratio: %.1fx faster than the mpy-cross anchor (goal >= 20x)\n", a / (m > 0 ? m : 1) }'
  [ -n "${before_cold:-}" ] &&
    awk -v a="$anchor" -v m="$before_cold" 'BEGIN { printf "cold ratio before: %.1fx\n", a / (m > 0 ? m : 1) }'
else
  echo "cold ratio: anchor not installed (mpy-cross: set MPYSHIP_MPY_CROSS or put it on PATH)"
fi

if [ -n "$mpy_cross" ] && [ -n "$ninja" ]; then
  make_ninja
  j1=$(noop_ninja); j2=$(noop_ninja); j3=$(noop_ninja)
  nj=$(median3 "$j1" "$j2" "$j3")
  echo "anchor: ninja no-op over $files edges: $nj ms   (runs: $j1 $j2 $j3)"
  awk -v n="$nj" -v m="$noop" 'BEGIN { printf "no-op ratio: %.2fx ninja'"'"'s time (goal <= 1)\n", m / (n > 0 ? n : 1) }'
  [ -n "${before_noop:-}" ] &&
    awk -v n="$nj" -v m="$before_noop" 'BEGIN { printf "no-op ratio before: %.2fx\n", m / (n > 0 ? n : 1) }'
else
  echo "no-op ratio: anchor not installed (needs ninja and mpy-cross)"
fi

[ -z "${WORK:-}" ] && rm -rf "$work"
exit 0
