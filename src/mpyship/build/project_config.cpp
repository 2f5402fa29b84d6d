#include "mpyship/build/project_config.h"

#include "mpyship/util/file_io.h"

#include <toml++/toml.h>

namespace mpyship::build {
namespace {

std::string where(const std::string& file, const toml::source_region& r) {
    return file + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column);
}

// Reads an optional array of strings; returns an error message naming the key on a wrong type.
std::optional<std::string> read_strings(const toml::table& t, const char* key, std::vector<std::string>& out,
                                        const std::string& file) {
    const toml::node* n = t.get(key);
    if (!n)
        return std::nullopt;
    const toml::array* a = n->as_array();
    if (!a)
        return where(file, n->source()) + ": error: '" + key + "' must be an array of strings";
    out.clear();
    for (const auto& item : *a) {
        auto s = item.value<std::string>();
        if (!s)
            return where(file, item.source()) + ": error: '" + key + "' must contain only strings";
        out.push_back(*s);
    }
    return std::nullopt;
}

std::optional<std::string> read_string(const toml::table& t, const char* key, std::string& out,
                                       const std::string& file) {
    const toml::node* n = t.get(key);
    if (!n)
        return std::nullopt;
    auto s = n->value<std::string>();
    if (!s)
        return where(file, n->source()) + ": error: '" + key + "' must be a string";
    out = *s;
    return std::nullopt;
}

// Keys the config understands, per table; anything else is reported, so typos do not pass silently.
std::optional<std::string> check_keys(const toml::table& t, std::initializer_list<std::string_view> known,
                                      const std::string& table, const std::string& file) {
    for (const auto& [key, node] : t) {
        bool ok = false;
        for (auto k : known)
            ok = ok || key.str() == k;
        if (!ok)
            return where(file, node.source()) + ": error: unknown key '" + std::string(key.str()) + "' in [" + table +
                   "]";
    }
    return std::nullopt;
}

std::optional<std::string> apply_project(const toml::table& t, ProjectConfig& c, const std::string& file) {
    if (auto e = check_keys(t, {"name", "version", "target", "src", "out"}, "project", file))
        return e;
    std::string target, src = c.src.string(), out = c.out.string();
    std::string version;
    for (auto e : {read_string(t, "name", c.name, file), read_string(t, "version", version, file),
                   read_string(t, "target", target, file), read_string(t, "src", src, file),
                   read_string(t, "out", out, file)})
        if (e)
            return e;
    if (t.get("version"))
        c.version = version;
    if (!target.empty()) {
        auto parsed = parse_target_name(target);
        if (!parsed)
            return where(file, t.get("target")->source()) + ": error: unknown target '" + target +
                   "': expected circuitpython or micropython";
        c.target = *parsed;
    }
    c.src = src;
    c.out = out;
    if (c.src.is_absolute() || c.out.is_absolute() || src.empty() || out.empty())
        return file + ": error: 'src' and 'out' must be non-empty paths relative to the project folder";
    return std::nullopt;
}

std::optional<std::string> apply_build(const toml::table& t, ProjectConfig& c, const std::string& file) {
    if (auto e = check_keys(t, {"entry_points", "include", "exclude", "optimize"}, "build", file))
        return e;
    for (auto e : {read_strings(t, "entry_points", c.entry_points, file), read_strings(t, "include", c.include, file),
                   read_strings(t, "exclude", c.exclude, file)})
        if (e)
            return e;
    if (const toml::node* n = t.get("optimize")) {
        auto v = n->value<std::int64_t>();
        if (!v || *v < 0 || *v > 3)
            return where(file, n->source()) + ": error: 'optimize' must be an integer from 0 to 3";
        c.opt_level = int(*v);
    }
    return std::nullopt;
}

std::optional<std::string> apply_package(const toml::table& t, ProjectConfig& c, const std::string& file) {
    if (auto e = check_keys(t, {"formats"}, "package", file))
        return e;
    if (auto e = read_strings(t, "formats", c.package_formats, file))
        return e;
    for (const auto& f : c.package_formats)
        if (f != "tar.gz" && f != "zip")
            return where(file, t.get("formats")->source()) + ": error: unknown package format '" + f +
                   "': expected tar.gz or zip";
    return std::nullopt;
}

} // namespace

std::vector<std::string> default_entry_points(compiler::Target target) {
    if (target == compiler::Target::circuitpython)
        return {"code.txt", "code.py", "main.py", "main.txt", "boot.py", "boot.txt", "safemode.py"};
    return {"boot.py", "main.py"};
}

std::string_view target_name(compiler::Target target) {
    return target == compiler::Target::circuitpython ? "circuitpython" : "micropython";
}

std::optional<compiler::Target> parse_target_name(std::string_view name) {
    if (name == "circuitpython")
        return compiler::Target::circuitpython;
    if (name == "micropython")
        return compiler::Target::micropython;
    return std::nullopt;
}

Result<ProjectConfig> parse_project_config(std::string_view text, const std::filesystem::path& root,
                                           const std::string& file) {
    ProjectConfig c;
    c.root = root;
    c.name = std::filesystem::absolute(root).lexically_normal().filename().string();
    if (c.name.empty())
        c.name = std::filesystem::absolute(root).lexically_normal().parent_path().filename().string();
    toml::table doc;
    try {
        doc = toml::parse(text, file);
    } catch (const toml::parse_error& e) {
        return fail(where(file, e.source()) + ": error: " + std::string(e.description()));
    }
    bool entry_points_set = false;
    for (const auto& [key, node] : doc) {
        const toml::table* t = node.as_table();
        std::string k(key.str());
        if (t && k == "firmware")
            continue; // read by firmware/firmware_config.cpp from the same file
        if (!t || (k != "project" && k != "build" && k != "package"))
            return fail(where(file, node.source()) + ": error: unknown section '" + k +
                        "': expected [project], [build], [package] or [firmware]");
        std::optional<std::string> e = k == "project" ? apply_project(*t, c, file)
                                       : k == "build" ? apply_build(*t, c, file)
                                                      : apply_package(*t, c, file);
        if (e)
            return fail(*e);
        entry_points_set = entry_points_set || (k == "build" && t->get("entry_points"));
    }
    if (!entry_points_set)
        c.entry_points = default_entry_points(c.target);
    c.from_file = true;
    return c;
}

Result<ProjectConfig> load_project_config(const std::filesystem::path& root) {
    auto path = root / k_config_file;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        ProjectConfig c;
        c.root = root;
        c.name = std::filesystem::absolute(root).lexically_normal().filename().string();
        c.entry_points = default_entry_points(c.target);
        return c;
    }
    auto bytes = read_file(path);
    if (!bytes)
        return std::unexpected(bytes.error());
    return parse_project_config(std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size()), root,
                                path.string());
}

// For MicroPython projects: `mpyship firmware build` with the project frozen in, commented out.
constexpr std::string_view k_starter_firmware =
    "\n# Custom firmware with this project frozen in (`mpyship firmware build`, then `mpyship flash`):\n"
    "# [firmware]\n"
    "# port = \"rp2\"\n"
    "# board = \"RPI_PICO\"\n"
    "# micropython = { git = \"https://github.com/micropython/micropython\", rev = \"v1.28.0\" }\n"
    "# freeze_project = true\n";

std::string starter_config(std::string_view name, compiler::Target target) {
    std::string t(target_name(target));
    return "# mpyship project configuration. Every key is optional; the values shown are the defaults\n"
           "# except name and target.\n\n"
           "[project]\n"
           "name = \"" + std::string(name) + "\"\n"
           "# version = \"1.0.0\"        # else --version, else `git describe`\n"
           "target = \"" + t + "\"       # circuitpython ('C' .mpy files) or micropython ('M')\n"
           "src = \"src\"                 # the files that go onto the board\n"
           "out = \"build\"               # build/mpy/, build/manifest.json, release archives\n\n"
           "[build]\n"
           "# Entry points run only as source, so they are copied, not compiled.\n"
           "# entry_points = [" + [&] {
               std::string s;
               for (const auto& e : default_entry_points(target))
                   s += (s.empty() ? "\"" : ", \"") + e + "\"";
               return s;
           }() + "]\n"
           "# include = [\"**\"]          # globs relative to src; empty = everything\n"
           "exclude = [\"__pycache__\", \"*.pyc\", \".*\"]\n"
           "optimize = 0                # mpy-cross -O level (1+ drops asserts)\n\n"
           "[package]\n"
           "formats = [\"tar.gz\", \"zip\"]\n" +
           (target == compiler::Target::micropython ? std::string(k_starter_firmware) : std::string());
}

} // namespace mpyship::build
