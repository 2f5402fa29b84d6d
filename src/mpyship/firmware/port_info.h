// What a MicroPython source tree offers: its ports (ports/*/ with a Makefile), each port's boards
// (ports/PORT/boards/*/) and the unix port's variants; where a port's build writes its images; and which
// programs each known port needs on PATH, with the page of MicroPython's docs that sets them up.
#pragma once

#include "mpyship/util/error.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mpyship::firmware {

std::vector<std::string> list_ports(const std::filesystem::path& tree);
std::vector<std::string> list_boards(const std::filesystem::path& tree, const std::string& port);
std::vector<std::string> list_variants(const std::filesystem::path& tree, const std::string& port);

// Checks that port, board and variant exist; the error lists the available ones.
Result<void> check_port_and_board(const std::filesystem::path& tree, const std::string& port,
                                  const std::optional<std::string>& board,
                                  const std::optional<std::string>& variant);

// ports/PORT/build-BOARD[-VARIANT], or ports/unix/build-VARIANT (default variant "standard").
std::filesystem::path port_build_dir(const std::filesystem::path& tree, const std::string& port,
                                     const std::optional<std::string>& board,
                                     const std::optional<std::string>& variant);

struct Toolchain {
    std::vector<std::string> programs; // always starts with "make"
    std::string docs;                  // where MicroPython documents the port's setup
};
// The board matters where one port builds for several instruction sets (qemu's VIRT_RV32/RV64 boards).
Toolchain toolchain_for(const std::string& port, const std::string& board = "");
// Looks each program up in `path_env` (a PATH value); the error names the missing program and the docs.
Result<void> check_toolchain(const std::string& port, const std::string& path_env, const std::string& board = "");
std::optional<std::filesystem::path> find_on_path(const std::string& program, const std::string& path_env);

} // namespace mpyship::firmware
