// The compatibility gate: refuses a build the drive's runtime cannot load. The build's side comes from
// the .mpy headers in build/mpy ('C' CircuitPython / 'M' MicroPython, format version), falling back to
// the manifest's target when the build has no .mpy. CircuitPython majors map to .mpy versions as
// Adafruit's bundles do: 7.x and 8.x load 'C' v5, 9.x and 10.x load 'C' v6 (MPY_VERSION 6 in 10.x's
// py/persistentcode.h; the 9.x bundle notes the format changed at 9). Unknown majors are refused.
#pragma once

#include "mpyship/deploy/drive_probe.h"
#include "mpyship/project/manifest.h"
#include "mpyship/util/error.h"

#include <filesystem>
#include <optional>
#include <string>

namespace mpyship::deploy {

struct BuildFormat {
    Runtime runtime = Runtime::unknown; // from the .mpy magic, else the manifest target
    int mpy_version = 0;                // 0 when the build has no .mpy file
    int small_int_bits = 0;             // the largest header byte 3 of the build's .mpy files
    int native_arch = 0;                // header arch field of a file with native code, 0 when none has any
    int native_sub_version = 0;
    std::size_t mpy_files = 0;
};

// Reads the 4-byte header of every .mpy the manifest lists; mixed magics or versions are an error.
Result<BuildFormat> read_build_format(const std::filesystem::path& mpy_dir,
                                      const project::Manifest& manifest);

// The .mpy version a CircuitPython major loads; 0 for majors mpyship does not know.
int circuitpython_mpy_version(int major);

// nullopt when the build can run on the drive; otherwise the message saying why not (and --force).
std::optional<std::string> compatibility_problem(const DriveInfo& drive, const BuildFormat& format);

} // namespace mpyship::deploy
