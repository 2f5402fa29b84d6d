#include "mpyship/mpy/opcodes.h"

#include <array>

namespace mpyship::mpy {
namespace {

struct Entry {
    std::uint8_t opcode;
    OpcodeInfo info;
};

constexpr Entry k_opcodes[] = {
    {op::LOAD_CONST_STRING, {"LOAD_CONST_STRING", ArgKind::qstr}},
    {op::LOAD_NAME, {"LOAD_NAME", ArgKind::qstr}},
    {op::LOAD_GLOBAL, {"LOAD_GLOBAL", ArgKind::qstr}},
    {op::LOAD_ATTR, {"LOAD_ATTR", ArgKind::qstr}},
    {op::LOAD_METHOD, {"LOAD_METHOD", ArgKind::qstr}},
    {op::LOAD_SUPER_METHOD, {"LOAD_SUPER_METHOD", ArgKind::qstr}},
    {op::STORE_NAME, {"STORE_NAME", ArgKind::qstr}},
    {op::STORE_GLOBAL, {"STORE_GLOBAL", ArgKind::qstr}},
    {op::STORE_ATTR, {"STORE_ATTR", ArgKind::qstr}},
    {op::DELETE_NAME, {"DELETE_NAME", ArgKind::qstr}},
    {op::DELETE_GLOBAL, {"DELETE_GLOBAL", ArgKind::qstr}},
    {op::IMPORT_NAME, {"IMPORT_NAME", ArgKind::qstr}},
    {op::IMPORT_FROM, {"IMPORT_FROM", ArgKind::qstr}},
    {op::MAKE_CLOSURE, {"MAKE_CLOSURE", ArgKind::child, true}},
    {op::MAKE_CLOSURE_DEFARGS, {"MAKE_CLOSURE_DEFARGS", ArgKind::child, true}},
    {op::LOAD_CONST_SMALL_INT, {"LOAD_CONST_SMALL_INT", ArgKind::small_int}},
    {op::LOAD_CONST_OBJ, {"LOAD_CONST_OBJ", ArgKind::const_obj}},
    {op::LOAD_FAST_N, {"LOAD_FAST_N", ArgKind::local}},
    {op::LOAD_DEREF, {"LOAD_DEREF", ArgKind::local}},
    {op::STORE_FAST_N, {"STORE_FAST_N", ArgKind::local}},
    {op::STORE_DEREF, {"STORE_DEREF", ArgKind::local}},
    {op::DELETE_FAST, {"DELETE_FAST", ArgKind::local}},
    {op::DELETE_DEREF, {"DELETE_DEREF", ArgKind::local}},
    {op::BUILD_TUPLE, {"BUILD_TUPLE", ArgKind::count}},
    {op::BUILD_LIST, {"BUILD_LIST", ArgKind::count}},
    {op::BUILD_MAP, {"BUILD_MAP", ArgKind::count}},
    {op::BUILD_SET, {"BUILD_SET", ArgKind::count}},
    {op::BUILD_SLICE, {"BUILD_SLICE", ArgKind::count}},
    {op::STORE_COMP, {"STORE_COMP", ArgKind::count}},
    {op::UNPACK_SEQUENCE, {"UNPACK_SEQUENCE", ArgKind::count}},
    {op::UNPACK_EX, {"UNPACK_EX", ArgKind::count}},
    {op::MAKE_FUNCTION, {"MAKE_FUNCTION", ArgKind::child}},
    {op::MAKE_FUNCTION_DEFARGS, {"MAKE_FUNCTION_DEFARGS", ArgKind::child}},
    {op::CALL_FUNCTION, {"CALL_FUNCTION", ArgKind::count}},
    {op::CALL_FUNCTION_VAR_KW, {"CALL_FUNCTION_VAR_KW", ArgKind::count}},
    {op::CALL_METHOD, {"CALL_METHOD", ArgKind::count}},
    {op::CALL_METHOD_VAR_KW, {"CALL_METHOD_VAR_KW", ArgKind::count}},
    {op::UNWIND_JUMP, {"UNWIND_JUMP", ArgKind::jump_signed, true}},
    {op::JUMP, {"JUMP", ArgKind::jump_signed}},
    {op::POP_JUMP_IF_TRUE, {"POP_JUMP_IF_TRUE", ArgKind::jump_signed}},
    {op::POP_JUMP_IF_FALSE, {"POP_JUMP_IF_FALSE", ArgKind::jump_signed}},
    {op::JUMP_IF_TRUE_OR_POP, {"JUMP_IF_TRUE_OR_POP", ArgKind::jump_unsigned}},
    {op::JUMP_IF_FALSE_OR_POP, {"JUMP_IF_FALSE_OR_POP", ArgKind::jump_unsigned}},
    {op::SETUP_WITH, {"SETUP_WITH", ArgKind::jump_unsigned}},
    {op::SETUP_EXCEPT, {"SETUP_EXCEPT", ArgKind::jump_unsigned}},
    {op::SETUP_FINALLY, {"SETUP_FINALLY", ArgKind::jump_unsigned}},
    {op::POP_EXCEPT_JUMP, {"POP_EXCEPT_JUMP", ArgKind::jump_unsigned}},
    {op::FOR_ITER, {"FOR_ITER", ArgKind::jump_unsigned}},
    {op::LOAD_CONST_FALSE, {"LOAD_CONST_FALSE"}},
    {op::LOAD_CONST_NONE, {"LOAD_CONST_NONE"}},
    {op::LOAD_CONST_TRUE, {"LOAD_CONST_TRUE"}},
    {op::LOAD_NULL, {"LOAD_NULL"}},
    {op::LOAD_BUILD_CLASS, {"LOAD_BUILD_CLASS"}},
    {op::LOAD_SUBSCR, {"LOAD_SUBSCR"}},
    {op::STORE_SUBSCR, {"STORE_SUBSCR"}},
    {op::DUP_TOP, {"DUP_TOP"}},
    {op::DUP_TOP_TWO, {"DUP_TOP_TWO"}},
    {op::POP_TOP, {"POP_TOP"}},
    {op::ROT_TWO, {"ROT_TWO"}},
    {op::ROT_THREE, {"ROT_THREE"}},
    {op::WITH_CLEANUP, {"WITH_CLEANUP"}},
    {op::END_FINALLY, {"END_FINALLY"}},
    {op::GET_ITER, {"GET_ITER"}},
    {op::GET_ITER_STACK, {"GET_ITER_STACK"}},
    {op::STORE_MAP, {"STORE_MAP"}},
    {op::RETURN_VALUE, {"RETURN_VALUE"}},
    {op::RAISE_LAST, {"RAISE_LAST"}},
    {op::RAISE_OBJ, {"RAISE_OBJ"}},
    {op::RAISE_FROM, {"RAISE_FROM"}},
    {op::YIELD_VALUE, {"YIELD_VALUE"}},
    {op::YIELD_FROM, {"YIELD_FROM"}},
    {op::IMPORT_STAR, {"IMPORT_STAR"}},
};

constexpr std::string_view k_unary_names[op::k_unary_op_num] = {"POSITIVE", "NEGATIVE", "INVERT", "NOT"};

constexpr std::string_view k_binary_names[op::k_binary_op_num] = {
    "LESS",
    "MORE",
    "EQUAL",
    "LESS_EQUAL",
    "MORE_EQUAL",
    "NOT_EQUAL",
    "IN",
    "IS",
    "EXCEPTION_MATCH",
    "INPLACE_OR",
    "INPLACE_XOR",
    "INPLACE_AND",
    "INPLACE_LSHIFT",
    "INPLACE_RSHIFT",
    "INPLACE_ADD",
    "INPLACE_SUBTRACT",
    "INPLACE_MULTIPLY",
    "INPLACE_MAT_MULTIPLY",
    "INPLACE_FLOOR_DIVIDE",
    "INPLACE_TRUE_DIVIDE",
    "INPLACE_MODULO",
    "INPLACE_POWER",
    "OR",
    "XOR",
    "AND",
    "LSHIFT",
    "RSHIFT",
    "ADD",
    "SUBTRACT",
    "MULTIPLY",
    "MAT_MULTIPLY",
    "FLOOR_DIVIDE",
    "TRUE_DIVIDE",
    "MODULO",
    "POWER",
};

using Table = std::array<std::optional<OpcodeInfo>, 256>;

Table build_table() {
    Table t{};
    for (const auto& e : k_opcodes)
        t[e.opcode] = e.info;
    for (int i = 0; i < op::k_small_int_multi_num; ++i)
        t[op::LOAD_CONST_SMALL_INT_MULTI + i] = OpcodeInfo{"LOAD_CONST_SMALL_INT", ArgKind::multi};
    for (int i = 0; i < op::k_fast_multi_num; ++i) {
        t[op::LOAD_FAST_MULTI + i] = OpcodeInfo{"LOAD_FAST", ArgKind::multi};
        t[op::STORE_FAST_MULTI + i] = OpcodeInfo{"STORE_FAST", ArgKind::multi};
    }
    for (int i = 0; i < op::k_unary_op_num; ++i)
        t[op::UNARY_OP_MULTI + i] = OpcodeInfo{"UNARY_OP", ArgKind::multi};
    for (int i = 0; i < op::k_binary_op_num; ++i)
        t[op::BINARY_OP_MULTI + i] = OpcodeInfo{"BINARY_OP", ArgKind::multi};
    return t;
}

const Table& table() {
    static const Table t = build_table();
    return t;
}

// The value folded into a "multi" opcode byte.
std::int64_t multi_value(std::uint8_t opcode) {
    if (opcode < op::LOAD_FAST_MULTI)
        return std::int64_t(opcode - op::LOAD_CONST_SMALL_INT_MULTI) - op::k_small_int_multi_excess;
    if (opcode < op::STORE_FAST_MULTI)
        return opcode - op::LOAD_FAST_MULTI;
    if (opcode < op::UNARY_OP_MULTI)
        return opcode - op::STORE_FAST_MULTI;
    if (opcode < op::BINARY_OP_MULTI)
        return opcode - op::UNARY_OP_MULTI;
    return opcode - op::BINARY_OP_MULTI;
}

bool fail(DecodeError* error, std::size_t offset, std::string what) {
    if (error)
        *error = DecodeError{offset, std::move(what)};
    return false;
}

// Reads a vuint argument (optionally signed) at `pos`; advances pos.
bool read_arg_vuint(std::span<const std::uint8_t> code, std::size_t& pos, bool is_signed, std::int64_t& out,
                    DecodeError* error) {
    std::size_t start = pos;
    if (pos >= code.size())
        return fail(error, pos, "truncated instruction argument");
    std::int64_t value = code[pos] & 0x7f;
    if (is_signed && (value & 0x40))
        value -= 0x80;
    for (int n = 0; code[pos] & 0x80; ++n) {
        ++pos;
        if (pos >= code.size())
            return fail(error, pos, "truncated instruction argument");
        if (n >= 8)
            return fail(error, start, "instruction argument is too long");
        value = value * 128 + (code[pos] & 0x7f);
    }
    ++pos;
    out = value;
    return true;
}

bool read_arg_jump(std::span<const std::uint8_t> code, std::size_t& pos, bool is_signed, std::int64_t& out,
                   DecodeError* error) {
    if (pos >= code.size())
        return fail(error, pos, "truncated jump offset");
    if (!(code[pos] & 0x80)) {
        out = code[pos] - (is_signed ? 0x40 : 0);
        pos += 1;
        return true;
    }
    if (pos + 1 >= code.size())
        return fail(error, pos, "truncated jump offset");
    out = (code[pos] & 0x7f) | (std::int64_t(code[pos + 1]) << 7);
    if (is_signed)
        out -= 0x4000;
    pos += 2;
    return true;
}

} // namespace

std::optional<OpcodeInfo> opcode_info(std::uint8_t opcode) {
    return table()[opcode];
}

std::string_view unary_op_name(int o) {
    return o >= 0 && o < op::k_unary_op_num ? k_unary_names[o] : std::string_view("?");
}

std::string_view binary_op_name(int o) {
    return o >= 0 && o < op::k_binary_op_num ? k_binary_names[o] : std::string_view("?");
}

std::optional<Instruction> decode_instruction(std::span<const std::uint8_t> code, std::size_t offset,
                                              DecodeError* error) {
    if (offset >= code.size()) {
        fail(error, offset, "truncated bytecode");
        return std::nullopt;
    }
    Instruction ins;
    ins.offset = offset;
    ins.opcode = code[offset];
    auto info = opcode_info(ins.opcode);
    if (!info) {
        fail(error, offset,
             "unknown opcode 0x" + std::string(1, "0123456789abcdef"[ins.opcode >> 4]) +
                 std::string(1, "0123456789abcdef"[ins.opcode & 15]));
        return std::nullopt;
    }
    ins.info = *info;
    std::size_t pos = offset + 1;
    bool ok = true;
    switch (info->arg) {
    case ArgKind::none:
        break;
    case ArgKind::multi:
        ins.arg = multi_value(ins.opcode);
        break;
    case ArgKind::jump_signed:
    case ArgKind::jump_unsigned:
        ok = read_arg_jump(code, pos, info->arg == ArgKind::jump_signed, ins.arg, error);
        ins.target = std::int64_t(pos) + ins.arg;
        break;
    default:
        ok = read_arg_vuint(code, pos, info->arg == ArgKind::small_int, ins.arg, error);
        break;
    }
    if (!ok)
        return std::nullopt;
    if (info->extra_byte) {
        if (pos >= code.size()) {
            fail(error, pos, "truncated instruction, expected its extra byte");
            return std::nullopt;
        }
        ins.extra = code[pos++];
    }
    ins.size = pos - offset;
    return ins;
}

} // namespace mpyship::mpy
