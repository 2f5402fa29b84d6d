#include "mpyship/mpy/format.h"

#include <iterator>

namespace mpyship::mpy {

const char* native_arch_name(NativeArch arch) {
    static const char* const names[] = {"none",      "x86",     "x64",       "armv6",     "armv6m",
                                        "armv7m",    "armv7em", "armv7emsp", "armv7emdp", "xtensa",
                                        "xtensawin", "rv32imc", "rv64imc"};
    auto i = std::size_t(arch);
    return i < std::size(names) ? names[i] : "unknown";
}

std::optional<NativeArch> native_arch_from_name(std::string_view name) {
    for (auto a = std::uint8_t(NativeArch::x86); a <= std::uint8_t(NativeArch::rv64imc); ++a)
        if (name == native_arch_name(NativeArch(a)))
            return NativeArch(a);
    return std::nullopt;
}

const char* obj_kind_name(ObjKind kind) {
    static const char* const names[] = {"fun_table", "none", "false", "true",    "ellipsis", "str",
                                        "bytes",     "int",  "float", "complex", "tuple"};
    auto i = std::size_t(kind);
    return i < std::size(names) ? names[i] : "unknown";
}

const char* code_kind_name(CodeKind kind) {
    static const char* const names[] = {"bytecode", "native", "viper", "asm"};
    return names[std::size_t(kind) & 3];
}

} // namespace mpyship::mpy
