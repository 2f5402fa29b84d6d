// Runs a program (no shell) and captures its output: used for `git describe`, and later for make and
// esptool. The child gets its own stdin pipe; stdout and stderr are collected separately.
#pragma once

#include "mpyship/util/error.h"

#include <filesystem>
#include <string>
#include <vector>

namespace mpyship {

struct ProcessResult {
    int exit_code = -1; // 128 + signal when killed by a signal
    std::string out;
    std::string err;
};

// The command as a user would type it, for logs and --dry-run: words joined by spaces, a word with a space
// in single quotes.
std::string command_line(const std::vector<std::string>& argv);

// argv[0] is looked up on PATH when it has no '/'. Fails only when the program cannot be started.
Result<ProcessResult> run_process(const std::vector<std::string>& argv, const std::string& stdin_data = {},
                                  const std::filesystem::path& cwd = {});

} // namespace mpyship
