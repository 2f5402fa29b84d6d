// libFuzzer target for the whole compiler, source text -> .mpy bytes, for both targets: no crash, no
// hang (run with -timeout=1), inputs up to 16 KiB. Whatever compiles must be a valid .mpy that the
// reader accepts and the writer reproduces.
#include "mpyship/compiler/compiler.h"
#include "mpyship/mpy/reader.h"
#include "mpyship/mpy/writer.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 16384)
        return 0;
    std::string_view source(reinterpret_cast<const char*>(data), size);
    for (auto target : {mpyship::compiler::Target::micropython, mpyship::compiler::Target::circuitpython}) {
        mpyship::compiler::Options options;
        options.target = target;
        options.source_name = "fuzz.py";
        auto module = mpyship::compiler::compile_module(source, options);
        if (!module) {
            if (module.error().kind.empty())
                std::abort();
            continue;
        }
        auto bytes = mpyship::mpy::write_module(*module);
        auto back = mpyship::mpy::read_module(bytes);
        if (!back || mpyship::mpy::write_module(*back) != bytes)
            std::abort();
    }
    return 0;
}
