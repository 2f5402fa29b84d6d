// Stale modules that would win over the build's: MicroPython and CircuitPython look for a package folder
// `foo/`, then `foo.py`, then `foo.mpy`, so a leftover `foo.py` hides a new `foo.mpy`. Deploy removes the
// other spellings of every module it writes: foo.py vs foo.mpy (both ways), a package folder foo/ (with
// __init__.py/.mpy) vs foo.py/.mpy, and foo.py/.mpy vs a package the build ships.
#pragma once

#include "mpyship/deploy/drive_tree.h"

#include <string>
#include <vector>

namespace mpyship::deploy {

struct ShadowFile {
    std::string path;   // on the device
    std::string detail; // e.g. "shadows lib/foo.mpy"
};

struct ShadowFindings {
    std::vector<ShadowFile> files;     // sorted by path
    std::vector<std::string> packages; // package folders removed with their files
    std::vector<std::string> notes;    // folders that may shadow a module but are not packages: left alone
};

ShadowFindings find_shadows(const std::vector<std::string>& build_paths, const DeviceTree& device);

} // namespace mpyship::deploy
