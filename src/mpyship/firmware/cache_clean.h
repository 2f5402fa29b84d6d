// `firmware clean`: removes prepared source trees from the firmware cache (each is a full MicroPython
// checkout plus its build folders, hundreds of MB). A tree whose key another build holds is skipped; the
// key's lock file goes only after its tree, while held, so a build that arrives later prepares a fresh tree.
// Half-prepared KEY.tmp-PID folders of processes that are gone are removed too.
#pragma once

#include "mpyship/util/error.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mpyship::firmware {

struct CleanReport {
    std::vector<std::string> removed; // keys (or leftover folder names), sorted
    std::vector<std::string> in_use;  // keys another build holds now
    std::optional<std::string> kept;  // the key left alone on request
    std::uint64_t freed_bytes = 0;    // what the removed folders held (file sizes)
};

// Everything under cache_root/firmware except `keep` (the project's current key); with dry_run nothing is
// removed but the report says what would be.
Result<CleanReport> clean_cache(const std::filesystem::path& cache_root,
                                const std::optional<std::string>& keep, bool dry_run);

} // namespace mpyship::firmware
