// The .mpy writer: Module -> bytes. Encodings are canonical (shortest vuints, the prelude encoded the
// way the official compilers encode it), so reading a file they produced and writing it back yields the
// same bytes.
#pragma once

#include "mpyship/mpy/model.h"

namespace mpyship::mpy {

Bytes write_module(const Module& module);

// Building blocks shared with the compiler's emitter.
void put_vuint(Bytes& out, std::uint64_t value);
void put_prelude_signature(Bytes& out, const Prelude& p);
void put_prelude_size(Bytes& out, std::uint64_t n_info, std::uint64_t n_cell);
Bytes encode_function_data(const RawCode& rc); // prelude + opcodes of a bytecode raw code

} // namespace mpyship::mpy
