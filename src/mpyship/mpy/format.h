// Byte layout of a .mpy v6 file (MicroPython >= 1.23 and CircuitPython 9/10 write sub-version 3).
//
//   header      'M' | 'C', version (6), features, small-int bits
//               features = bit 6: arch-flags vuint follows | bits 5..2: native arch | bits 1..0: sub-version
//   [vuint]     arch flags, only when feature bit 6 is set
//   vuint       n_qstr
//   vuint       n_obj
//   qstr * n    vuint (len << 1) then len bytes + NUL, or vuint (static_index << 1 | 1)
//   obj * n     kind byte, then per kind: str/bytes: vuint len, bytes, NUL; int/float/complex: vuint len,
//               repr text (no NUL); tuple: vuint count, objects; none/false/true/ellipsis/fun-table: nothing
//   raw code    vuint (len << 3 | has_children << 2 | kind), len bytes of code,
//               [native extras], [vuint n_children, children...], [viper relocations]
//
// Every vuint in the file and in bytecode is big-endian base-128: 7 bits per byte, most significant group
// first, high bit set on every byte except the last.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace mpyship::mpy {

inline constexpr std::uint8_t k_magic_micropython = 'M';
inline constexpr std::uint8_t k_magic_circuitpython = 'C';
inline constexpr std::uint8_t k_version = 6;
inline constexpr std::uint8_t k_sub_version = 3;
inline constexpr std::uint8_t k_default_small_int_bits = 31;
inline constexpr std::size_t k_header_size = 4;

inline constexpr std::uint8_t k_feature_arch_flags = 0x40;
inline constexpr std::uint8_t k_feature_reserved = 0x80;
inline constexpr unsigned k_feature_arch_shift = 2;
inline constexpr std::uint8_t k_feature_arch_mask = 0x0f;
inline constexpr std::uint8_t k_feature_sub_version_mask = 0x03;

// Native architectures numbered as in the header's arch field.
enum class NativeArch : std::uint8_t {
    none = 0,
    x86,
    x64,
    armv6,
    armv6m,
    armv7m,
    armv7em,
    armv7emsp,
    armv7emdp,
    xtensa,
    xtensawin,
    rv32imc,
    rv64imc,
};
const char* native_arch_name(NativeArch arch);
// The architecture of a -march name (x86 ... rv64imc); nullopt for others (host and debug included).
std::optional<NativeArch> native_arch_from_name(std::string_view name);

// Kinds of constant objects stored in the object table.
enum class ObjKind : std::uint8_t {
    fun_table = 0,
    none = 1,
    false_ = 2,
    true_ = 3,
    ellipsis = 4,
    str = 5,
    bytes = 6,
    int_ = 7,
    float_ = 8,
    complex = 9,
    tuple = 10,
};
inline constexpr std::uint8_t k_obj_kind_last = 10;
const char* obj_kind_name(ObjKind kind);

// Kinds of raw code (low two bits of the raw-code header vuint).
enum class CodeKind : std::uint8_t { bytecode = 0, native_py = 1, native_viper = 2, native_asm = 3 };
const char* code_kind_name(CodeKind kind);
inline constexpr unsigned k_raw_code_kind_mask = 0x03;
inline constexpr unsigned k_raw_code_has_children = 0x04;
inline constexpr unsigned k_raw_code_len_shift = 3;

// Scope flags stored in the bytecode prelude signature (4 bits) and in native raw codes.
inline constexpr unsigned k_scope_generator = 0x01;
inline constexpr unsigned k_scope_varkeywords = 0x02;
inline constexpr unsigned k_scope_varargs = 0x04;
inline constexpr unsigned k_scope_defkwargs = 0x08;
inline constexpr unsigned k_scope_sig_mask = 0x0f;
inline constexpr unsigned k_scope_viper_reloc = 0x10;
inline constexpr unsigned k_scope_viper_rodata = 0x20;
inline constexpr unsigned k_scope_viper_bss = 0x40;

inline constexpr std::uint8_t k_viper_reloc_end = 0xff;

} // namespace mpyship::mpy
