// What a build costs on a board (`mpyship size`): per file the source size and the output size, and for a
// .mpy how its bytes split into header, qstr table, constant table, bytecode (raw-code framing, preludes and
// opcodes) and native code; the strings that several modules each carry (every .mpy stores its own copy of
// a qstr or str constant); and the totals. Sections add up to the file's size exactly.
#pragma once

#include "mpyship/mpy/model.h"
#include "mpyship/project/project_config.h"
#include "mpyship/util/error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mpyship::project {

struct MpySections {
    std::uint64_t header = 0, qstrs = 0, constants = 0, bytecode = 0, native = 0;
};

// `file_size`: the size of the bytes `module` was read from.
MpySections mpy_sections(const mpy::Module& module, std::uint64_t file_size);

struct FileSize {
    std::string path;                         // in build/mpy
    std::string source;                       // in src/ ("" when there is none)
    std::optional<std::uint64_t> source_size; // nullopt when the source is gone
    std::uint64_t size = 0;
    std::optional<MpySections> sections; // .mpy files only
};

struct SharedString {
    std::string text;
    std::vector<std::string> files; // build paths, sorted
    std::uint64_t extra_bytes = 0;  // bytes the copies beyond the first take (text + NUL each)
};

struct SizeReport {
    std::vector<FileSize> files; // sorted by path
    std::uint64_t source_total = 0, size_total = 0;
    MpySections sections_total;
    std::vector<SharedString> shared_strings; // most extra bytes first
};

// Reads build/manifest.json and every file it lists (each checked against the manifest's size).
Result<SizeReport> measure_build(const ProjectConfig& config);

} // namespace mpyship::project
