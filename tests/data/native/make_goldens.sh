#!/usr/bin/env bash
# Regenerates the inline-assembler and native-emitter goldens with an official mpy-cross v1.28.0 (the
# path is the first argument; build it yourself outside this repository). native_x64 holds
# @micropython.native cases compiled with -march=x64; a header "### name unsupported" marks a case
# mpyship does not compile yet (its golden is still made, so the list shows what is missing). For each ISA, every case of ISA_cases.txt is
# compiled as `t.py` for each of the ISA's architectures below and written to ISA_goldens.tsv; a row is:
# case, arch, "mpy" and the output's hex, or "err" and mpy-cross's stderr with newlines written as \n.
# With a MicroPython v1.28.0 source tree as the second argument, also writes mp_inlineasm_goldens.tsv from
# its tests/inlineasm/{thumb,rv32,xtensa}/*.py (rows: ISA/NAME.py, arch, the source's sha256, kind,
# golden; the sources themselves stay in that tree).
# Only this script runs mpy-cross; the tests read the .tsv files.
set -euo pipefail
mpy_cross=$(realpath "${1:?usage: make_goldens.sh PATH/TO/mpy-cross [MICROPYTHON_SRC]}")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The architectures each ISA's files are compiled for (x64, without an inline assembler, for the errors).
archs_of() {
  case "$1" in
    thumb) echo "armv6 armv6m armv7m armv7em armv7emsp armv7emdp x64" ;;
    rv32) echo "rv32imc" ;;
    xtensa) echo "xtensa xtensawin" ;;
    native_x64) echo "x64" ;;
    viper_x64) echo "x64" ;;
    viper_thumb) echo "armv6m armv7m armv7em armv7emsp armv7emdp" ;;
    viper_rv32) echo "rv32imc rv32imc:zcmp" ;;
    viper_xtensa) echo "xtensa xtensawin" ;;
    viper_x86) echo "x86" ;;
    native_thumb) echo "armv6m armv7m armv7em armv7emsp armv7emdp" ;;
    native_rv32) echo "rv32imc rv32imc:zcmp" ;;
    native_xtensa) echo "xtensa xtensawin" ;;
    native_x86) echo "x86" ;;
    emit_native) echo "x64 x86 armv6m armv7m armv7emdp rv32imc xtensa xtensawin" ;;
    emit_viper) echo "x64 x86 armv6m armv7m armv7emdp rv32imc xtensa xtensawin" ;;
    viper_rv32_zba) echo "rv32imc:zba rv32imc:zba,zcmp" ;;
  esac
}

# compile FILE ARCH[:FLAGS] [OPTION...] -> one "kind<TAB>golden" field pair on stdout (FLAGS: -march-flags)
compile() {
  rm -f "$work/out.mpy"
  local march=("-march=${2%%:*}")
  [ "${2#*:}" != "$2" ] && march+=("-march-flags=${2#*:}")
  march+=("${@:3}")
  if (cd "$work" && "$mpy_cross" "${march[@]}" -o out.mpy "$1" 2> err.txt); then
    printf 'mpy\t%s' "$(od -An -v -tx1 "$work/out.mpy" | tr -d ' \n')"
  else
    printf 'err\t%s' "$(awk '{printf "%s\\n", $0}' "$work/err.txt")"
  fi
}

# MPYSHIP_GOLDEN_SETS (e.g. "native_thumb") limits the run to some of the sets.
for isa in ${MPYSHIP_GOLDEN_SETS:-thumb rv32 xtensa native_x64 native_thumb native_rv32 native_xtensa native_x86 viper_x64 viper_thumb viper_rv32 viper_xtensa viper_x86 emit_native emit_viper viper_rv32_zba}; do
  cases="$here/${isa}_cases.txt"
  [ -f "$cases" ] || continue
  if [ "$isa" = native_thumb ] || [ "$isa" = native_rv32 ] || [ "$isa" = native_xtensa ] ||
    [ "$isa" = native_x86 ]; then # they cover the x64 cases too
    cases="$here/native_x64_cases.txt $cases"
  fi
  if [ "$isa" = viper_thumb ] || [ "$isa" = viper_rv32 ] || [ "$isa" = viper_xtensa ] || [ "$isa" = viper_x86 ]; then # they cover the x64 viper cases too
    cases="$here/viper_x64_cases.txt $cases"
  fi
  rm -f "$work"/*.case
  # shellcheck disable=SC2086 # (lines before a file's first case are its description)
  awk -v dir="$work" 'FNR==1{name=""} /^### /{name=$2; next} name {print > (dir "/" name ".case")}' $cases
  # shellcheck disable=SC2086
  cases_list=$(awk '/^### /{print $2}' $cases)
  out="$here/${isa}_goldens.tsv.tmp"
  : > "$out"
  for name in $cases_list; do
    cp "$work/$name.case" "$work/t.py"
    for arch in $(archs_of "$isa"); do
      extra=()
      [ "$isa" = emit_native ] && extra=(-X emit=native) # every scope native, the module's too
      [ "$isa" = emit_viper ] && extra=(-X emit=viper)   # every scope viper, the module's too
      printf '%s\t%s\t%s\n' "$name" "$arch" "$(compile t.py "$arch" "${extra[@]}")" >> "$out"
    done
  done
  mv "$out" "$here/${isa}_goldens.tsv"
  echo "wrote $(wc -l < "$here/${isa}_goldens.tsv") rows of ${isa}_goldens.tsv"
done

if [ -n "${2:-}" ]; then
  out="$here/mp_inlineasm_goldens.tsv.tmp"
  : > "$out"
  for isa in thumb rv32 xtensa; do
    for file in "$2"/tests/inlineasm/$isa/*.py; do
      name=$isa/$(basename "$file")
      sum=$(sha256sum "$file" | cut -d' ' -f1)
      cp "$file" "$work/$(basename "$file")"
      for arch in $(archs_of "$isa"); do
        printf '%s\t%s\t%s\t%s\n' "$name" "$arch" "$sum" "$(compile "$(basename "$file")" "$arch")" >> "$out"
      done
    done
  done
  mv "$out" "$here/mp_inlineasm_goldens.tsv"
  echo "wrote $(wc -l < "$here/mp_inlineasm_goldens.tsv") rows of MicroPython's tests"
  # MicroPython's viper tests (tests/micropython/viper_*.py), the viper emitter's acceptance set
  out="$here/mp_viper_goldens.tsv.tmp"
  : > "$out"
  for file in "$2"/tests/micropython/viper_*.py; do
    sum=$(sha256sum "$file" | cut -d' ' -f1)
    cp "$file" "$work/t.py"
    printf '%s\t%s\t%s\t%s\n' "$(basename "$file")" x64 "$sum" "$(compile t.py x64)" >> "$out"
  done
  mv "$out" "$here/mp_viper_goldens.tsv"
  echo "wrote $(wc -l < "$here/mp_viper_goldens.tsv") rows of MicroPython's viper tests"
  # the same tests for the ARM Thumb, RISC-V, Xtensa and i386 viper targets
  for isa in thumb rv32 xtensa x86; do
    out="$here/mp_viper_${isa}_goldens.tsv.tmp"
    : > "$out"
    for file in "$2"/tests/micropython/viper_*.py; do
      sum=$(sha256sum "$file" | cut -d' ' -f1)
      cp "$file" "$work/t.py"
      for arch in $(archs_of "viper_$isa"); do
        printf '%s\t%s\t%s\t%s\n' "$(basename "$file")" "$arch" "$sum" "$(compile t.py "$arch")" >> "$out"
      done
    done
    mv "$out" "$here/mp_viper_${isa}_goldens.tsv"
    echo "wrote $(wc -l < "$here/mp_viper_${isa}_goldens.tsv") rows of MicroPython's viper tests for $isa"
  done
fi
