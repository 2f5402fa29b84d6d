// `firmware build` as one library call: key → cache lock → prepared tree (cached) → port/board and toolchain
// checks → frozen manifest → make (streamed into build/firmware-build.log) → outputs swapped into
// build/firmware/. A build whose key and frozen inputs match build/firmware/firmware-manifest.json does
// nothing.
#pragma once

#include "mpyship/firmware/cache_key.h"
#include "mpyship/firmware/firmware_config.h"
#include "mpyship/firmware/output_collect.h"

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship::firmware {

struct FirmwareBuildOptions {
    std::filesystem::path cache_root;              // usually default_cache_root()
    std::filesystem::path mpyship_exe;             // the binary bin/mpy-cross links to
    unsigned jobs = 0;                             // 0: config's jobs, else all cores
    std::string path_env;                          // PATH for the toolchain check
    std::function<void(std::string_view)> on_line; // each line of make's output
    std::function<void(std::string_view)> on_note; // notes: waiting for the cache lock, a rev left unresolved
};

struct FirmwareBuildResult {
    CacheKey key;
    std::filesystem::path cache_dir;
    std::vector<std::string> make_argv;
    bool prepared_now = false; // the source tree was copied and patched in this run
    bool up_to_date = false;   // nothing to do: make did not run
    bool ok = false;
    int make_exit = 0;
    std::filesystem::path log;                 // build/firmware-build.log
    std::vector<std::string> error_tail;       // on failure: the last error lines of the log
    std::size_t empty_submodule_count = 0;     // on failure: the source's submodules that are not checked out
    std::vector<std::string> empty_submodules; // ... and of those, the ones the error lines name
    std::filesystem::path out_dir;             // build/firmware
    std::vector<OutputFile> outputs;
};

inline constexpr std::size_t k_error_tail_lines = 20;

// The key, cache folder and make command, without preparing or running anything (--dry-run).
Result<FirmwareBuildResult> plan_firmware_build(const FirmwareConfig& config,
                                                const FirmwareBuildOptions& options);
Result<FirmwareBuildResult> build_firmware(const FirmwareConfig& config, const FirmwareBuildOptions& options);

// The last `count` lines mentioning "error" (any case), or the last `count` lines when none does.
std::vector<std::string> error_tail(const std::vector<std::string>& lines, std::size_t count);

// The submodule paths ("lib/mbedtls") that the lines name, as the path or as "mbedtls/" (an include).
std::vector<std::string> submodules_named_in(const std::vector<std::string>& submodules,
                                             const std::vector<std::string>& lines);

} // namespace mpyship::firmware
