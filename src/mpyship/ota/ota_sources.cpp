#include "mpyship/ota/ota_sources.h"

#include "mpyship/mpy/format.h"
#include "mpyship/ota/device_sources.h"
#include "mpyship/util/file_io.h"

#include <nlohmann/json.hpp>

namespace mpyship::ota {
namespace {

namespace fs = std::filesystem;

// A Python string literal (JSON's escapes are valid Python ones).
std::string py(const std::string& s) { return nlohmann::json(s).dump(); }

Result<void> write_if_changed(const fs::path& path, std::string_view text) {
    auto old = read_file(path);
    if (old && as_text(*old) == text)
        return {};
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    return write_file_replace(path, text);
}

} // namespace

std::string config_module(const OtaConfig& c, const project::ProjectConfig& project) {
    std::string keys;
    for (const auto& k : c.public_keys)
        keys += (keys.empty() ? "" : ", ") + py(k);
    return "# Written by mpyship from the [ota] section of mpyship.toml: edit that, not this.\n"
           "URL = " + py(c.url) + "\n" +
           "CHANNEL = " + py(c.channel) + "\n" +
           "PUBLIC_KEYS = [" + keys + "]\n" +
           "TARGET = " + py(std::string(project::target_name(project.target))) + "\n" +
           "MPY_ABI = {\"header\": \"M\", \"version\": " + std::to_string(mpy::k_version) +
           ", \"sub_version\": " + std::to_string(mpy::k_sub_version) + ", \"small_int_bits\": 31}\n" +
           "BOARD = " + (c.board ? py(*c.board) : std::string("None")) + "\n" +
           "MAX_BOOTS = " + std::to_string(c.max_boots) + "\n" +
           "MANIFEST_CAP = " + std::to_string(c.manifest_cap) + "\n" +
           "ROOT = None\n";
}

Result<std::vector<project::ExtraSource>> ota_build_sources(const project::ProjectConfig& project) {
    auto config = ota_config_from(project);
    if (!config)
        return std::unexpected(config.error());
    std::vector<project::ExtraSource> out;
    if (!*config)
        return out;
    fs::path dir = project.out_dir() / ".mpyship" / "ota";
    auto add = [&](std::string_view name, std::string_view text) -> Result<void> {
        fs::path path = dir / name;
        if (auto w = write_if_changed(path, text); !w)
            return w;
        out.push_back({std::string(k_package_dir) + "/" + std::string(name), path});
        return {};
    };
    for (const auto& s : device_sources())
        if (auto r = add(s.name, s.text); !r)
            return std::unexpected(r.error());
    if (auto r = add("_config.py", config_module(**config, project)); !r)
        return std::unexpected(r.error());
    return out;
}

} // namespace mpyship::ota
