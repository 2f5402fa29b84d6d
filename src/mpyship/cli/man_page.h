// The manual page mpyship(1) as roff, generated from the commands' help (help_model.h): the overview, the
// global options, then every command with its usage, description, positionals, options and subcommands.
#pragma once

#include "mpyship/cli/help_model.h"

#include <string>
#include <vector>

namespace mpyship::cli {

std::string man_page(const std::vector<CommandHelp>& help);

// Text made safe for roff: backslashes and hyphens escaped, a leading '.' or '\'' neutralised per line.
std::string roff_escape(std::string_view text);

} // namespace mpyship::cli
