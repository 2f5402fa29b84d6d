// Which native architecture a project's build compiles inline assembler (and, later, native and viper)
// functions for: `[build] arch` in mpyship.toml, else the architecture the MicroPython port and board of
// its [firmware] section build their frozen code for (as the port's makefiles pass -march to mpy-cross),
// else none: such modules then ship as source and the board compiles them.
#pragma once

#include "mpyship/mpy/format.h"

#include <optional>
#include <string>
#include <string_view>

namespace mpyship::project {

// The -march of a port and board (board may be empty); nullopt where it depends on more than the
// names tell (stm32, samd and nrf follow the MCU: set [build] arch there).
std::optional<mpy::NativeArch> firmware_default_arch(std::string_view port, std::string_view board);

// "x86, x64, armv6, ..." for messages.
std::string native_arch_names();

} // namespace mpyship::project
