// `mpyship completion bash|zsh|fish` and `mpyship man`: the shell completion scripts and the manual page,
// generated now from the commands' help, so whatever the command table holds is what they offer.
#include "mpyship/cli/color.h"
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/commands.h"
#include "mpyship/cli/completion_scripts.h"
#include "mpyship/cli/man_page.h"
#include "mpyship/cli/parse_args.h"

#include <fmt/core.h>

namespace mpyship::cli {

int cmd_completion(std::string_view program, std::span<const std::string> args) {
    CLI::App app{"Print a shell completion script for mpyship. bash: `source <(mpyship completion bash)` (or "
                 "install it as /usr/share/bash-completion/completions/mpyship); zsh: `source <(mpyship completion "
                 "zsh)` after compinit, or save it as _mpyship in $fpath; fish: `mpyship completion fish | source`.",
                 std::string(program) + " completion"};
    std::string shell;
    std::vector<std::string> shells(std::begin(k_completion_shells), std::end(k_completion_shells));
    app.add_option("shell", shell, "the shell: bash, zsh or fish")->required()->check(CLI::IsMember(shells));
    if (auto rc = parse_args(app, args))
        return *rc;
    fmt::print("{}", *completion_script(shell, collect_help()));
    return k_exit_ok;
}

int cmd_man(std::string_view program, std::span<const std::string> args) {
    CLI::App app{"Print the manual page mpyship(1) as roff (view it with `mpyship man | man -l -`). Installed "
                 "builds put it where `man mpyship` finds it.",
                 std::string(program) + " man"};
    if (auto rc = parse_args(app, args))
        return *rc;
    fmt::print("{}", man_page(collect_help()));
    return k_exit_ok;
}

} // namespace mpyship::cli
