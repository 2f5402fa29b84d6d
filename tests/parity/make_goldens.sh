#!/usr/bin/env bash
# Writes the official compilers' goldens for every NAME.py in a corpus directory (default:
# tests/data/corpus/parity): NAME.mp.mpy or NAME.mp.err from mpy-cross v1.28.0, NAME.cp.mpy or NAME.cp.err
# from CircuitPython 10.2.1's mpy-cross, compiled from inside the directory by file name, as the corpus was.
# Usage: make_goldens.sh MP_MPY_CROSS CP_MPY_CROSS [DIR]. Build both binaries yourself outside this repo.
set -euo pipefail
mp=$(realpath "${1:?usage: make_goldens.sh MP_MPY_CROSS CP_MPY_CROSS [DIR]}")
cp=$(realpath "${2:?usage: make_goldens.sh MP_MPY_CROSS CP_MPY_CROSS [DIR]}")
dir=${3:-$(cd "$(dirname "$0")/../data/corpus/parity" && pwd)}
cd "$dir"
golden() { # BINARY TAG FILE
  local stem=${3%.py}
  rm -f "$stem.$2.mpy" "$stem.$2.err"
  if ! timeout 60 "$1" -o "$stem.$2.mpy" "$3" 2> "$stem.$2.err.tmp"; then
    rm -f "$stem.$2.mpy"
    mv "$stem.$2.err.tmp" "$stem.$2.err"
  else
    rm -f "$stem.$2.err.tmp"
  fi
}
for f in *.py; do
  golden "$mp" mp "$f"
  golden "$cp" cp "$f"
done
