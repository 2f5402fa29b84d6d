// The in-memory model of a .mpy file: header, qstr table, constant table and the raw-code tree.
// The reader fills it from bytes, the compiler builds it from source, the writer turns it back into bytes.
// Bytecode bodies are kept as the exact opcode bytes; the prelude is kept decoded.
#pragma once

#include "mpyship/mpy/format.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mpyship::mpy {

using Bytes = std::vector<std::uint8_t>;

struct Header {
    std::uint8_t magic = k_magic_micropython;
    std::uint8_t version = k_version;
    std::uint8_t sub_version = 0; // written as 0 when the file has no native code
    NativeArch arch = NativeArch::none;
    bool has_arch_flags = false;
    std::uint64_t arch_flags = 0;
    std::uint8_t small_int_bits = k_default_small_int_bits;
};

struct Qstr {
    bool is_static = false;
    std::uint32_t static_index = 0; // index into the runtime's static qstr table (1-based) when is_static
    std::string text;               // the string itself (looked up for static qstrs)
};

struct Constant {
    ObjKind kind = ObjKind::none;
    std::string data;            // str/bytes payload, or the repr text of int/float/complex
    std::vector<Constant> items; // tuple elements
    // Compiler-internal, never stored in the file: this value is one runtime object that several uses share
    // (math.nan), so equal-but-unequal values such as NaN still share one table entry.
    bool shared_object = false;
    bool operator==(const Constant&) const = default;
};

// One entry of the line-number table: `bytecode_delta` bytes of code belong to a line `line_delta` further
// on.
struct LineEntry {
    std::uint32_t bytecode_delta = 0;
    std::uint32_t line_delta = 0;
};

struct Prelude {
    std::uint32_t n_state = 1;
    std::uint32_t n_exc_stack = 0;
    std::uint32_t scope_flags = 0;
    std::uint32_t n_pos_args = 0;
    std::uint32_t n_kwonly_args = 0;
    std::uint32_t n_def_pos_args = 0;
    std::uint32_t simple_name = 0;        // qstr-table index
    std::vector<std::uint32_t> arg_names; // qstr-table indices, n_pos_args + n_kwonly_args of them
    Bytes line_info;                      // encoded line-number table
    Bytes cells;                          // local numbers that are closure cells
};

// Native code is not generated yet; its blocks are preserved so that such files still round-trip.
struct NativeCode {
    Bytes code;                       // machine code (fun_data)
    std::uint64_t prelude_offset = 0; // native_py: where the bytecode-style prelude starts in `code`
    std::uint64_t scope_flags = 0;    // viper/asm
    std::uint64_t asm_n_pos_args = 0; // asm
    std::uint64_t asm_type_sig = 0;   // asm
    std::uint64_t rodata_size = 0;    // viper, when scope_flags has k_scope_viper_rodata
    std::uint64_t bss_size = 0;       // viper, when scope_flags has k_scope_viper_bss
    Bytes rodata;
    Bytes relocations; // viper relocation stream, written after the children, ends in 0xff
};

struct RawCode {
    CodeKind kind = CodeKind::bytecode;
    Prelude prelude;   // bytecode only
    Bytes bytecode;    // bytecode only: the opcodes after the prelude
    NativeCode native; // native kinds only
    std::vector<RawCode> children;
};

struct Module {
    Header header;
    std::vector<Qstr> qstrs;
    std::vector<Constant> constants;
    RawCode root;
};

} // namespace mpyship::mpy
