#include "mpyship/firmware/tree_hash.h"

#include "mpyship/util/file_io.h"
#include "mpyship/util/sha256.h"

#include <algorithm>
#include <vector>

namespace mpyship::firmware {
namespace fs = std::filesystem;

namespace {

bool skipped_dir(const fs::path& p) {
    std::string name = p.filename().string();
    return name == ".git" || name == "build" || name.starts_with("build-");
}

Result<std::vector<fs::path>> list_entries(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    fs::recursive_directory_iterator it(dir, ec), end;
    if (ec)
        return fail("cannot read folder: " + ec.message(), dir.string());
    for (; it != end; it.increment(ec)) {
        if (ec)
            return fail("cannot read folder: " + ec.message(), dir.string());
        if (it->is_directory() && !it->is_symlink() && skipped_dir(it->path())) {
            it.disable_recursion_pending();
            continue;
        }
        if (it->is_symlink() || it->is_regular_file())
            out.push_back(it->path().lexically_relative(dir));
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

Result<std::string> file_hash(const fs::path& file) {
    auto bytes = read_file(file);
    if (!bytes)
        return std::unexpected(bytes.error());
    return sha256_hex(*bytes);
}

Result<std::string> tree_hash(const fs::path& dir) {
    auto entries = list_entries(dir);
    if (!entries)
        return std::unexpected(entries.error());
    Sha256 h;
    for (const auto& rel : *entries) {
        fs::path full = dir / rel;
        h.update(rel.generic_string()).update(std::string_view("\0", 1));
        if (fs::is_symlink(full)) {
            h.update("link:" + fs::read_symlink(full).string());
        } else {
            bool exec = (fs::status(full).permissions() & fs::perms::owner_exec) != fs::perms::none;
            auto sum = file_hash(full);
            if (!sum)
                return std::unexpected(sum.error());
            h.update(exec ? "x:" : "f:").update(*sum);
        }
        h.update(std::string_view("\n", 1));
    }
    return h.hex_digest();
}

} // namespace mpyship::firmware
