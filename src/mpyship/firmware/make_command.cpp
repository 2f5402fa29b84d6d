#include "mpyship/firmware/make_command.h"

namespace mpyship::firmware {

namespace {

std::vector<std::string> make_for_port(const FirmwareConfig& c, const std::filesystem::path& tree) {
    std::vector<std::string> argv{"make", "-C", (tree / "ports" / c.port).string()};
    if (c.board)
        argv.push_back("BOARD=" + *c.board);
    if (c.variant)
        argv.push_back((c.board ? "BOARD_VARIANT=" : "VARIANT=") + *c.variant);
    return argv;
}

} // namespace

std::vector<std::string> make_command(const FirmwareConfig& c, const PreparedTree& p, unsigned jobs) {
    std::vector<std::string> argv = make_for_port(c, p.tree());
    argv.push_back("FROZEN_MANIFEST=" + p.manifest().string());
    if (!c.user_c_modules.empty())
        argv.push_back("USER_C_MODULES=" + p.c_modules().string());
    argv.push_back("MICROPY_MPYCROSS=" + p.mpy_cross().string());
    // The ports rebuild mpy-cross through this dependency; pointing it at the link makes it already built.
    argv.push_back("MICROPY_MPYCROSS_DEPENDENCY=" + p.mpy_cross().string());
    for (const auto& [k, v] : c.make_vars)
        argv.push_back(k + "=" + v);
    argv.push_back("-j" + std::to_string(jobs == 0 ? 1 : jobs));
    return argv;
}

std::vector<std::string> submodules_command(const FirmwareConfig& c, const std::filesystem::path& tree) {
    std::vector<std::string> argv = make_for_port(c, tree);
    for (const auto& [k, v] : c.make_vars)
        argv.push_back(k + "=" + v);
    argv.push_back("submodules");
    return argv;
}

std::map<std::string, std::string> make_environment() {
    // English messages, so the "error" lines shown on failure are found whatever the user's locale.
    return {{"LC_ALL", "C"}};
}

} // namespace mpyship::firmware
