// The runtime's static qstr table: names every MicroPython/CircuitPython build has at fixed indices,
// which .mpy files reference by index instead of spelling out. The table is part of the .mpy format
// (identical for MicroPython 1.28 and CircuitPython 10.2); index 0 is the null qstr and never valid.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mpyship::mpy {

std::size_t static_qstr_count(); // number of valid indices, which run from 1 to static_qstr_count()
std::optional<std::string_view> static_qstr_text(std::uint32_t index);
std::optional<std::uint32_t> static_qstr_index(std::string_view text);

} // namespace mpyship::mpy
