#include "mpyship/firmware/source_prep.h"

#include "mpyship/firmware/make_command.h"
#include "mpyship/firmware/tree_hash.h"
#include "mpyship/util/file_io.h"
#include "mpyship/util/process.h"

#include <fstream>
#include <unistd.h>

namespace mpyship::firmware {
namespace fs = std::filesystem;

namespace {

std::string trimmed(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r");
    const auto last = s.find_last_not_of(" \t\r");
    return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
}

bool is_empty_folder(const fs::path& dir) {
    std::error_code ec;
    return !fs::is_directory(dir, ec) || fs::is_empty(dir, ec);
}

Result<void> copy_tree(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    fs::create_directories(to, ec);
    for (fs::recursive_directory_iterator it(from, ec), end; !ec && it != end; it.increment(ec)) {
        fs::path rel = it->path().lexically_relative(from);
        std::string name = it->path().filename().string();
        if (it->is_directory() && !it->is_symlink() &&
            (name == ".git" || name == "build" || name.starts_with("build-"))) {
            it.disable_recursion_pending();
            continue;
        }
        if (it->is_symlink())
            fs::copy_symlink(it->path(), to / rel, ec);
        else if (it->is_directory())
            fs::create_directories(to / rel, ec);
        else
            fs::copy_file(it->path(), to / rel, ec);
        if (ec)
            return fail("cannot copy into the firmware cache: " + ec.message(), it->path().string());
    }
    if (ec)
        return fail("cannot copy the source: " + ec.message(), from.string());
    return {};
}

Result<void> run_checked(const std::vector<std::string>& argv, const std::string& what,
                         const fs::path& cwd = {}) {
    auto r = run_process(argv, {}, cwd);
    if (!r)
        return std::unexpected(r.error());
    if (r->exit_code != 0)
        return fail(what + ":\n" + r->out + r->err);
    return {};
}

Result<void> fetch_source(const SourceSpec& s, const fs::path& to) {
    if (!s.is_git()) {
        if (!fs::is_directory(s.local))
            return fail("source folder not found", s.local.string());
        return copy_tree(s.local, to);
    }
    if (auto r = run_checked({"git", "clone", "--quiet", "--no-checkout", s.git, to.string()},
                             "cannot clone " + s.git);
        !r)
        return r;
    // A locked source checks out `rev` and compares it with the lock below (a moved tag is refused); an
    // unlocked one checks out the commit `rev` was resolved to when the cache key was made.
    const std::string& wanted = s.commit ? s.rev : s.resolved.value_or(s.rev);
    if (auto r =
            run_checked({"git", "-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", wanted},
                        "cannot check out " + wanted + " of " + s.git, to);
        !r)
        return r;
    if (s.commit) {
        auto head = run_process({"git", "rev-parse", "HEAD"}, {}, to);
        if (!head || head->exit_code != 0 || head->out.substr(0, head->out.find('\n')) != *s.commit)
            return fail(s.git + "@" + s.rev + " resolves to " +
                        (head ? head->out.substr(0, head->out.find('\n')) : "?") +
                        ", but mpyship.lock pins " + *s.commit +
                        " (the revision moved: run `mpyship firmware lock` to accept it)");
    }
    if (!s.sha256)
        return {};
    auto h = tree_hash(to);
    if (!h)
        return std::unexpected(h.error());
    if (*h != *s.sha256)
        return fail(s.git + "@" + s.rev + " does not match its pinned sha256: expected " + *s.sha256 +
                    ", got " + *h);
    return {};
}

Result<void> apply_patches(const FirmwareConfig& c, const fs::path& tree) {
    for (std::size_t i = 0; i < c.patches.size(); ++i) {
        const fs::path& p = c.patches[i];
        if (!fs::is_regular_file(p))
            return fail("patch file not found", p.string());
        auto r = run_process({"patch", "-p1", "--batch", "--forward", "--no-backup-if-mismatch",
                              "--reject-file=-", "-i", p.string()},
                             {}, tree);
        if (!r)
            return std::unexpected(r.error());
        if (r->exit_code != 0)
            return fail("patch " + std::to_string(i + 1) + " of " + std::to_string(c.patches.size()) +
                            " does not apply to " + c.micropython.describe() + ":\n" + r->out + r->err,
                        p.string());
    }
    return {};
}

Result<void> link_c_modules(const FirmwareConfig& c, const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    for (const auto& m : c.user_c_modules) {
        if (!fs::exists(m / "micropython.mk") && !fs::exists(m / "micropython.cmake"))
            return fail("not a MicroPython C module folder (no micropython.mk or micropython.cmake)",
                        m.string());
        fs::create_directory_symlink(m, dir / m.filename(), ec);
        if (ec)
            return fail("cannot link C module '" + m.filename().string() +
                            "' (two modules with one name?): " + ec.message(),
                        m.string());
    }
    return {};
}

// A fresh clone has its submodules as empty folders; the port's `make submodules` fetches the ones it needs.
Result<void> fetch_submodules(const FirmwareConfig& c, const fs::path& tree) {
    if (!c.micropython.is_git() || !c.submodules)
        return {};
    auto r = run_process(submodules_command(c, tree), {}, tree);
    if (!r)
        return std::unexpected(r.error());
    if (r->exit_code == 0)
        return {};
    std::string out = r->out + r->err;
    if (out.size() > 2000)
        out = "…" + out.substr(out.size() - 2000);
    return fail(
        "cannot fetch the git submodules the " + c.port + " port needs (`make submodules` in a clone of " +
        c.micropython.describe() + " failed; offline?):\n" + out +
        "Set submodules = false in [firmware] and provide them yourself (e.g. micropython_lib = \"PATH\"), "
        "or use a local checkout that has them");
}

Result<void> build_prepared(const FirmwareConfig& c, const std::string& key, const fs::path& tmp) {
    if (auto r = fetch_source(c.micropython, tmp / "tree"); !r)
        return r;
    if (auto r = fetch_submodules(c, tmp / "tree"); !r)
        return r;
    if (c.micropython_lib) {
        std::error_code ec;
        fs::remove_all(tmp / "tree" / "lib" / "micropython-lib", ec);
        if (auto r = fetch_source(*c.micropython_lib, tmp / "tree" / "lib" / "micropython-lib"); !r)
            return r;
    }
    if (auto r = apply_patches(c, tmp / "tree"); !r)
        return r;
    if (auto r = link_c_modules(c, tmp / "c_modules"); !r)
        return r;
    return write_file_atomic(tmp / k_prepared_marker, as_bytes(key));
}

} // namespace

fs::path cache_dir_for(const fs::path& cache_root, const std::string& key) {
    return cache_root / "firmware" / key;
}

Result<PreparedTree> prepare_source(const FirmwareConfig& c, const std::string& key,
                                    const fs::path& cache_root) {
    PreparedTree p{cache_dir_for(cache_root, key)};
    if (fs::exists(p.dir / k_prepared_marker)) {
        p.reused = true;
        return p;
    }
    fs::path tmp = p.dir.string() + ".tmp-" + std::to_string(::getpid());
    std::error_code ec;
    fs::remove_all(tmp, ec);
    fs::create_directories(tmp, ec);
    if (ec)
        return fail("cannot create the firmware cache folder: " + ec.message(), tmp.string());
    auto built = build_prepared(c, key, tmp);
    if (!built) {
        fs::remove_all(tmp, ec);
        return std::unexpected(built.error());
    }
    fs::remove_all(p.dir, ec); // a leftover without marker
    fs::rename(tmp, p.dir, ec);
    if (ec)
        return fail("cannot move the prepared tree into place: " + ec.message(), p.dir.string());
    return p;
}

Result<void> link_mpy_cross(const PreparedTree& p, const fs::path& mpyship_exe) {
    std::error_code ec;
    fs::create_directories(p.mpy_cross().parent_path(), ec);
    fs::remove(p.mpy_cross(), ec);
    fs::create_symlink(mpyship_exe, p.mpy_cross(), ec);
    if (ec)
        return fail("cannot link mpy-cross to mpyship: " + ec.message(), p.mpy_cross().string());
    return {};
}

Result<void> check_micropython_lib(const FirmwareConfig& c, const fs::path& tree) {
    if (c.make_vars.contains("MPY_LIB_DIR") || fs::exists(tree / "lib/micropython-lib/README.md"))
        return {};
    return fail(
        "lib/micropython-lib of " + c.micropython.describe() +
        " is empty: it is a git submodule that was not checked out, and the port's build of frozen "
        "modules needs it. Run `git submodule update --init lib/micropython-lib` (or `make -C ports/" +
        c.port +
        " submodules`) there, or set micropython_lib = \"PATH\" in [firmware] to a "
        "micropython-lib checkout");
}

std::vector<std::string> empty_submodules(const fs::path& tree) {
    std::vector<std::string> empty;
    std::ifstream in(tree / ".gitmodules");
    for (std::string line; std::getline(in, line);) {
        line = trimmed(line);
        const auto eq = line.find('=');
        if (eq == std::string::npos || trimmed(line.substr(0, eq)) != "path")
            continue;
        const std::string path = trimmed(line.substr(eq + 1));
        if (!path.empty() && is_empty_folder(tree / path))
            empty.push_back(path);
    }
    return empty;
}

} // namespace mpyship::firmware
