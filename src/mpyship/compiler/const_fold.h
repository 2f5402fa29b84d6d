// Parse-time constant folding with the reference's semantics: which operand kinds fold (ints of any
// size and floats; never bools, strings or complex numbers), Python int/float rules, and the cases
// that must be left unfolded (division by zero, negative shifts, complex results, huge results).
#pragma once

#include "mpyship/compiler/ast.h"

#include <optional>

namespace mpyship::compiler {

// Largest folded integer, in bits; bigger results stay unfolded. Measured on mpy-cross 1.28 (default 2 MiB
// heap), all byte-identical: `1 << 1048576`, `2 ** 1048576` and a product of two 524,289-bit ints (1,048,577
// bits) are folded. Beyond that the reference folds while its heap holds the work, and stores the result as
// decimal text while its heap holds that too (for `x = 1 << n` alone: up to n = 3,563,007; from 3,563,008
// "MemoryError: memory allocation failed, allocating N bytes"), which takes it minutes. We keep no such value:
// a fold of two host-sized ints that the reference computes (huge_fold.h models its heap) leaves the BinOp
// marked, so a statement of its own is dropped and a condition is true, as there; a stored one stays code.
inline constexpr std::uint64_t k_max_folded_int_bits = (1u << 20) + 1;

std::optional<ConstValue> fold_binary(BinOpKind op, const ConstValue& lhs, const ConstValue& rhs);
std::optional<ConstValue> fold_unary(UnaryOpKind op, const ConstValue& operand);

// An int the reference's parser holds as a big-int object: outside the host's 63-bit small ints.
bool is_host_big_int(const ConstValue& value);

// Whether the reference treats the expression as a constant (for const(), tuples, and/or/not):
// a Constant, or an empty tuple `()`.
bool is_constant_expr(const Expr& e);
ConstValue constant_of(const Expr& e); // requires is_constant_expr(e)

// math.<attr> constants folded when accessed as exactly `math.attr`.
std::optional<ConstValue> math_constant(std::string_view attr);

// In the reference, every `math.nan` is the same float object (so its uses share one constant), while a
// NaN computed by folding is a new object each time. The shared one is a NaN with a payload of its own;
// folding results are normalised to the plain quiet NaN.
double shared_math_nan();
bool is_shared_math_nan(double value);

} // namespace mpyship::compiler
