#include "mpyship/compiler/viper_types.h"

#include <array>
#include <utility>

namespace mpyship::compiler {

namespace {
constexpr std::array<std::pair<std::string_view, VType>, 8> k_names{{
    {"object", VType::object},
    {"bool", VType::bool_},
    {"int", VType::int_},
    {"uint", VType::uint},
    {"ptr", VType::ptr},
    {"ptr8", VType::ptr8},
    {"ptr16", VType::ptr16},
    {"ptr32", VType::ptr32},
}};
} // namespace

std::string_view vtype_name(VType t) {
    for (const auto& [name, type] : k_names)
        if (type == t)
            return name;
    switch (t) {
    case VType::none:
    case VType::unbound: // as the reference names a value whose type is not known yet
        return "None";
    case VType::cast:
        return "builtin";
    default:
        return "unbound";
    }
}

std::optional<VType> vtype_from_name(std::string_view name) {
    for (const auto& [n, type] : k_names)
        if (n == name)
            return type;
    return std::nullopt;
}

} // namespace mpyship::compiler
