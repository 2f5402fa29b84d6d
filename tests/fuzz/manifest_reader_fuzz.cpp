// libFuzzer target for the manifest reader: any text is either rejected with a message or accepted as a
// manifest whose every path is safe, and which writes back and reads again to the same files.
#include "mpyship/project/manifest.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto m = mpyship::project::manifest_from_json(text, "fuzz.json");
    if (!m) {
        if (m.error().message.empty())
            std::abort();
        return 0;
    }
    for (const auto& f : m->files)
        if (!mpyship::project::is_safe_relative_path(f.path) ||
            !mpyship::project::is_safe_relative_path(f.download_path))
            std::abort();
    auto again = mpyship::project::manifest_from_json(mpyship::project::manifest_to_json(*m), "again.json");
    if (!again || again->files != m->files)
        std::abort();
    return 0;
}
