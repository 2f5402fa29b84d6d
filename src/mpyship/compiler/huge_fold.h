// Int results too big for us to keep (beyond k_max_folded_int_bits) that mpy-cross still folds: it computes a
// fold while its 2 MiB heap holds the work, so `2 ** 5 ** 9` (1,953,126 bits) is folded there, and as a
// statement of its own it is then dropped like any constant. We do not compute such a value; we decide
// whether the reference's computation fits its heap, with a model of its allocations (reference_heap.h) and
// of its multi-precision steps (32-bit digits on a 64-bit host: a power by repeated squaring from the lowest
// exponent bit, each product into its destination grown to the sum of the operands' digits, an operand that
// is also the destination copied first). Calibrated on mpy-cross 1.28 with a fresh heap, where it is exact
// on the measured boundaries (largest folded: `1 << 16626656`, `2 ** 6275039`, `3 ** 3717805`,
// `10 ** 1834955`, `255 ** 784562`; CircuitPython's the same but `255 ** 784567`).
// Modelled: `**` and `<<` of two host-sized ints. Left out (left unfolded as before): operands that are
// themselves big ints (their place in the heap moves the layout), and results the reference would go on to
// report as "MemoryError: memory allocation failed" (a heap left almost full).
#pragma once

#include "mpyship/compiler/ast.h"
#include "mpyship/compiler/big_int.h"
#include "mpyship/compiler/options.h"

namespace mpyship::compiler {

// Whether mpy-cross folds `a op b` to an int beyond k_max_folded_int_bits (false for results we fold).
bool reference_folds_huge(BinOpKind op, const BigInt& a, const BigInt& b, Target target);

} // namespace mpyship::compiler
