#include "mpyship/compiler/inline_asm.h"

#include "mpyship/compiler/asm_rv32.h"
#include "mpyship/compiler/asm_thumb.h"
#include "mpyship/compiler/asm_xtensa.h"

namespace mpyship::compiler::inline_asm {

namespace {
std::unique_ptr<AsmBackend> backend_for(mpy::NativeArch arch, std::uint32_t arch_flags = 0) {
    if (auto thumb = thumb_backend(arch))
        return thumb;
    if (auto xtensa = xtensa_backend(arch))
        return xtensa;
    return rv32_backend(arch, arch_flags);
}
} // namespace

bool has_inline_assembler(mpy::NativeArch arch) {
    return backend_for(arch) != nullptr;
}

AsmCode assemble_function(const FunctionDef& def, mpy::NativeArch arch, std::uint32_t arch_flags,
                          const std::string& scope_name) {
    const auto backend = backend_for(arch, arch_flags);
    return assemble(def, *backend, scope_name);
}

} // namespace mpyship::compiler::inline_asm
