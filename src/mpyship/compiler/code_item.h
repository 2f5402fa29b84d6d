// The emitter's symbolic code: one CodeItem per opcode, label placement or source-line mark, recorded in
// program order. Operands that depend on layout or on module-wide tables (jump offsets, qstr and constant
// indices) stay symbolic until the module builder resolves them and the jump layout sizes the jumps.
#pragma once

#include <cstdint>

namespace mpyship::compiler {

using Label = std::uint32_t;

enum class ItemKind : std::uint8_t {
    op,    // an opcode with its operand
    label, // a label is placed here
    line,  // the following code belongs to source line `value`
    stack, // the stack depth changes by `value` without an opcode (recorded for native scopes only)
};

enum class OperandKind : std::uint8_t {
    none,
    uint_,    // unsigned vuint (`value`)
    sint,     // signed vuint (`value`)
    qstr,     // the emitter's qstr operand `payload`; `value` becomes the qstr-table index later
    constant, // the emitter's constant operand `payload`; `value` becomes the constant-table index later
    child,    // `value` is the child index within this scope
    jump,     // `value` is the target label
};

// When the reference compiler first puts a qstr in the module's table. Identifier loads/stores/deletes
// are resolved only after the scope analysis pass; every other qstr operand is registered during it.
enum class QstrPhase : std::uint8_t { scope_pass, identifier };

// `payload` of a POP_TOP that only drops a for loop's iterator before a break's jump: the bytecode has
// the opcode, the native emitter (which gets one unwind_jump call in the reference) emits nothing.
inline constexpr std::uint32_t k_payload_unwind_pop = 1;
// `payload` of the LOAD_NULL that starts a `del x.a` / `del x[i]` (LOAD_NULL, ROT_*, STORE_*): the
// reference's native emitter gets one delete call for the three.
inline constexpr std::uint32_t k_payload_delete_null = 2;
// On the stack adjustments of start_except_handler (+4) and end_except_handler (-3): the native emitter
// pushes only the exception (the 3 slots an UNWIND_JUMP may need are bytecode's).
inline constexpr std::uint32_t k_payload_except_handler = 3;

struct CodeItem {
    ItemKind kind = ItemKind::op;
    bool dead = false; // unreachable code: no bytes, but its qstrs/constants still count
    std::uint8_t opcode = 0;
    OperandKind operand = OperandKind::none;
    QstrPhase qstr_phase = QstrPhase::scope_pass;
    std::int16_t trailing_byte = -1; // a raw byte after the operand (closure count, unwind depth), or -1
    std::uint32_t payload = 0;       // qstr/constant operands: index into the emitter's operand tables
    std::int64_t value = 0;
};
static_assert(sizeof(CodeItem) == 24); // one per opcode: kept small

} // namespace mpyship::compiler
