// mpyship's own version, set once by CMake (the project version): what `--version`, the build manifest's
// `generator` and the firmware cache key report.
#pragma once

#include <string_view>

namespace mpyship {

std::string_view mpyship_version();

} // namespace mpyship
