#include "mpyship/deploy/drive_names.h"

#include "mpyship/util/text_checks.h"

#include <algorithm>
#include <map>

namespace mpyship::deploy {
namespace {

constexpr std::string_view k_forbidden = "<>:\"\\|?*";
constexpr std::size_t k_max_name = 255;

std::string component_problem(std::string_view name) {
    if (name.size() > k_max_name)
        return "name longer than 255 characters";
    for (char c : name) {
        if (static_cast<unsigned char>(c) < 0x20)
            return "control character in name";
        if (k_forbidden.find(c) != k_forbidden.npos)
            return std::string("character '") + c + "' is not allowed on FAT";
    }
    if (!name.empty() && (name.back() == '.' || name.back() == ' '))
        return "FAT drops a trailing dot or space";
    return {};
}

} // namespace

std::string fat_name_problem(std::string_view path) {
    while (!path.empty()) {
        auto slash = path.find('/');
        std::string why = component_problem(path.substr(0, slash));
        if (!why.empty())
            return why;
        path = slash == path.npos ? std::string_view{} : path.substr(slash + 1);
    }
    return {};
}

std::string fat_fold(std::string_view path) { return ascii_lower(path); }

std::vector<std::string> unstorable_names(const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    std::map<std::string, std::string> seen;
    for (const auto& p : paths) {
        if (auto why = fat_name_problem(p); !why.empty())
            out.push_back(p + ": " + why);
        auto [it, fresh] = seen.emplace(fat_fold(p), p);
        if (!fresh)
            out.push_back(p + ": same name as " + it->second + " on a case-insensitive drive");
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace mpyship::deploy
