// The MicroPython v6 bytecode instruction set: opcode numbers, names, argument encodings, and a decoder
// for one instruction. Shared by the reader (validation), the disassembler and the compiler's emitter.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mpyship::mpy {

// How an opcode's argument is encoded and what it refers to.
enum class ArgKind : std::uint8_t {
    none,
    qstr,          // vuint index into the qstr table
    small_int,     // signed vuint
    const_obj,     // vuint index into the constant table
    child,         // vuint index into the raw code's children
    local,         // vuint local slot
    count,         // vuint count (tuple size, call arg encoding, ...)
    jump_signed,   // relative offset, 1 or 2 bytes, biased by 0x40 / 0x4000
    jump_unsigned, // relative offset, 1 or 2 bytes
    multi,         // value folded into the opcode byte itself
};

namespace op {
inline constexpr std::uint8_t LOAD_CONST_STRING = 0x10, LOAD_NAME = 0x11, LOAD_GLOBAL = 0x12,
                              LOAD_ATTR = 0x13, LOAD_METHOD = 0x14, LOAD_SUPER_METHOD = 0x15,
                              STORE_NAME = 0x16, STORE_GLOBAL = 0x17, STORE_ATTR = 0x18, DELETE_NAME = 0x19,
                              DELETE_GLOBAL = 0x1a, IMPORT_NAME = 0x1b, IMPORT_FROM = 0x1c;
inline constexpr std::uint8_t MAKE_CLOSURE = 0x20, MAKE_CLOSURE_DEFARGS = 0x21, LOAD_CONST_SMALL_INT = 0x22,
                              LOAD_CONST_OBJ = 0x23, LOAD_FAST_N = 0x24, LOAD_DEREF = 0x25,
                              STORE_FAST_N = 0x26, STORE_DEREF = 0x27, DELETE_FAST = 0x28,
                              DELETE_DEREF = 0x29, BUILD_TUPLE = 0x2a, BUILD_LIST = 0x2b, BUILD_MAP = 0x2c,
                              BUILD_SET = 0x2d, BUILD_SLICE = 0x2e, STORE_COMP = 0x2f;
inline constexpr std::uint8_t UNPACK_SEQUENCE = 0x30, UNPACK_EX = 0x31, MAKE_FUNCTION = 0x32,
                              MAKE_FUNCTION_DEFARGS = 0x33, CALL_FUNCTION = 0x34, CALL_FUNCTION_VAR_KW = 0x35,
                              CALL_METHOD = 0x36, CALL_METHOD_VAR_KW = 0x37;
inline constexpr std::uint8_t UNWIND_JUMP = 0x40, JUMP = 0x42, POP_JUMP_IF_TRUE = 0x43,
                              POP_JUMP_IF_FALSE = 0x44, JUMP_IF_TRUE_OR_POP = 0x45,
                              JUMP_IF_FALSE_OR_POP = 0x46, SETUP_WITH = 0x47, SETUP_EXCEPT = 0x48,
                              SETUP_FINALLY = 0x49, POP_EXCEPT_JUMP = 0x4a, FOR_ITER = 0x4b;
inline constexpr std::uint8_t LOAD_CONST_FALSE = 0x50, LOAD_CONST_NONE = 0x51, LOAD_CONST_TRUE = 0x52,
                              LOAD_NULL = 0x53, LOAD_BUILD_CLASS = 0x54, LOAD_SUBSCR = 0x55,
                              STORE_SUBSCR = 0x56, DUP_TOP = 0x57, DUP_TOP_TWO = 0x58, POP_TOP = 0x59,
                              ROT_TWO = 0x5a, ROT_THREE = 0x5b, WITH_CLEANUP = 0x5c, END_FINALLY = 0x5d,
                              GET_ITER = 0x5e, GET_ITER_STACK = 0x5f;
inline constexpr std::uint8_t STORE_MAP = 0x62, RETURN_VALUE = 0x63, RAISE_LAST = 0x64, RAISE_OBJ = 0x65,
                              RAISE_FROM = 0x66, YIELD_VALUE = 0x67, YIELD_FROM = 0x68, IMPORT_STAR = 0x69;
inline constexpr std::uint8_t LOAD_CONST_SMALL_INT_MULTI = 0x70, LOAD_FAST_MULTI = 0xb0,
                              STORE_FAST_MULTI = 0xc0, UNARY_OP_MULTI = 0xd0, BINARY_OP_MULTI = 0xd7;
inline constexpr int k_small_int_multi_num = 64, k_small_int_multi_excess = 16;
inline constexpr int k_fast_multi_num = 16;
inline constexpr int k_unary_op_num = 4, k_binary_op_num = 35;
} // namespace op

struct OpcodeInfo {
    std::string_view name;
    ArgKind arg = ArgKind::none;
    bool extra_byte = false; // a trailing byte follows the argument (closure cell count, unwind depth)
};

// nullopt for byte values that are not opcodes.
std::optional<OpcodeInfo> opcode_info(std::uint8_t opcode);

std::string_view unary_op_name(int op);
std::string_view binary_op_name(int op);

struct Instruction {
    std::size_t offset = 0; // of the opcode byte, within the opcode section
    std::size_t size = 0;   // bytes including argument(s)
    std::uint8_t opcode = 0;
    OpcodeInfo info;
    std::int64_t arg = 0;    // decoded argument (for jumps: the relative offset)
    int extra = -1;          // the extra byte, or -1
    std::int64_t target = 0; // jumps: absolute target offset within the opcode section
};

struct DecodeError {
    std::size_t offset;
    std::string what;
};

// Decodes the instruction at `offset`. Fails on unknown opcodes and truncated arguments; does not check
// that indices are in range (the caller knows the tables).
std::optional<Instruction> decode_instruction(std::span<const std::uint8_t> code, std::size_t offset,
                                              DecodeError* error);

} // namespace mpyship::mpy
