#include "mpyship/firmware/firmware_config.h"

#include "mpyship/build/project_config.h"
#include "mpyship/util/file_io.h"

#include <toml++/toml.h>

namespace mpyship::firmware {
namespace {

namespace fs = std::filesystem;
using Problem = std::optional<std::string>;

std::string where(const std::string& file, const toml::node& n) {
    const auto& r = n.source();
    return file + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column) + ": error: ";
}

Problem check_keys(const toml::table& t, std::initializer_list<std::string_view> known, const std::string& table,
                   const std::string& file) {
    for (const auto& [key, node] : t) {
        bool ok = false;
        for (auto k : known)
            ok = ok || key.str() == k;
        if (!ok)
            return where(file, node) + "unknown key '" + std::string(key.str()) + "' in " + table;
    }
    return std::nullopt;
}

Problem read_string(const toml::table& t, const char* key, std::optional<std::string>& out, const std::string& file) {
    const toml::node* n = t.get(key);
    if (!n)
        return std::nullopt;
    auto s = n->value<std::string>();
    if (!s || s->empty())
        return where(file, *n) + "'" + key + "' must be a non-empty string";
    out = *s;
    return std::nullopt;
}

Problem read_paths(const toml::table& t, const char* key, const fs::path& root, std::vector<fs::path>& out,
                   const std::string& file) {
    const toml::node* n = t.get(key);
    if (!n)
        return std::nullopt;
    const toml::array* a = n->as_array();
    if (!a)
        return where(file, *n) + "'" + key + "' must be an array of paths";
    for (const auto& item : *a) {
        auto s = item.value<std::string>();
        if (!s || s->empty())
            return where(file, item) + "'" + key + "' must contain only non-empty strings";
        out.push_back((root / *s).lexically_normal());
    }
    return std::nullopt;
}

Problem read_bool(const toml::table& t, const char* key, bool& out, const std::string& file) {
    const toml::node* n = t.get(key);
    if (!n)
        return std::nullopt;
    auto b = n->value<bool>();
    if (!b)
        return where(file, *n) + "'" + key + "' must be true or false";
    out = *b;
    return std::nullopt;
}

// `key = "path"` or `key = { git = URL, rev = "...", sha256 = "..." }`.
Problem read_source(const toml::node& n, const char* key, const fs::path& root, SourceSpec& out,
                    const std::string& file) {
    if (auto s = n.value<std::string>()) {
        out.local = (root / *s).lexically_normal();
        return std::nullopt;
    }
    const toml::table* t = n.as_table();
    if (!t)
        return where(file, n) + "'" + key + "' must be a path or { git = URL, rev = \"...\" }";
    if (auto e = check_keys(*t, {"git", "rev", "sha256"}, std::string("'") + key + "'", file))
        return e;
    std::optional<std::string> git, rev;
    for (auto e : {read_string(*t, "git", git, file), read_string(*t, "rev", rev, file),
                   read_string(*t, "sha256", out.sha256, file)})
        if (e)
            return e;
    if (!git || !rev)
        return where(file, n) + "'" + key + "' needs both 'git' and 'rev' (a commit, tag or branch)";
    // A git source given as a relative local path is relative to the project, like every other path.
    bool url = git->find("://") != std::string::npos || git->find('@') != std::string::npos;
    out.git = url || fs::path(*git).is_absolute() ? *git : (root / *git).lexically_normal().string();
    out.rev = *rev;
    if (out.sha256 && (out.sha256->size() != 64 || out.sha256->find_first_not_of("0123456789abcdef") != std::string::npos))
        return where(file, *t->get("sha256")) + "'sha256' must be 64 lowercase hex digits";
    return std::nullopt;
}

Problem read_manifest(const toml::table& t, const fs::path& root, FirmwareConfig& c, const std::string& file) {
    std::optional<std::string> m;
    if (auto e = read_string(t, "manifest", m, file))
        return e;
    if (!m)
        return std::nullopt;
    // Text with a newline or a call is inline manifest code; anything else is a file path.
    if (m->find('\n') != std::string::npos || m->find('(') != std::string::npos)
        c.manifest_text = *m;
    else
        c.manifest_file = (root / *m).lexically_normal();
    return std::nullopt;
}

Problem read_make_vars(const toml::table& t, FirmwareConfig& c, const std::string& file) {
    const toml::node* n = t.get("make_vars");
    if (!n)
        return std::nullopt;
    const toml::table* vars = n->as_table();
    if (!vars)
        return where(file, *n) + "'make_vars' must be a table: make_vars = { NAME = \"value\" }";
    for (const auto& [key, value] : *vars) {
        std::string name(key.str());
        auto s = value.value<std::string>();
        if (!s)
            return where(file, value) + "make_vars." + name + " must be a string";
        if (name.empty() || name.find_first_of("= \t$") != std::string::npos)
            return where(file, value) + "'" + name + "' is not a make variable name";
        c.make_vars[name] = *s;
    }
    return std::nullopt;
}

Problem read_jobs(const toml::table& t, FirmwareConfig& c, const std::string& file) {
    const toml::node* n = t.get("jobs");
    if (!n)
        return std::nullopt;
    auto v = n->value<std::int64_t>();
    if (!v || *v < 1 || *v > 1024)
        return where(file, *n) + "'jobs' must be a positive integer";
    c.jobs = unsigned(*v);
    return std::nullopt;
}

Problem apply_firmware(const toml::table& t, FirmwareConfig& c, const std::string& file) {
    if (auto e = check_keys(t, {"port", "board", "variant", "micropython", "micropython_lib", "manifest",
                                "include_port_manifest", "freeze_project", "submodules", "user_c_modules", "patches",
                                "make_vars", "jobs"},
                            "[firmware]", file))
        return e;
    const fs::path& root = c.project_root;
    std::optional<std::string> port;
    for (auto e : {read_string(t, "port", port, file), read_string(t, "board", c.board, file),
                   read_string(t, "variant", c.variant, file), read_manifest(t, root, c, file),
                   read_bool(t, "include_port_manifest", c.include_port_manifest, file),
                   read_bool(t, "freeze_project", c.freeze_project, file),
                   read_bool(t, "submodules", c.submodules, file),
                   read_paths(t, "user_c_modules", root, c.user_c_modules, file),
                   read_paths(t, "patches", root, c.patches, file), read_make_vars(t, c, file), read_jobs(t, c, file)})
        if (e)
            return e;
    if (!port)
        return where(file, t) + "[firmware] needs 'port' (e.g. port = \"unix\")";
    c.port = *port;
    const toml::node* mp = t.get("micropython");
    if (!mp)
        return where(file, t) + "[firmware] needs 'micropython': a source folder or { git = URL, rev = \"...\" }";
    if (auto e = read_source(*mp, "micropython", root, c.micropython, file))
        return e;
    if (const toml::node* lib = t.get("micropython_lib")) {
        c.micropython_lib.emplace();
        if (auto e = read_source(*lib, "micropython_lib", root, *c.micropython_lib, file))
            return e;
    }
    return std::nullopt;
}

} // namespace

Result<FirmwareConfig> parse_firmware_config(std::string_view text, const fs::path& root, const std::string& file) {
    auto project = build::parse_project_config(text, root, file);
    if (!project)
        return std::unexpected(project.error());
    FirmwareConfig c;
    c.project_root = fs::absolute(root).lexically_normal();
    c.project_src = (c.project_root / project->src).lexically_normal();
    c.project_out = (c.project_root / project->out).lexically_normal();
    c.entry_points = project->entry_points;
    toml::table doc = toml::parse(text, file); // already parsed once without error above
    const toml::table* t = doc["firmware"].as_table();
    if (!t)
        return fail(file + ": error: no [firmware] section: add one with 'port' and 'micropython' (see README, "
                           "Custom firmware)");
    if (auto e = apply_firmware(*t, c, file))
        return fail(*e);
    return c;
}

Result<FirmwareConfig> load_firmware_config(const fs::path& root) {
    auto path = root / build::k_config_file;
    std::error_code ec;
    if (!fs::exists(path, ec))
        return fail("no mpyship.toml: firmware builds need a [firmware] section", path.string());
    auto bytes = read_file(path);
    if (!bytes)
        return std::unexpected(bytes.error());
    return parse_firmware_config(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), root,
                                 path.string());
}

} // namespace mpyship::firmware
