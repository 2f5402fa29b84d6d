#include "mpyship/ota/ota_config.h"

#include "mpyship/project/toml_fields.h"
#include "mpyship/release/ota_publish.h"
#include "mpyship/release/signing_key.h"

namespace mpyship::ota {
namespace {

using project::ConfigProblem;
using project::TomlFields;

ConfigProblem check_values(const TomlFields& f, const OtaConfig& c) {
    if (c.url.empty())
        return f.where() + "[ota] needs 'url': the base URL of the published tree (http://host/path)";
    if (!c.url.starts_with("http://") && !c.url.starts_with("https://"))
        return f.where(*f.get("url")) + "'url' must start with http:// (or https://, where the board has ssl)";
    if (c.public_keys.empty())
        return f.where() + "[ota] needs 'public_keys': at least one key from `mpyship keygen`";
    for (const auto& k : c.public_keys)
        if (auto key = release::parse_public_key(k); !key)
            return f.where(*f.get("public_keys")) + "'" + k + "': " + key.error().message;
    if (!release::is_valid_channel(c.channel))
        return f.where(*f.get("channel")) + "'channel' uses letters, digits, '.', '_' and '-'";
    return std::nullopt;
}

} // namespace

Result<std::optional<OtaConfig>> ota_config_from(const project::ProjectConfig& project) {
    const toml::table* t = project.document ? project.document->table["ota"].as_table() : nullptr;
    if (!t)
        return std::optional<OtaConfig>();
    TomlFields f(*t, project.document->file, "[ota]");
    OtaConfig c;
    if (auto e = f.only_keys({"url", "public_keys", "channel", "board", "max_boots", "manifest_cap"}))
        return fail(*e);
    for (auto e : {f.text("url", c.url), f.texts("public_keys", c.public_keys), f.text("channel", c.channel),
                   f.text("board", c.board), f.integer("max_boots", 1, 100, "an integer from 1 to 100", c.max_boots),
                   f.integer("manifest_cap", 4096, 1 << 20, "a byte count from 4096 to 1048576", c.manifest_cap)})
        if (e)
            return fail(*e);
    if (auto e = check_values(f, c))
        return fail(*e);
    if (project.target != compiler::Target::micropython)
        return fail(f.where() + "[ota] needs target = \"micropython\": the updater uses the socket module, which "
                                "CircuitPython does not have");
    return std::optional<OtaConfig>(std::move(c));
}

} // namespace mpyship::ota
