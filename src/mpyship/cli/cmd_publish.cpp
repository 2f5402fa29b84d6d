// `mpyship publish [DIR] --key FILE --out PUBDIR`: build, then add the build to a static OTA release tree.
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/commands.h"
#include "mpyship/cli/json_output.h"
#include "mpyship/cli/parse_args.h"
#include "mpyship/release/ota_publish.h"

#include <ctime>
#include <fmt/core.h>

namespace mpyship::cli {
namespace {

struct PublishArgs {
    BuildArgs build;
    std::string key, out, channel = "stable", board;
    std::uint64_t sequence = 0;
    std::int64_t expires_days = 0;
};

Result<release::PublishReport> publish(const PublishArgs& a, const project::ProjectConfig& config) {
    auto key = release::read_signing_key(a.key);
    if (!key)
        return std::unexpected(key.error());
    release::PublishOptions o;
    o.build_dir = config.out_dir();
    o.out = a.out;
    o.channel = a.channel;
    o.name = config.name;
    o.key = *key;
    if (a.sequence)
        o.sequence = a.sequence;
    if (!a.board.empty())
        o.board = a.board;
    if (a.expires_days)
        o.expires = std::int64_t(std::time(nullptr)) + a.expires_days * 86400;
    return release::publish_release(o);
}

} // namespace

int cmd_publish(std::string_view program, std::span<const std::string> args) {
    CLI::App app{"Build the project, then publish it as a signed OTA release into PUBDIR, a static tree any HTTP "
                 "server can host (see docs/ota.md): content-addressed objects, the channel's signed manifest, "
                 "earlier releases kept, and a mip package.json.",
                 std::string(program) + " publish"};
    PublishArgs a;
    add_build_options(app, a.build);
    app.add_option("--key", a.key, "private key file from `mpyship keygen`")->required();
    app.add_option("--out", a.out, "the published tree (PUBDIR)")->required();
    app.add_option("--channel", a.channel, "release channel (default: stable)");
    app.add_option("--sequence", a.sequence, "release sequence (default: the channel's last + 1)")
        ->check(CLI::Range(std::uint64_t(1), std::uint64_t(1) << 53));
    app.add_option("--board", a.board, "only devices configured for this board install it");
    app.add_option("--expires-in", a.expires_days, "days until devices refuse the release (default: never)")
        ->check(CLI::Range(std::int64_t(1), std::int64_t(36500)));
    if (auto rc = parse_args(app, args))
        return *rc;
    auto config = load_config_for(a.build);
    if (!config)
        return k_exit_failure;
    if (auto stop = build_before_shipping(a.build, *config))
        return *stop;
    auto report = publish(a, *config);
    if (!report)
        return report_error(report.error(), a.build.json);
    if (a.build.json) {
        fmt::print("{}\n", nlohmann::ordered_json{{"ok", true},
                                                  {"sequence", report->sequence},
                                                  {"version", report->version},
                                                  {"channel", a.channel},
                                                  {"files", report->files},
                                                  {"objects_written", report->objects_written},
                                                  {"compressed", report->compressed},
                                                  {"manifest", report->manifest.string()}}
                               .dump(2));
        return k_exit_ok;
    }
    fmt::print("publish: {} sequence {} (version {}): {} files, {} new objects, {} with a compressed twin\n",
               report->manifest.string(), report->sequence, report->version, report->files,
               report->objects_written, report->compressed);
    return k_exit_ok;
}

} // namespace mpyship::cli
