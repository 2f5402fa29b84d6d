#!/usr/bin/env bash
# Regenerates thumb_goldens.tsv from thumb_cases.txt with an official mpy-cross v1.28.0 (the path is the
# first argument; build it yourself outside this repository). Each case is compiled as `t.py` for every
# architecture below; a row is: case, arch, "mpy" and the output's hex, or "err" and mpy-cross's stderr
# with newlines written as \n.
# With a MicroPython v1.28.0 source tree as the second argument, also writes mp_inlineasm_goldens.tsv from
# its tests/inlineasm/thumb/*.py (rows: thumb/NAME.py, arch, the source's sha256, kind, golden; the
# sources themselves stay in that tree).
set -euo pipefail
mpy_cross=$(realpath "${1:?usage: make_goldens.sh PATH/TO/mpy-cross}")
here=$(cd "$(dirname "$0")" && pwd)
archs="armv6 armv6m armv7m armv7em armv7emsp armv7emdp x64"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk -v dir="$work" '/^### /{name=$2; next} {print > (dir "/" name ".case")}' "$here/thumb_cases.txt"
out="$here/thumb_goldens.tsv.tmp"
: > "$out"
for name in $(grep '^### ' "$here/thumb_cases.txt" | cut -c5-); do
  cp "$work/$name.case" "$work/t.py"
  for arch in $archs; do
    rm -f "$work/t.mpy"
    if (cd "$work" && "$mpy_cross" "-march=$arch" t.py 2> err.txt); then
      printf '%s\t%s\tmpy\t%s\n' "$name" "$arch" "$(od -An -v -tx1 "$work/t.mpy" | tr -d ' \n')" >> "$out"
    else
      printf '%s\t%s\terr\t%s\n' "$name" "$arch" "$(awk '{printf "%s\\n", $0}' "$work/err.txt")" >> "$out"
    fi
  done
done
mv "$out" "$here/thumb_goldens.tsv"
echo "wrote $(wc -l < "$here/thumb_goldens.tsv") rows"

if [ -n "${2:-}" ]; then
  out="$here/mp_inlineasm_goldens.tsv.tmp"
  : > "$out"
  for file in "$2"/tests/inlineasm/thumb/*.py; do
    name=thumb/$(basename "$file")
    sum=$(sha256sum "$file" | cut -d' ' -f1)
    cp "$file" "$work/$(basename "$file")"
    for arch in $archs; do
      rm -f "$work/out.mpy"
      if (cd "$work" && "$mpy_cross" "-march=$arch" -o out.mpy "$(basename "$file")" 2> err.txt); then
        printf '%s\t%s\t%s\tmpy\t%s\n' "$name" "$arch" "$sum" "$(od -An -v -tx1 "$work/out.mpy" | tr -d ' \n')" >> "$out"
      else
        printf '%s\t%s\t%s\terr\t%s\n' "$name" "$arch" "$sum" "$(awk '{printf "%s\\n", $0}' "$work/err.txt")" >> "$out"
      fi
    done
  done
  mv "$out" "$here/mp_inlineasm_goldens.tsv"
  echo "wrote $(wc -l < "$here/mp_inlineasm_goldens.tsv") rows of MicroPython's tests"
fi
