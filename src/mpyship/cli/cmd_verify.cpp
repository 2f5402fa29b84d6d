// `mpyship verify [PATH]`: check a build folder, a release archive or a mounted drive against the manifest.
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/commands.h"
#include "mpyship/cli/json_output.h"
#include "mpyship/cli/parse_args.h"
#include "mpyship/deploy/drive_verify.h"
#include "mpyship/release/ota_verify.h"
#include "mpyship/release/verify.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

namespace mpyship::cli {
namespace {

namespace fs = std::filesystem;

bool is_archive(const std::string& path) {
    return path.ends_with(".tar.gz") || path.ends_with(".tgz") || path.ends_with(".zip");
}

Result<release::VerifyReport> verify_published(const std::string& path, const std::vector<std::string>& pubkeys) {
    std::vector<release::PublicKey> trusted;
    for (const auto& k : pubkeys) {
        auto key = release::read_public_key(k);
        if (!key)
            return std::unexpected(key.error());
        trusted.push_back(*key);
    }
    return release::verify_published(path, trusted);
}

Result<release::VerifyReport> verify_path(const std::string& path, const std::string& manifest_option,
                                          const std::vector<std::string>& pubkeys) {
    std::error_code ec;
    if (!pubkeys.empty() || release::is_published_tree(path))
        return verify_published(path, pubkeys);
    if (is_archive(path) && fs::is_regular_file(path, ec))
        return release::verify_archive(path);
    if (!fs::is_directory(path, ec))
        return fail("no such build folder, archive or drive", path);
    if (manifest_option.empty() && fs::exists(fs::path(path) / project::k_manifest_file, ec))
        return release::verify_build_folder(path);
    fs::path manifest_path =
        manifest_option.empty() ? fs::path("build") / project::k_manifest_file : fs::path(manifest_option);
    auto manifest = release::load_manifest(manifest_path);
    if (!manifest)
        return std::unexpected(manifest.error());
    return deploy::verify_board_drive(path, *manifest);
}

void print_json(const release::VerifyReport& r) {
    nlohmann::ordered_json problems = nlohmann::ordered_json::array();
    for (const auto& p : r.problems)
        problems.push_back({{"kind", release::problem_name(p.kind)}, {"path", p.path}, {"detail", p.detail}});
    nlohmann::ordered_json j{
        {"ok", r.ok()}, {"source", r.source}, {"files_checked", r.files_checked}, {"problems", problems}};
    set_outcome(j, r.ok(), std::to_string(r.problems.size()) + " problem(s)");
    fmt::print("{}\n", j.dump(2));
}

} // namespace

int cmd_verify(std::string_view program, std::span<const std::string> args) {
    CLI::App app{
        "Verify a build folder (default: build), a .tar.gz / .zip release archive, or a mounted drive "
        "against the manifest: reports missing, extra, wrong-size and wrong-hash files. Archives are read "
        "streaming, never extracted. On a drive, a stale .py or package folder that the board would import "
        "instead of the build's module is a problem too.",
        std::string(program) + " verify"};
    std::string path = "build", manifest;
    std::vector<std::string> pubkeys;
    bool json = false;
    app.add_option("path", path, "build folder, archive or drive (default: build)");
    app.add_option("--manifest", manifest, "manifest for a drive (default: build/manifest.json)");
    app.add_option("--pubkey", pubkeys,
                   "a published OTA tree (or its channel's manifest.json): the public key devices trust, as "
                   "ed25519:... or a file holding it (repeatable)");
    app.add_flag("--json", json, "print the result as JSON");
    if (auto rc = parse_args(app, args))
        return *rc;
    auto report = verify_path(path, manifest, pubkeys);
    if (!report)
        return report_error(report.error(), json);
    if (json) {
        print_json(*report);
    } else {
        for (const auto& p : report->problems)
            fmt::print("{}: {} ({})\n", release::problem_name(p.kind), p.path, p.detail);
        fmt::print("verify: {}: {} files checked, {}\n", report->source, report->files_checked,
                   report->ok() ? "all match" : std::to_string(report->problems.size()) + " problem(s)");
    }
    return report->ok() ? k_exit_ok : k_exit_failure;
}

} // namespace mpyship::cli
