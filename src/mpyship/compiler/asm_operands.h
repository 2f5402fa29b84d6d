// Operand readers shared by the inline assemblers. Each takes the operand expression (null for a
// starred argument) and either returns the value or raises mpy-cross's error for that operand
// ("'OP' expects a register", "'OP' integer 0x100 doesn't fit in mask 0xff", ...).
#pragma once

#include "mpyship/compiler/asm_program.h"

#include <cstdint>
#include <optional>
#include <string>

namespace mpyship::compiler::inline_asm {

// An integer constant (after folding and const() substitution) as the low 32 bits of its two's
// complement; nullopt for anything else (bool included).
std::optional<std::uint32_t> int_operand(const Expr* e);
bool is_name(const Expr* e);
bool is_name(const Expr* e, std::string_view text);
// A list of exactly two elements: [base, offset].
bool is_address(const Expr* e);

// r0..r15, sp (13), lr (14), pc (15); "expects a register", then "expects at most rN" above `max`.
std::uint32_t core_register(const Site& site, const Expr* e, std::uint32_t max = 15);
// The register number of a name in `names` (its index); "expects NAME_KIND" otherwise.
std::optional<std::uint32_t> register_index(const Expr* e, std::string_view prefix, std::uint32_t count);
// An integer that must have no bits outside `mask` (checked on the 32-bit value).
std::uint32_t masked_integer(const Site& site, const Expr* e, std::uint32_t mask);
// An integer with no check.
std::uint32_t integer(const Site& site, const Expr* e);
// A label name: "expects a label".
std::string label_name(const Site& site, const Expr* e);
// [base, offset]: "expects an address of the form [a, b]".
const Sequence& address(const Site& site, const Expr* e);

} // namespace mpyship::compiler::inline_asm
