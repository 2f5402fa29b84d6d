#include "mpyship/project/project_config.h"

#include "mpyship/project/build_arch.h"

#include "mpyship/project/toml_fields.h"
#include "mpyship/util/file_io.h"

namespace mpyship::project {
namespace {

bool inside(const std::filesystem::path& path, const std::filesystem::path& dir) {
    auto rel = path.lexically_relative(dir);
    return !rel.empty() && *rel.begin() != "..";
}

// src and out stay inside the project, and neither holds the other: a build written into src would ship
// itself next time, and src = "../" would take in the parent folder.
ConfigProblem layout_problem(const std::filesystem::path& src, const std::filesystem::path& out) {
    const std::filesystem::path root = "/project";
    auto s = (root / src).lexically_normal();
    auto o = (root / out).lexically_normal();
    if (!inside(s, root) && s != root)
        return "'src' (" + src.generic_string() + ") is outside the project folder";
    if (!inside(o, root))
        return "'out' (" + out.generic_string() + ") must be a folder inside the project folder";
    if (s == o || inside(o, s))
        return "'out' (" + out.generic_string() + ") is inside 'src' (" + src.generic_string() +
               "): the build would ship its own outputs";
    if (inside(s, o))
        return "'src' (" + src.generic_string() + ") is inside 'out' (" + out.generic_string() + ")";
    return std::nullopt;
}

ConfigProblem apply_project(const TomlFields& f, ProjectConfig& c) {
    if (auto e = f.only_keys({"name", "version", "target", "src", "out"}))
        return e;
    std::string target, src = c.src.string(), out = c.out.string();
    for (auto e : {f.text("name", c.name), f.text("version", c.version), f.text("target", target),
                   f.text("src", src), f.text("out", out)})
        if (e)
            return e;
    if (!target.empty()) {
        auto parsed = parse_target_name(target);
        if (!parsed)
            return f.where(*f.get("target")) + "unknown target '" + target +
                   "': expected circuitpython or micropython";
        c.target = *parsed;
    }
    c.src = src;
    c.out = out;
    if (c.src.is_absolute() || c.out.is_absolute())
        return f.where() + "'src' and 'out' must be paths relative to the project folder";
    if (auto why = layout_problem(c.src, c.out))
        return f.where() + *why;
    return std::nullopt;
}

ConfigProblem apply_build(const TomlFields& f, ProjectConfig& c) {
    if (auto e = f.only_keys({"entry_points", "include", "exclude", "optimize", "flash_budget", "arch"}))
        return e;
    std::optional<std::string> arch;
    if (auto e = f.text("arch", arch))
        return e;
    if (arch) {
        c.arch = mpy::native_arch_from_name(*arch);
        if (!c.arch)
            return f.where(*f.get("arch")) + "unknown architecture '" + *arch + "': expected one of " +
                   native_arch_names();
    }
    std::int64_t budget = 0;
    if (auto e = f.integer("flash_budget", 1, std::int64_t(1) << 40, "a byte count above 0", budget))
        return e;
    if (f.get("flash_budget"))
        c.flash_budget = std::uint64_t(budget);
    std::int64_t opt = c.opt_level;
    for (auto e : {f.texts("entry_points", c.entry_points), f.texts("include", c.include),
                   f.texts("exclude", c.exclude), f.integer("optimize", 0, 3, "an integer from 0 to 3", opt)})
        if (e)
            return e;
    c.opt_level = int(opt);
    return std::nullopt;
}

ConfigProblem apply_package(const TomlFields& f, ProjectConfig& c) {
    if (auto e = f.only_keys({"formats"}))
        return e;
    if (auto e = f.texts("formats", c.package_formats))
        return e;
    for (const auto& format : c.package_formats)
        if (format != "tar.gz" && format != "zip")
            return f.where(*f.get("formats")) + "unknown package format '" + format +
                   "': expected tar.gz or zip";
    return std::nullopt;
}

// Sections other layers read from the same document.
bool is_other_layers_section(std::string_view name) { return name == "firmware" || name == "ota"; }

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

std::string project_name_from_folder(const std::filesystem::path& root) {
    auto normal = std::filesystem::absolute(root).lexically_normal();
    std::string name = normal.filename().string();
    return name.empty() ? normal.parent_path().filename().string() : name;
}

// The architecture the [firmware] section's port and board build for, when the names tell it. The
// section itself is read (and checked) by the firmware layer.
std::optional<mpy::NativeArch> firmware_arch(const toml::table& document) {
    const toml::table* fw = document["firmware"].as_table();
    const auto port = fw ? (*fw)["port"].value<std::string>() : std::nullopt;
    if (!port)
        return std::nullopt;
    return firmware_default_arch(*port, (*fw)["board"].value<std::string>().value_or(""));
}

Result<ProjectConfig> parse_project_config(std::string_view text, const std::filesystem::path& root,
                                           const std::string& file) {
    auto document = parse_config_document(text, file);
    if (!document)
        return std::unexpected(document.error());
    ProjectConfig c;
    c.root = root;
    c.name = project_name_from_folder(root);
    bool entry_points_set = false;
    for (const auto& [key, node] : (*document)->table) {
        const toml::table* t = node.as_table();
        std::string k(key.str());
        if (t && is_other_layers_section(k))
            continue;
        if (!t || (k != "project" && k != "build" && k != "package"))
            return fail(config_where(file, node) + "unknown section '" + k +
                        "': expected [project], [build], [package], [firmware] or [ota]");
        TomlFields fields(*t, file, "[" + k + "]");
        ConfigProblem e = k == "project" ? apply_project(fields, c)
                          : k == "build" ? apply_build(fields, c)
                                         : apply_package(fields, c);
        if (e)
            return fail(*e);
        entry_points_set = entry_points_set || (k == "build" && t->get("entry_points"));
    }
    if (!entry_points_set)
        c.entry_points = default_entry_points(c.target);
    if (!c.arch)
        c.arch = firmware_arch((*document)->table);
    c.from_file = true;
    c.document = std::move(*document);
    return c;
}

Result<ProjectConfig> load_project_config(const std::filesystem::path& root) {
    auto path = root / k_config_file;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        ProjectConfig c;
        c.root = root;
        c.name = project_name_from_folder(root);
        c.entry_points = default_entry_points(c.target);
        return c;
    }
    auto text = read_text_file(path);
    if (!text)
        return std::unexpected(text.error());
    return parse_project_config(*text, root, path.string());
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
           "name = \"" +
           std::string(name) +
           "\"\n"
           "# version = \"1.0.0\"        # else --version, else `git describe`\n"
           "target = \"" +
           t +
           "\"       # circuitpython ('C' .mpy files) or micropython ('M')\n"
           "src = \"src\"                 # the files that go onto the board\n"
           "out = \"build\"               # build/mpy/, build/manifest.json, release archives\n\n"
           "[build]\n"
           "# Entry points run only as source, so they are copied, not compiled.\n"
           "# entry_points = [" +
           [&] {
               std::string s;
               for (const auto& e : default_entry_points(target))
                   s += (s.empty() ? "\"" : ", \"") + e + "\"";
               return s;
           }() +
           "]\n"
           "# include = [\"**\"]          # globs relative to src; empty = everything\n"
           "# exclude = []              # your own globs; hidden files, __pycache__, *.pyc and secrets never ship\n"
           "optimize = 0                # mpy-cross -O level (1+ drops asserts)\n\n"
           "[package]\n"
           "formats = [\"tar.gz\", \"zip\"]\n" +
           (target == compiler::Target::micropython ? std::string(k_starter_firmware) : std::string());
}

} // namespace mpyship::project
