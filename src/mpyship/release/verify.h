// Verification of shipped files against a manifest: a build folder (manifest.json + mpy/), a release
// archive (read in memory, never extracted) or a mounted drive (files at its root, manifest from the
// build). Reports every missing, extra, wrong-size and wrong-hash file.
#pragma once

#include "mpyship/project/manifest.h"
#include "mpyship/util/error.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mpyship::release {

enum class ProblemKind { missing, extra, wrong_size, wrong_hash, shadows, bad_signature };
std::string_view problem_name(ProblemKind kind);

struct Problem {
    ProblemKind kind;
    std::string path;
    std::string detail; // e.g. "expected 120 bytes, found 118"
};

struct VerifyReport {
    std::string source; // what was checked
    std::size_t files_checked = 0;
    std::vector<Problem> problems; // sorted by path
    bool ok() const { return problems.empty(); }
};

struct FoundFile {
    std::uint64_t size = 0;
    std::string sha256;
    bool stopped_early = false; // reading stopped once it passed the expected size: `size` is a lower bound
};

// Pure comparison: `found` maps manifest paths to what is there.
VerifyReport compare_with_manifest(const project::Manifest& manifest,
                                   const std::map<std::string, FoundFile>& found, bool report_extras);

Result<VerifyReport> verify_build_folder(const std::filesystem::path& folder);
Result<VerifyReport> verify_archive(const std::filesystem::path& archive);
// A drive holds the files at its root and other things besides, so extras are not reported.
Result<VerifyReport> verify_drive(const std::filesystem::path& drive, const project::Manifest& manifest);

Result<project::Manifest> load_manifest(const std::filesystem::path& path);

} // namespace mpyship::release
