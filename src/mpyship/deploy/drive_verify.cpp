#include "mpyship/deploy/drive_verify.h"

#include "mpyship/deploy/drive_tree.h"
#include "mpyship/deploy/module_shadow.h"

#include <algorithm>

namespace mpyship::deploy {

Result<release::VerifyReport> verify_board_drive(const std::filesystem::path& drive,
                                                 const project::Manifest& manifest) {
    auto report = release::verify_drive(drive, manifest);
    auto tree = report ? scan_drive(drive) : std::unexpected(report.error());
    if (!tree)
        return std::unexpected(tree.error());
    std::vector<std::string> build_paths;
    for (const auto& f : manifest.files)
        build_paths.push_back(f.path);
    auto shadows = find_shadows(build_paths, *tree);
    auto in_package = [&](const std::string& path) {
        return std::any_of(shadows.packages.begin(), shadows.packages.end(),
                           [&](const std::string& p) { return path.starts_with(p + "/"); });
    };
    for (const auto& s : shadows.files)
        if (!in_package(s.path))
            report->problems.push_back({release::ProblemKind::shadows, s.path,
                                        s.detail + ": the board imports it instead of the build's module; "
                                                   "`mpyship deploy` removes it"});
    for (const auto& p : shadows.packages)
        report->problems.push_back({release::ProblemKind::shadows, p + "/",
                                    "a package folder the board imports instead of the build's module; "
                                    "`mpyship deploy` removes it"});
    std::stable_sort(report->problems.begin(), report->problems.end(),
                     [](const auto& a, const auto& b) { return a.path < b.path; });
    return report;
}

} // namespace mpyship::deploy
