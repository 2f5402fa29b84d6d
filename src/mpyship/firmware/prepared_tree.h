// Where a prepared MicroPython tree and its companions live in the cache (see source_prep.h): what the make
// command points at and what source preparation fills.
#pragma once

#include <filesystem>

namespace mpyship::firmware {

struct PreparedTree {
    std::filesystem::path dir; // CACHE/firmware/KEY
    bool reused = false;       // the marker was already there: nothing was copied or patched

    std::filesystem::path tree() const { return dir / "tree"; }
    std::filesystem::path c_modules() const { return dir / "c_modules"; }
    std::filesystem::path mpy_cross() const { return dir / "bin" / "mpy-cross"; }
    std::filesystem::path manifest() const { return dir / "manifest.py"; }
};

} // namespace mpyship::firmware
