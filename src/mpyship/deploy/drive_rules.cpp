#include "mpyship/deploy/drive_rules.h"

#include "mpyship/deploy/drive_names.h"
#include "mpyship/util/glob.h"

#include <algorithm>
#include <array>

namespace mpyship::deploy {
namespace {

// Written by the runtime or the host OS, at the drive's root.
constexpr std::array<std::string_view, 6> k_root_system = {"boot_out.txt", "settings.toml",
                                                           ".fseventsd",   ".metadata_never_index",
                                                           ".trashes",     "system volume information"};
constexpr std::array<std::string_view, 4> k_reload_entries = {"code.txt", "code.py", "main.py", "main.txt"};
constexpr std::array<std::string_view, 3> k_reset_entries = {"boot.py", "boot.txt", "safemode.py"};

std::string_view first_component(std::string_view path) {
    return path.substr(0, path.find('/'));
}

template <std::size_t N> bool contains(const std::array<std::string_view, N>& list, std::string_view name) {
    return std::find(list.begin(), list.end(), name) != list.end();
}

} // namespace

std::string protection_reason(std::string_view path, const std::vector<std::string>& keep) {
    std::string top = fat_fold(first_component(path));
    if (contains(k_root_system, top))
        return "belongs to the board or the host, never touched";
    if (top == ".mpyship" || top.starts_with(".trash-"))
        return top == ".mpyship" ? "the deploy record" : "host trash folder, never touched";
    for (const auto& glob : keep)
        if (glob_match(glob, path))
            return "matches --keep " + glob;
    return {};
}

int write_rank(std::string_view path, const std::vector<std::string>& entry_points) {
    if (path.find('/') != path.npos)
        return 0;
    std::string name = fat_fold(path);
    if (contains(k_reload_entries, name))
        return 2;
    bool listed =
        std::any_of(entry_points.begin(), entry_points.end(), [&](auto& e) { return fat_fold(e) == name; });
    return listed || contains(k_reset_entries, name) ? 1 : 0;
}

} // namespace mpyship::deploy
