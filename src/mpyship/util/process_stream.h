// Runs a long program (make) with its stdout and stderr merged into one stream, handing each line to a
// callback as it arrives, so the caller can log it and show progress. Extra environment variables are
// added to (or replace those of) the inherited environment.
#pragma once

#include "mpyship/util/error.h"

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship {

// Returns the exit code (128 + signal when killed); fails only when the program cannot be started.
Result<int> run_streaming(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                          const std::function<void(std::string_view line)>& on_line);

} // namespace mpyship
