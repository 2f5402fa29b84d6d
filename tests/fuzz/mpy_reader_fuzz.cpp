// libFuzzer target for the .mpy reader: any input must either be rejected with an error offset inside the
// input, or be accepted, written back, and read again to the same model.
#include "mpyship/mpy/disassembler.h"
#include "mpyship/mpy/reader.h"
#include "mpyship/mpy/writer.h"

#include <cstdint>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto module = mpyship::mpy::read_module(std::span<const std::uint8_t>(data, size));
    if (!module) {
        if (module.error().offset > size)
            std::abort();
        return 0;
    }
    auto bytes = mpyship::mpy::write_module(*module);
    auto again = mpyship::mpy::read_module(bytes);
    if (!again || mpyship::mpy::write_module(*again) != bytes)
        std::abort();
    (void)mpyship::mpy::disassemble(*module);
    (void)mpyship::mpy::disassemble_json(*module).dump(-1, ' ', false,
                                                       nlohmann::json::error_handler_t::replace);
    return 0;
}
