// The validating .mpy reader: turns bytes into a Module, checking every length, count and index against
// the input. Memory use is bounded by the input size; malformed input yields a ReadError, never a crash.
#pragma once

#include "mpyship/mpy/model.h"

#include <cstdint>
#include <expected>
#include <span>
#include <string>

namespace mpyship::mpy {

struct ReadError {
    std::size_t offset = 0;
    std::string what;
    std::string to_string() const { return what + " at offset " + std::to_string(offset); }
};

std::expected<Module, ReadError> read_module(std::span<const std::uint8_t> data);

// Prelude pieces, also used by the writer and the compiler's emitter.
struct PreludeSignature {
    std::uint32_t n_state, n_exc_stack, scope_flags, n_pos_args, n_kwonly_args, n_def_pos_args;
};
std::vector<LineEntry> decode_line_info(std::span<const std::uint8_t> line_info, std::size_t* bad_offset);

} // namespace mpyship::mpy
