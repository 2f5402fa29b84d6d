// Handlers of the individual commands, one file each (cmd_<name>.cpp).
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace mpyship::cli {

int cmd_inspect(std::string_view program, std::span<const std::string> args);

} // namespace mpyship::cli
