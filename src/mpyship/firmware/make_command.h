// The port's own build as one command line: make -C ports/PORT BOARD=… VARIANT=… (unix) or
// BOARD_VARIANT=… (board ports), FROZEN_MANIFEST=…, USER_C_MODULES=…, MICROPY_MPYCROSS=<mpyship as
// mpy-cross>, the user's make_vars (last, so they win), -j N.
#pragma once

#include "mpyship/firmware/firmware_config.h"
#include "mpyship/firmware/prepared_tree.h"

#include <map>

#include <string>
#include <vector>

namespace mpyship::firmware {

std::vector<std::string> make_command(const FirmwareConfig& config, const PreparedTree& prepared,
                                      unsigned jobs);

// The environment make runs with, on top of the inherited one.
std::map<std::string, std::string> make_environment();

// make -C TREE/ports/PORT [BOARD=…] [VARIANT=…] [make_vars…] submodules: the port's own list of the git
// submodules it needs, fetched into a git checkout.
std::vector<std::string> submodules_command(const FirmwareConfig& config, const std::filesystem::path& tree);

} // namespace mpyship::firmware
