// The verbs of `mpyship device` (see cmd_device.cpp): each parses its arguments, opens the board, runs one
// DeviceFs operation (with device_ops' rules) and prints text or, where the output is data, --json.
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/device_args.h"
#include "mpyship/cli/json_output.h"
#include "mpyship/cli/parse_args.h"
#include "mpyship/device/device_ops.h"
#include "mpyship/device/device_path.h"
#include "mpyship/util/sha256.h"

#include <cstdio>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

namespace mpyship::cli {
namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

std::string usage_name(std::string_view program, std::string_view verb) {
    return std::string(program) + " device " + std::string(verb);
}

void print_json(json j) {
    set_outcome(j, true, "");
    fmt::print("{}\n", j.dump(2));
}

json entry_json(const device::DeviceEntry& e) {
    return {{"path", e.path}, {"type", e.is_dir ? "dir" : "file"}, {"size", e.size}};
}

void print_entry(const device::DeviceEntry& e) {
    std::string size = e.is_dir ? "" : e.size < 0 ? "?" : std::to_string(e.size);
    fmt::print("{:>10}  {}{}\n", size, e.path, e.is_dir ? "/" : "");
}

} // namespace

int device_ls(std::string_view program, std::span<const std::string> args) {
    DeviceArgs a;
    std::string path;
    bool recursive = false;
    CLI::App app{"List a folder on the board (sizes in bytes; folders end with /).", usage_name(program, "ls")};
    app.add_option("path", path, "folder or file (default: the drive's root or the device's working folder)");
    app.add_flag("-r,--recursive", recursive, "list every folder below too");
    add_device_options(app, a);
    if (auto rc = parse_args(app, args))
        return *rc;
    return with_device(a, [&](device::DeviceFs& fs) -> Result<void> {
        auto entries = fs.list(path, recursive);
        if (!entries)
            return std::unexpected(entries.error());
        if (a.json) {
            json list = json::array();
            for (const auto& e : *entries)
                list.push_back(entry_json(e));
            print_json({{"device", fs.where()}, {"path", path}, {"entries", list}});
        } else {
            for (const auto& e : *entries)
                print_entry(e);
        }
        return {};
    });
}

int device_cat(std::string_view program, std::span<const std::string> args) {
    DeviceArgs a;
    std::string path;
    CLI::App app{"Print a file from the board, byte for byte.", usage_name(program, "cat")};
    app.add_option("file", path, "the file on the board")->required();
    add_device_options(app, a, false);
    if (auto rc = parse_args(app, args))
        return *rc;
    return with_device(a, [&](device::DeviceFs& fs) -> Result<void> {
        auto bytes = fs.read(path);
        if (!bytes)
            return std::unexpected(bytes.error());
        std::fwrite(bytes->data(), 1, bytes->size(), stdout);
        std::fflush(stdout);
        return {};
    });
}

int device_get(std::string_view program, std::span<const std::string> args) {
    DeviceArgs a;
    std::string path, dest;
    CLI::App app{"Copy a file from the board (written to a temporary name, then renamed).",
                 usage_name(program, "get")};
    app.add_option("file", path, "the file on the board")->required();
    app.add_option("dest", dest, "local file or folder (default: the file's name in the current folder)");
    add_device_options(app, a);
    if (auto rc = parse_args(app, args))
        return *rc;
    return with_device(a, [&](device::DeviceFs& fs) -> Result<void> {
        auto bytes = fs.read(path);
        if (!bytes)
            return std::unexpected(bytes.error());
        fs::path target = dest.empty() ? fs::path(std::string(device::base_name(path))) : fs::path(dest);
        std::error_code ec;
        if (fs::is_directory(target, ec))
            target /= std::string(device::base_name(path));
        if (auto w = write_file_atomic(target, *bytes); !w)
            return w;
        std::string sha = sha256_hex(*bytes);
        if (a.json)
            print_json({{"device", fs.where()}, {"path", path}, {"dest", target.string()},
                        {"size", bytes->size()}, {"sha256", sha}});
        else
            fmt::print("get: {} -> {} ({} bytes)\n", path, target.string(), bytes->size());
        return {};
    });
}

int device_put(std::string_view program, std::span<const std::string> args) {
    DeviceArgs a;
    std::string local, dest;
    CLI::App app{"Copy a file onto the board: a temporary name in the target folder, checked, then renamed "
                 "over the old file.",
                 usage_name(program, "put")};
    app.add_option("file", local, "the local file")->required();
    app.add_option("dest", dest, "path on the board, or a folder there (default: the file's name)");
    add_device_options(app, a);
    if (auto rc = parse_args(app, args))
        return *rc;
    auto bytes = read_file(local);
    if (!bytes)
        return report_error(bytes.error(), a.json);
    return with_device(a, [&](device::DeviceFs& fs) -> Result<void> {
        auto target = device::put_destination(fs, local, dest);
        if (!target)
            return std::unexpected(target.error());
        if (auto w = fs.write(*target, *bytes); !w)
            return w;
        if (a.json)
            print_json({{"device", fs.where()}, {"source", local}, {"path", *target}, {"size", bytes->size()},
                        {"sha256", sha256_hex(*bytes)}});
        else
            fmt::print("put: {} -> {} ({} bytes)\n", local, *target, bytes->size());
        return {};
    });
}

int device_rm(std::string_view program, std::span<const std::string> args) {
    DeviceArgs a;
    std::string path;
    bool recursive = false, force = false;
    CLI::App app{"Remove a file, or a folder and everything in it with -r. boot_out.txt, settings.toml and "
                 "the deploy record (.mpyship/) are removed only with --force.",
                 usage_name(program, "rm")};
    app.add_option("path", path, "the file or folder on the board")->required();
    app.add_flag("-r,--recursive", recursive, "remove a folder and everything in it");
    app.add_flag("--force", force, "remove protected files too");
    add_device_options(app, a);
    if (auto rc = parse_args(app, args))
        return *rc;
    return with_device(a, [&](device::DeviceFs& fs) -> Result<void> {
        auto check = device::check_removal(fs, path, recursive, force);
        if (!check)
            return std::unexpected(check.error());
        if (auto r = fs.remove(path, recursive); !r)
            return r;
        if (a.json)
            print_json({{"device", fs.where()}, {"path", path}, {"files", check->files},
                        {"folders", check->folders}, {"protected", check->protected_paths}});
        else
            fmt::print("rm: {} ({} file(s), {} folder(s))\n", path, check->files, check->folders);
        return {};
    });
}

int device_mkdir(std::string_view program, std::span<const std::string> args) {
    DeviceArgs a;
    std::string path;
    CLI::App app{"Create a folder on the board (its parent must exist).", usage_name(program, "mkdir")};
    app.add_option("path", path, "the new folder")->required();
    add_device_options(app, a);
    if (auto rc = parse_args(app, args))
        return *rc;
    return with_device(a, [&](device::DeviceFs& fs) -> Result<void> {
        if (auto r = fs.make_dir(path); !r)
            return r;
        if (a.json)
            print_json({{"device", fs.where()}, {"path", path}});
        else
            fmt::print("mkdir: {}\n", path);
        return {};
    });
}

int device_df(std::string_view program, std::span<const std::string> args) {
    DeviceArgs a;
    std::string path;
    CLI::App app{"Total, used and free space of the board's file system.", usage_name(program, "df")};
    app.add_option("path", path, "a folder on the file system to measure (default: the working folder)");
    add_device_options(app, a);
    if (auto rc = parse_args(app, args))
        return *rc;
    return with_device(a, [&](device::DeviceFs& fs) -> Result<void> {
        auto s = fs.space(path);
        if (!s)
            return std::unexpected(s.error());
        if (a.json)
            print_json({{"device", fs.where()}, {"total", s->total}, {"used", s->total - s->free},
                        {"free", s->free}, {"block", s->block}});
        else
            fmt::print("{}: {} bytes total, {} used, {} free (blocks of {})\n", fs.where(), s->total,
                       s->total - s->free, s->free, s->block);
        return {};
    });
}

int device_hash(std::string_view program, std::span<const std::string> args) {
    DeviceArgs a;
    std::string path;
    CLI::App app{"SHA-256 of a file, computed on the board (on a drive: read from it).",
                 usage_name(program, "hash")};
    app.add_option("file", path, "the file on the board")->required();
    add_device_options(app, a);
    if (auto rc = parse_args(app, args))
        return *rc;
    return with_device(a, [&](device::DeviceFs& fs) -> Result<void> {
        auto sha = fs.sha256(path);
        if (!sha)
            return std::unexpected(sha.error());
        if (a.json)
            print_json({{"device", fs.where()}, {"path", path}, {"sha256", *sha}});
        else
            fmt::print("{}  {}\n", *sha, path);
        return {};
    });
}

int device_reset(std::string_view program, std::span<const std::string> args) {
    DeviceArgs a;
    bool soft = false, hard = false;
    CLI::App app{"Reset the board over its serial REPL: --soft (the default) restarts the interpreter, "
                 "--hard resets the chip (machine.reset()).",
                 usage_name(program, "reset")};
    auto* s = app.add_flag("--soft", soft, "soft reset (Ctrl-D): the interpreter restarts");
    app.add_flag("--hard", hard, "hard reset: machine.reset(); the serial link drops")->excludes(s);
    add_device_options(app, a, false);
    if (auto rc = parse_args(app, args))
        return *rc;
    return with_device(a, [&](device::DeviceFs& fs) -> Result<void> {
        if (auto r = fs.reset(hard ? device::ResetKind::hard : device::ResetKind::soft); !r)
            return r;
        fmt::print("reset: {} ({})\n", fs.where(), hard ? "hard" : "soft");
        return {};
    });
}

} // namespace mpyship::cli
