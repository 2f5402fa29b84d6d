#include "mpyship/firmware/firmware_config.h"

#include "mpyship/project/project_config.h"
#include "mpyship/project/toml_fields.h"

namespace mpyship::firmware {
namespace {

namespace fs = std::filesystem;
using project::ConfigProblem;
using project::TomlFields;
using Problem = ConfigProblem;

Problem read_paths(const TomlFields& f, const char* key, const fs::path& root, std::vector<fs::path>& out) {
    std::vector<std::string> paths;
    if (auto e = f.texts(key, paths))
        return e;
    for (const auto& p : paths)
        out.push_back((root / p).lexically_normal());
    return std::nullopt;
}

// `key = "path"` or `key = { git = URL, rev = "...", sha256 = "..." }`.
Problem read_source(const toml::node& n, const char* key, const fs::path& root, SourceSpec& out,
                    const std::string& file) {
    auto where = [&](const toml::node& at) { return project::config_where(file, at); };
    if (auto s = n.value<std::string>()) {
        out.local = (root / *s).lexically_normal();
        return std::nullopt;
    }
    const toml::table* t = n.as_table();
    if (!t)
        return where(n) + "'" + key + "' must be a path or { git = URL, rev = \"...\" }";
    TomlFields f(*t, file, std::string("'") + key + "'");
    if (auto e = f.only_keys({"git", "rev", "sha256"}))
        return e;
    std::optional<std::string> git, rev;
    for (auto e : {f.text("git", git), f.text("rev", rev), f.text("sha256", out.sha256)})
        if (e)
            return e;
    if (!git || !rev)
        return where(n) + "'" + key + "' needs both 'git' and 'rev' (a commit, tag or branch)";
    // A git source given as a relative local path is relative to the project, like every other path.
    bool url = git->find("://") != std::string::npos || git->find('@') != std::string::npos;
    out.git = url || fs::path(*git).is_absolute() ? *git : (root / *git).lexically_normal().string();
    out.rev = *rev;
    if (out.sha256 &&
        (out.sha256->size() != 64 || out.sha256->find_first_not_of("0123456789abcdef") != std::string::npos))
        return where(*t->get("sha256")) + "'sha256' must be 64 lowercase hex digits";
    return std::nullopt;
}

Problem read_manifest(const TomlFields& f, const fs::path& root, FirmwareConfig& c) {
    std::optional<std::string> m;
    if (auto e = f.text("manifest", m))
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

Problem read_make_vars(const TomlFields& f, FirmwareConfig& c) {
    const toml::node* n = f.get("make_vars");
    if (!n)
        return std::nullopt;
    const toml::table* vars = n->as_table();
    if (!vars)
        return f.where(*n) + "'make_vars' must be a table: make_vars = { NAME = \"value\" }";
    for (const auto& [key, value] : *vars) {
        std::string name(key.str());
        auto s = value.value<std::string>();
        if (!s)
            return f.where(value) + "make_vars." + name + " must be a string";
        if (name.empty() || name.find_first_of("= \t$") != std::string::npos)
            return f.where(value) + "'" + name + "' is not a make variable name";
        c.make_vars[name] = *s;
    }
    return std::nullopt;
}

Problem apply_firmware(const TomlFields& f, FirmwareConfig& c) {
    if (auto e = f.only_keys({"port", "board", "variant", "micropython", "micropython_lib", "manifest",
                              "include_port_manifest", "freeze_project", "submodules", "user_c_modules",
                              "patches", "make_vars", "jobs"}))
        return e;
    const fs::path& root = c.project_root;
    std::optional<std::string> port;
    std::int64_t jobs = c.jobs;
    for (auto e :
         {f.text("port", port), f.text("board", c.board), f.text("variant", c.variant),
          read_manifest(f, root, c), f.flag("include_port_manifest", c.include_port_manifest),
          f.flag("freeze_project", c.freeze_project), f.flag("submodules", c.submodules),
          read_paths(f, "user_c_modules", root, c.user_c_modules), read_paths(f, "patches", root, c.patches),
          read_make_vars(f, c), f.integer("jobs", 1, 1024, "a positive integer", jobs)})
        if (e)
            return e;
    c.jobs = unsigned(jobs);
    if (!port)
        return f.where() + "[firmware] needs 'port' (e.g. port = \"unix\")";
    c.port = *port;
    const toml::node* mp = f.get("micropython");
    if (!mp)
        return f.where() + "[firmware] needs 'micropython': a source folder or { git = URL, rev = \"...\" }";
    const std::string& file = c.config_file;
    if (auto e = read_source(*mp, "micropython", root, c.micropython, file))
        return e;
    if (const toml::node* lib = f.get("micropython_lib")) {
        c.micropython_lib.emplace();
        if (auto e = read_source(*lib, "micropython_lib", root, *c.micropython_lib, file))
            return e;
    }
    return std::nullopt;
}

} // namespace

Result<FirmwareConfig> firmware_config_from(const project::ProjectConfig& project) {
    const std::string file = (project.root / project::k_config_file).string();
    const toml::table* t = project.document ? project.document->table["firmware"].as_table() : nullptr;
    if (!t)
        return fail(file +
                    ": error: no [firmware] section: add one with 'port' and 'micropython' (see README, "
                    "Custom firmware)");
    FirmwareConfig c;
    c.config_file = project.document->file;
    c.project_root = fs::absolute(project.root).lexically_normal();
    c.project_src = (c.project_root / project.src).lexically_normal();
    c.project_out = (c.project_root / project.out).lexically_normal();
    c.entry_points = project.entry_points;
    if (auto e = apply_firmware(TomlFields(*t, c.config_file, "[firmware]"), c))
        return fail(*e);
    return c;
}

Result<FirmwareConfig> parse_firmware_config(std::string_view text, const fs::path& root,
                                             const std::string& file) {
    auto project = project::parse_project_config(text, root, file);
    if (!project)
        return std::unexpected(project.error());
    return firmware_config_from(*project);
}

Result<FirmwareConfig> load_firmware_config(const fs::path& root) {
    auto project = project::load_project_config(root);
    if (!project)
        return std::unexpected(project.error());
    if (!project->from_file)
        return fail("no mpyship.toml: firmware builds need a [firmware] section",
                    (root / project::k_config_file).string());
    return firmware_config_from(*project);
}

} // namespace mpyship::firmware
