// Levenshtein distance, used for "did you mean" suggestions on unknown commands and options.
#pragma once

#include <cstddef>
#include <string_view>

namespace mpyship {

std::size_t edit_distance(std::string_view a, std::string_view b);

} // namespace mpyship
