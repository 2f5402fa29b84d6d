// Turns a scope's symbolic code into bytes, sizing jumps the way the reference does: a first pass gives
// every jump its 2-byte form; later passes pick the 1-byte form when the offset fits, using label offsets
// from the previous pass for forward jumps and from the current pass for backward ones, and repeat until
// the code size stops changing. Signed jumps (UNWIND_JUMP, JUMP, POP_JUMP_IF_*) reach -64..63 in one byte,
// unsigned ones 0..127; offsets count from the end of the 1- or 2-byte jump operand.
#pragma once

#include "mpyship/compiler/code_item.h"
#include "mpyship/mpy/model.h"

#include <vector>

namespace mpyship::compiler {

struct LaidOutCode {
    mpy::Bytes bytecode;
    mpy::Bytes line_info;
    bool overflow = false; // a 2-byte jump offset is out of range ("bytecode overflow")
};

// `items` must have every qstr/constant operand resolved to its table index.
LaidOutCode lay_out_code(const std::vector<CodeItem>& items, std::size_t n_labels, bool with_line_info);

void put_signed_vuint(mpy::Bytes& out, std::int64_t value);

} // namespace mpyship::compiler
