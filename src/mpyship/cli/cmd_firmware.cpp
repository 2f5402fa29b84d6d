// `mpyship firmware build [DIR] [--jobs N] [--dry-run]`: a MicroPython firmware with the project frozen in,
// from the [firmware] section of mpyship.toml; `mpyship firmware lock [DIR]` writes mpyship.lock. Subcommands
// are a small table like the command table.
#include "mpyship/cli/color.h"
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/commands.h"
#include "mpyship/cli/parse_args.h"
#include "mpyship/firmware/cache_clean.h"
#include "mpyship/firmware/firmware_build.h"
#include "mpyship/firmware/firmware_lock.h"
#include "mpyship/util/file_io.h"
#include "mpyship/util/process.h"

#include <cstdlib>
#include <fmt/core.h>
#include <unistd.h>

namespace mpyship::cli {
namespace {

namespace fs = std::filesystem;

struct FirmwareArgs {
    std::string dir = ".";
    unsigned jobs = 0;
    bool dry_run = false;
};

firmware::FirmwareBuildOptions build_options(const FirmwareArgs& a, bool show_progress) {
    firmware::FirmwareBuildOptions o;
    o.cache_root = firmware::default_cache_root();
    std::error_code ec;
    o.mpyship_exe = fs::read_symlink("/proc/self/exe", ec);
    o.jobs = a.jobs;
    const char* path = std::getenv("PATH");
    o.path_env = path ? path : "/usr/bin:/bin";
    o.on_note = [](std::string_view note) { print_note(stderr, note); };
    if (show_progress)
        o.on_line = [](std::string_view line) {
            // The progress line: make's latest output, cut to one terminal row.
            fmt::print(stderr, "\r\033[K{}", line.substr(0, 100));
            std::fflush(stderr);
        };
    return o;
}

int print_failure(const firmware::FirmwareBuildResult& r) {
    print_error(fmt::format("firmware build failed (make exited with {}); last error lines:", r.make_exit));
    for (const auto& l : r.error_tail)
        fmt::print(stderr, "  {}\n", l);
    if (r.empty_submodule_count > 0) {
        std::string names;
        for (const auto& m : r.empty_submodules)
            names += (names.empty() ? "" : ", ") + m;
        print_note(stderr, fmt::format("{} git submodules of the source are not checked out{}{}; run `make "
                                       "submodules` in the port's folder of the source, or turn the feature "
                                       "that needs them off with make_vars",
                                       r.empty_submodule_count, names.empty() ? "" : ", and the errors name ", names));
    }
    fmt::print(stderr, "full log: {}\n", r.log.string());
    fmt::print(stderr, "{} was left unchanged\n", r.out_dir.string());
    return k_exit_failure;
}

int print_result(const firmware::FirmwareBuildResult& r) {
    if (!r.ok)
        return print_failure(r);
    fmt::print("firmware: key {}\n", r.key.key);
    fmt::print("source: {} ({})\n", r.cache_dir.string(), r.prepared_now ? "prepared" : "cached");
    if (r.up_to_date) {
        fmt::print("firmware: up to date in {}\n", r.out_dir.string());
        return k_exit_ok;
    }
    for (const auto& o : r.outputs)
        fmt::print("  {:<40} {:>10} bytes  {}\n", o.name, o.size, o.sha256.substr(0, 16));
    fmt::print("firmware: {} files in {} (log: {})\n", r.outputs.size(), r.out_dir.string(), r.log.string());
    return k_exit_ok;
}

int firmware_build(std::string_view program, std::span<const std::string> args) {
    CLI::App app("build MicroPython firmware with the project frozen in ([firmware] in mpyship.toml)",
                 std::string(program) + " firmware build");
    FirmwareArgs a;
    app.add_option("dir", a.dir, "project folder (default: the current folder)");
    app.add_option("-j,--jobs", a.jobs, "make -j (default: [firmware] jobs, else all cores)")
        ->check(CLI::Range(1u, 1024u));
    app.add_flag("--dry-run", a.dry_run, "print the cache key and the make command, run nothing");
    if (auto stop = parse_args(app, args))
        return *stop;
    auto config = firmware::load_firmware_config(a.dir);
    if (!config) {
        print_error(config.error().to_string());
        return k_exit_failure;
    }
    auto options = build_options(a, !a.dry_run && ::isatty(STDERR_FILENO));
    auto r = a.dry_run ? firmware::plan_firmware_build(*config, options)
                       : firmware::build_firmware(*config, options);
    if (options.on_line)
        fmt::print(stderr, "\r\033[K");
    if (!r) {
        print_error(r.error().to_string());
        return k_exit_failure;
    }
    if (!a.dry_run)
        return print_result(*r);
    fmt::print("key: {}\ncache: {}\nmake: {}\n", r->key.key, r->cache_dir.string(),
               command_line(r->make_argv));
    return k_exit_ok;
}

int firmware_lock(std::string_view program, std::span<const std::string> args) {
    CLI::App app("resolve the firmware sources and patches and pin them in mpyship.lock",
                 std::string(program) + " firmware lock");
    std::string dir = ".";
    app.add_option("dir", dir, "project folder (default: the current folder)");
    if (auto stop = parse_args(app, args))
        return *stop;
    auto config = firmware::load_firmware_config(dir);
    auto lock = config ? firmware::resolve_lock(*config, firmware::default_cache_root())
                       : Result<firmware::FirmwareLock>(std::unexpected(config.error()));
    std::string text = lock ? firmware::lock_text(*lock) : std::string();
    auto path = fs::path(dir) / firmware::k_lock_file;
    auto written = lock ? write_file_atomic(path, text) : Result<void>(std::unexpected(lock.error()));
    if (!written) {
        print_error(written.error().to_string());
        return k_exit_failure;
    }
    fmt::print("micropython: {}{} tree {}\n", lock->micropython.source,
               lock->micropython.commit ? " commit " + *lock->micropython.commit : "",
               lock->micropython.tree_sha256);
    if (lock->micropython_lib)
        fmt::print("micropython_lib: {} tree {}\n", lock->micropython_lib->source,
                   lock->micropython_lib->tree_sha256);
    fmt::print("wrote {} ({} patches)\n", path.string(), lock->patches.size());
    return k_exit_ok;
}

std::string human_bytes(std::uint64_t n) {
    if (n >= 1000000000)
        return fmt::format("{:.1f} GB", n / 1e9);
    if (n >= 1000000)
        return fmt::format("{:.1f} MB", n / 1e6);
    return fmt::format("{} bytes", n);
}

// The project's current key, to keep; nullopt with --all. Fails when DIR has no [firmware] and --all is
// absent.
Result<std::optional<std::string>> key_to_keep(const std::string& dir, bool all) {
    if (all)
        return std::optional<std::string>();
    auto config = firmware::load_firmware_config(dir);
    if (!config)
        return fail(config.error().to_string() + " (pass --all to clean the whole firmware cache)");
    firmware::FirmwareBuildOptions o;
    o.cache_root = firmware::default_cache_root();
    auto plan = firmware::plan_firmware_build(*config, o);
    if (!plan)
        return std::unexpected(plan.error());
    return std::optional<std::string>(plan->key.key);
}

void print_clean(const firmware::CleanReport& r, bool dry_run) {
    fmt::print("firmware cache: {}\n", firmware::default_cache_root().string());
    fmt::print("{} {} cached tree{} ({})\n", dry_run ? "would remove" : "removed", r.removed.size(),
               r.removed.size() == 1 ? "" : "s", human_bytes(r.freed_bytes));
    if (r.kept)
        fmt::print("kept {}: this project's current firmware\n", *r.kept);
    for (const auto& k : r.in_use)
        fmt::print("skipped {}: another firmware build is using it\n", k);
}

int firmware_clean(std::string_view program, std::span<const std::string> args) {
    CLI::App app("remove cached MicroPython trees (all but this project's current one)",
                 std::string(program) + " firmware clean");
    std::string dir = ".";
    bool all = false, dry_run = false;
    app.add_option("dir", dir, "project folder whose current tree is kept (default: the current folder)");
    app.add_flag("--all", all, "remove every cached tree, this project's too");
    app.add_flag("--dry-run", dry_run, "say what would be removed, remove nothing");
    if (auto stop = parse_args(app, args))
        return *stop;
    auto keep = key_to_keep(dir, all);
    auto report = keep ? firmware::clean_cache(firmware::default_cache_root(), *keep, dry_run)
                       : Result<firmware::CleanReport>(std::unexpected(keep.error()));
    if (!report) {
        print_error(report.error().to_string());
        return k_exit_failure;
    }
    print_clean(*report, dry_run);
    return k_exit_ok;
}

struct Subcommand {
    std::string_view name;
    std::string_view summary;
    int (*run)(std::string_view, std::span<const std::string>);
};

constexpr Subcommand k_subcommands[] = {
    {"build", "build the firmware into build/firmware/ (--dry-run prints the make command)", firmware_build},
    {"lock", "pin the sources' commits and tree hashes and the patches' hashes in mpyship.lock",
     firmware_lock},
    {"clean", "remove cached source trees but this project's current one (--all: every one)", firmware_clean},
};

int firmware_usage(std::string_view program, int code) {
    fmt::print(code == k_exit_ok ? stdout : stderr,
               "Usage: {} firmware <subcommand> [options]\n\nSubcommands:\n", program);
    for (const auto& s : k_subcommands)
        fmt::print(code == k_exit_ok ? stdout : stderr, "  {:<8} {}\n", s.name, s.summary);
    return code;
}

} // namespace

int cmd_firmware(std::string_view program, std::span<const std::string> args) {
    if (args.empty())
        return firmware_usage(program, k_exit_usage);
    if (args[0] == "--help" || args[0] == "-h")
        return firmware_usage(program, k_exit_ok);
    for (const auto& s : k_subcommands)
        if (s.name == args[0])
            return s.run(program, args.subspan(1));
    fmt::print(stderr, "{}: unknown firmware subcommand '{}'\n", program, args[0]);
    return firmware_usage(program, k_exit_usage);
}

} // namespace mpyship::cli
