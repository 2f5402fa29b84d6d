// Int results too big for us to keep (beyond k_max_folded_int_bits) that mpy-cross still folds: it computes a
// fold while its 2 MiB heap holds the work, so `2 ** 5 ** 9` (1,953,126 bits) is folded there, and as a
// statement of its own it is then dropped like any constant. We do not compute such a value; we decide
// whether the reference's computation fits its heap, with a model of its allocations (reference_heap.h) and
// of its multi-precision steps (32-bit digits on a 64-bit host: a power by repeated squaring from the lowest
// exponent bit, each product into its destination grown to the sum of the operands' digits, an operand that
// is also the destination copied first). Calibrated on mpy-cross 1.28 with a fresh heap, where it is exact
// on the measured boundaries (largest folded: `1 << 16626656`, `2 ** 6275039`, `3 ** 3717805`,
// `10 ** 1834955`, `255 ** 784562`; CircuitPython's the same but `255 ** 784567`).
// Modelled: `**` and `<<` of two host-sized ints, and the outer folds below over their results. Left out
// (left unfolded as before): operands that are big ints we hold (their place in the heap moves the layout),
// two huge operands, outer folds whose result could be small (>>, &, //, %), and results the reference would go
// on to report as "MemoryError: memory allocation failed" (a heap left almost full).
#pragma once

#include "mpyship/compiler/ast.h"
#include "mpyship/compiler/big_int.h"
#include "mpyship/compiler/options.h"
#include "mpyship/compiler/reference_heap.h"

#include <optional>

namespace mpyship::compiler {

// The reference's heap right after it folded an int beyond what we keep (the int stays allocated there, as
// the parse tree holds it), and that int's size in 32-bit digits: what an outer fold over it starts from.
struct HugeValue {
    ReferenceHeap heap;
    std::uint64_t digits = 0;
};

// `a op b` for two host-sized ints, when mpy-cross folds it to an int beyond k_max_folded_int_bits (nullopt
// for results we fold ourselves and for those it leaves to run time).
std::optional<HugeValue> reference_huge_fold(BinOpKind op, const BigInt& a, const BigInt& b, Target target);
bool reference_folds_huge(BinOpKind op, const BigInt& a, const BigInt& b, Target target);
// An outer fold over such a value whose result stays huge (so that we need not know it): -x, +x, ~x, and
// x + n, x - n, x * n (n != 0), x | n, x ^ n (n >= 0), x << n for a host-sized int n, on either side where the
// operation allows. nullopt when the reference runs out of heap, or for an operation left out.
std::optional<HugeValue> reference_huge_unary(UnaryOpKind op, HugeValue v, Target target);
std::optional<HugeValue> reference_huge_with_int(BinOpKind op, HugeValue v, const BigInt& other, bool huge_on_left,
                                                 Target target);

// A BinOp or UnaryOp the parser marked reference_folded, and the value it stands for (recomputed from the
// constants under it).
bool is_reference_folded(const Expr& e);
std::optional<HugeValue> reference_huge_value(const Expr& e, Target target);
// The sign (+1 or -1) of the int such a node stands for, from the constants under it.
int reference_huge_sign(const Expr& e);
// The sign of `x op n` (or `n op x`, `huge_on_right`) with x huge of sign `huge_sign` and n the host int
// `other`, for an op that keeps it huge (+, -, *, |, ^, <<).
int huge_step_sign(BinOpKind op, int huge_sign, bool huge_on_right, const BigInt& other);

} // namespace mpyship::compiler
