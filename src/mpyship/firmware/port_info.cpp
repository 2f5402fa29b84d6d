#include "mpyship/firmware/port_info.h"

#include <algorithm>
#include <unistd.h>

namespace mpyship::firmware {
namespace fs = std::filesystem;

namespace {

std::vector<std::string> subdirs(const fs::path& dir, const char* required_file) {
    std::vector<std::string> out;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_directory() && (!required_file || fs::exists(it->path() / required_file)))
            out.push_back(it->path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

std::string joined(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names)
        s += (s.empty() ? "" : ", ") + n;
    return s.empty() ? "(none)" : s;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

} // namespace

std::vector<std::string> list_ports(const fs::path& tree) {
    return subdirs(tree / "ports", "Makefile");
}
std::vector<std::string> list_boards(const fs::path& tree, const std::string& port) {
    return subdirs(tree / "ports" / port / "boards", nullptr);
}
std::vector<std::string> list_variants(const fs::path& tree, const std::string& port) {
    return subdirs(tree / "ports" / port / "variants", nullptr);
}

Result<void> check_port_and_board(const fs::path& tree, const std::string& port,
                                  const std::optional<std::string>& board,
                                  const std::optional<std::string>& variant) {
    auto ports = list_ports(tree);
    if (!contains(ports, port))
        return fail("unknown port '" + port + "'; available ports: " + joined(ports));
    auto boards = list_boards(tree, port);
    if (board && !contains(boards, *board))
        return fail("unknown board '" + *board + "' for port " + port +
                    "; available boards: " + joined(boards));
    if (!board && !boards.empty())
        return fail("port " + port + " needs a board; available boards: " + joined(boards));
    auto variants = list_variants(tree, port);
    if (variant && !board && !contains(variants, *variant))
        return fail("unknown variant '" + *variant + "' for port " + port +
                    "; available variants: " + joined(variants));
    if (variant && board &&
        !fs::exists(tree / "ports" / port / "boards" / *board / ("mpconfigvariant_" + *variant + ".cmake")) &&
        !fs::exists(tree / "ports" / port / "boards" / *board / ("mpconfigvariant_" + *variant + ".mk")))
        return fail("unknown variant '" + *variant + "' for board " + *board + " (no mpconfigvariant_" +
                    *variant + ".mk or .cmake in ports/" + port + "/boards/" + *board + ")");
    return {};
}

fs::path port_build_dir(const fs::path& tree, const std::string& port,
                        const std::optional<std::string>& board, const std::optional<std::string>& variant) {
    fs::path dir = tree / "ports" / port;
    if (!board)
        return dir / ("build-" + variant.value_or("standard"));
    return dir / ("build-" + *board + (variant ? "-" + *variant : ""));
}

Toolchain toolchain_for(const std::string& port, const std::string& board) {
    const std::string docs =
        "https://github.com/micropython/micropython/blob/master/ports/" + port + "/README.md";
    if (port == "qemu" && board.starts_with("VIRT_RV")) // the port's Makefile: CROSS_COMPILE riscv64-unknown-elf-
        return {{"make", "riscv64-unknown-elf-gcc"}, docs};
    if (port == "unix")
        return {{"make", "cc"}, "https://docs.micropython.org/en/latest/develop/gettingstarted.html"};
    if (port == "stm32" || port == "nrf" || port == "samd" || port == "mimxrt" || port == "renesas-ra" ||
        port == "qemu" || port == "cc3200")
        return {{"make", "arm-none-eabi-gcc"}, docs};
    if (port == "rp2")
        return {{"make", "cmake", "arm-none-eabi-gcc"}, docs};
    if (port == "esp32")
        return {{"make", "idf.py"}, docs + " (ESP-IDF: source export.sh first)"};
    if (port == "esp8266")
        return {{"make", "xtensa-lx106-elf-gcc"}, docs};
    return {{"make"}, docs};
}

std::optional<fs::path> find_on_path(const std::string& program, const std::string& path_env) {
    std::size_t start = 0;
    while (start <= path_env.size()) {
        std::size_t end = path_env.find(':', start);
        if (end == std::string::npos)
            end = path_env.size();
        fs::path dir = path_env.substr(start, end - start);
        fs::path candidate = (dir.empty() ? fs::path(".") : dir) / program;
        if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate))
            return candidate;
        start = end + 1;
    }
    return std::nullopt;
}

Result<void> check_toolchain(const std::string& port, const std::string& path_env, const std::string& board) {
    Toolchain t = toolchain_for(port, board);
    const bool by_board = t.programs != toolchain_for(port).programs; // this board needs other tools
    const std::string who = by_board ? "the " + port + " port's board " + board : "the " + port + " port";
    for (const auto& p : t.programs)
        if (!find_on_path(p, path_env))
            return fail("'" + p + "' not found on PATH: " + who + " needs " + joined(t.programs) + "; setup: " + t.docs);
    return {};
}

} // namespace mpyship::firmware
