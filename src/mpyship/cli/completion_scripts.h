// Shell completion scripts for bash, zsh and fish, generated from the commands' help (help_model.h):
// commands with their summaries, each command's options (and the values a `{a,b}` option allows), and
// subcommands such as `firmware build`.
#pragma once

#include "mpyship/cli/help_model.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship::cli {

inline constexpr std::string_view k_completion_shells[] = {"bash", "zsh", "fish"};

// The script for `shell`; nullopt for a shell not in k_completion_shells.
std::optional<std::string> completion_script(std::string_view shell, const std::vector<CommandHelp>& help);

} // namespace mpyship::cli
