#include "mpyship/compiler/arch_flags.h"

#include "mpyship/compiler/asm_rv32.h"

#include <cerrno>
#include <cstdlib>
#include <string>

namespace mpyship::compiler {
namespace {

struct FlagName {
    std::string_view name;
    std::uint32_t bit;
};

constexpr FlagName k_rv32_flags[] = {{"zba", inline_asm::k_rv32_flag_zba}, {"zcmp", inline_asm::k_rv32_flag_zcmp}};
constexpr std::uint32_t k_rv32_all = inline_asm::k_rv32_flag_zba | inline_asm::k_rv32_flag_zcmp;

// A number as strtol with base 0 reads it, plus a 0b/0B binary prefix; the whole text must be digits.
std::optional<long> parse_number(std::string_view text) {
    int base = 0;
    std::string digits(text);
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'b' || digits[1] == 'B')) {
        base = 2;
        digits = digits.substr(2);
    }
    if (digits.empty())
        return std::nullopt;
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(digits.c_str(), &end, base);
    if (*end != '\0' || errno == ERANGE)
        return std::nullopt;
    return v;
}

// "zba,zcmp": names separated by commas; a trailing comma is accepted, an empty name is not.
std::optional<std::uint32_t> parse_names(std::string_view text) {
    std::uint32_t flags = 0;
    while (!text.empty()) {
        const std::size_t comma = text.find(',');
        const std::string_view name = text.substr(0, comma);
        bool known = false;
        for (const FlagName& f : k_rv32_flags)
            if (f.name == name) {
                flags |= f.bit;
                known = true;
            }
        if (!known)
            return std::nullopt;
        text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    }
    return flags;
}

} // namespace

std::optional<std::uint32_t> parse_arch_flags(mpy::NativeArch arch, std::string_view text) {
    if (arch != mpy::NativeArch::rv32imc || text.empty())
        return std::nullopt;
    const char c = text.front();
    if ((c >= '0' && c <= '9') || c == '+' || c == '-') {
        const auto v = parse_number(text);
        if (!v || *v < 0 || (std::uint64_t(*v) & ~std::uint64_t(k_rv32_all)))
            return std::nullopt;
        return std::uint32_t(*v);
    }
    return parse_names(text);
}

} // namespace mpyship::compiler
