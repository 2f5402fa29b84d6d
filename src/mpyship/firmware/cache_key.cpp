#include "mpyship/firmware/cache_key.h"

#include "mpyship/firmware/tree_hash.h"
#include "mpyship/util/file_io.h"
#include "mpyship/util/sha256.h"

#include <cstdlib>

namespace mpyship::firmware {
namespace fs = std::filesystem;

namespace {

Result<std::string> source_line(const std::string& name, const SourceSpec& s) {
    if (s.is_git())
        return name + " git " + s.git + " " + s.rev + " " + s.commit.value_or(s.resolved.value_or("-")) +
               " " + s.sha256.value_or("-") + "\n";
    if (!fs::is_directory(s.local))
        return fail(name + " source folder not found", s.local.string());
    auto h = s.sha256 ? Result<std::string>(*s.sha256) : tree_hash(s.local);
    if (!h)
        return std::unexpected(h.error());
    return name + " local " + *h + "\n";
}

Result<std::string> file_line(const std::string& label, const fs::path& p) {
    auto h = fs::is_directory(p) ? tree_hash(p) : file_hash(p);
    if (!h)
        return std::unexpected(h.error());
    return label + " " + p.filename().string() + " " + *h + "\n";
}

} // namespace

Result<CacheKey> compute_cache_key(const FirmwareConfig& c, std::string_view version) {
    std::string in = "mpyship-firmware-key 1\nmpyship " + std::string(version) + "\nproject " +
                     c.project_root.string() + "\nport " + c.port + "\nboard " + c.board.value_or("-") +
                     "\nvariant " + c.variant.value_or("-") + "\n";
    std::vector<Result<std::string>> parts;
    parts.push_back(source_line("micropython", c.micropython));
    if (c.micropython_lib)
        parts.push_back(source_line("micropython_lib", *c.micropython_lib));
    for (std::size_t i = 0; i < c.patches.size(); ++i)
        parts.push_back(file_line("patch " + std::to_string(i + 1), c.patches[i]));
    for (const auto& m : c.user_c_modules)
        parts.push_back(file_line("c_module", m));
    if (c.manifest_file)
        parts.push_back(file_line("manifest_file", *c.manifest_file));
    for (const auto& part : parts) {
        if (!part)
            return std::unexpected(part.error());
        in += *part;
    }
    in += "manifest_text " + (c.manifest_text ? sha256_hex(as_bytes(*c.manifest_text)) : "-") + "\n";
    in += std::string("include_port_manifest ") + (c.include_port_manifest ? "1" : "0") +
          "\nfreeze_project " + (c.freeze_project ? "1" : "0") + "\nsubmodules " +
          (c.submodules ? "1" : "0") + "\n";
    for (const auto& [k, v] : c.make_vars)
        in += "make_var " + k + "=" + v + "\n";
    Sha256 h;
    h.update(in);
    return CacheKey{h.hex_digest(), in};
}

fs::path default_cache_root() {
    if (const char* d = std::getenv("MPYSHIP_CACHE_DIR"); d && *d)
        return d;
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
        return fs::path(x) / "mpyship";
    const char* home = std::getenv("HOME");
    return fs::path(home && *home ? home : "/tmp") / ".cache" / "mpyship";
}

} // namespace mpyship::firmware
