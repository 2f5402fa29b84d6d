// libFuzzer target for the compiler with -march set: the first byte picks the architecture (its low 7
// bits: every one mpy-cross offers, so inline assembler, native and viper functions meet each target and
// "invalid arch") and, with its top bit, -X emit=native (every scope native), -X emit=viper when bit 6 is set
// too; the rest is the source. No crash, no hang; whatever compiles must be a .mpy that the reader accepts and the writer
// reproduces, with the architecture in its header when it holds native code.
#include "mpyship/compiler/compiler.h"
#include "mpyship/mpy/reader.h"
#include "mpyship/mpy/writer.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1 || size > 16384)
        return 0;
    using mpyship::mpy::NativeArch;
    const auto arch = NativeArch(1 + (data[0] & 0x7f) % std::uint8_t(NativeArch::rv64imc));
    std::string_view source(reinterpret_cast<const char*>(data + 1), size - 1);
    mpyship::compiler::Options options;
    options.arch = arch;
    options.march_given = true;
    options.emit_native = (data[0] & 0x80) != 0;
    options.emit_viper = (data[0] & 0xc0) == 0xc0;
    options.source_name = "fuzz.py";
    auto module = mpyship::compiler::compile_module(source, options);
    if (!module) {
        if (module.error().kind.empty())
            std::abort();
        return 0;
    }
    auto bytes = mpyship::mpy::write_module(*module);
    auto back = mpyship::mpy::read_module(bytes);
    if (!back || mpyship::mpy::write_module(*back) != bytes)
        std::abort();
    if (back->header.arch != NativeArch::none && back->header.arch != arch)
        std::abort();
    return 0;
}
