// Writing one file onto the drive so that a kill, an unplug or a full drive never leaves it half-written:
// the bytes go to a temporary name in the target folder, are flushed and fsynced, and only then renamed over
// the old file. A full drive removes the temporary file and leaves the old one. Temporary names are
// "~mps" + 5 hex digits (from the pid and a counter) + ".tmp": 13 characters, so one long-name entry, as
// short as a directory can hold cheaply, and never the name of a leftover from an earlier run. Every step
// that changes the drive first calls the StepHook (used for fault injection).
#pragma once

#include "mpyship/util/error.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>

namespace mpyship::deploy {

// Called before each step that changes the drive: "create", "write", "fsync", "rename", "remove", "mkdir".
using StepHook = std::function<void(std::string_view step, const std::string& path)>;

// Calls the hook, if any, before a change to the drive.
inline void step(const StepHook& hook, std::string_view name, const std::string& path) {
    if (hook)
        hook(name, path);
}

inline constexpr std::string_view k_temp_prefix = "~mps";
inline constexpr std::string_view k_temp_suffix = ".tmp";
inline constexpr std::size_t k_write_chunk = 4096;

std::string temp_path_for(std::string_view path); // "lib/~mps1a2b3.tmp", unique per call
bool is_temp_name(std::string_view path);         // a leftover from an interrupted deploy

Result<void> safe_write(const std::filesystem::path& root, const std::string& path,
                        std::span<const std::uint8_t> data, const StepHook& hook);

} // namespace mpyship::deploy
