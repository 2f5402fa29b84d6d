// `mpyship version [--json]` (and `mpyship --version`): the version, and with --json also the commit it was
// built from, the compilers it matches, the native architectures it can emit and those with an inline
// assembler (compiler/capabilities.h).
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/commands.h"
#include "mpyship/cli/parse_args.h"
#include "mpyship/compiler/capabilities.h"
#include "mpyship/util/build_info.h"
#include "mpyship/util/version.h"

#include <fmt/core.h>

namespace mpyship::cli {

nlohmann::ordered_json version_json() {
    nlohmann::ordered_json targets = nlohmann::ordered_json::array();
    for (const auto& t : compiler::k_targets)
        targets.push_back({{"name", t.name},
                           {"runtime", t.runtime},
                           {"version", t.version},
                           {"mpy_magic", std::string(1, t.magic)}});
    nlohmann::ordered_json archs = nlohmann::ordered_json::array();
    for (auto arch : compiler::k_native_archs)
        archs.push_back(arch);
    nlohmann::ordered_json asm_archs = nlohmann::ordered_json::array();
    for (auto arch : compiler::k_inline_asm_archs)
        asm_archs.push_back(arch);
    return {{"ok", true},
            {"name", "mpyship"},
            {"version", mpyship_version()},
            {"commit", git_commit()},
            {"targets", targets},
            {"features", {{"native_archs", archs}, {"inline_asm_archs", asm_archs}}}};
}

int cmd_version(std::string_view program, std::span<const std::string> args) {
    CLI::App app{"Print the mpyship version; --json adds the git commit, the compilers it matches "
                 "(MicroPython, CircuitPython) and the native architectures it can emit.",
                 std::string(program) + " version"};
    bool json = false;
    app.add_flag("--json", json, "print version, commit, targets and features as JSON");
    if (auto rc = parse_args(app, args))
        return *rc;
    if (json)
        fmt::print("{}\n", version_json().dump(2));
    else
        fmt::print("{}\n", version_text());
    return k_exit_ok;
}

} // namespace mpyship::cli
