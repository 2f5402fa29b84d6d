#include "mpyship/project/clean.h"

namespace mpyship::project {
namespace {

namespace fs = std::filesystem;

void count_files(const fs::path& p, CleanReport& r) {
    std::error_code ec;
    if (fs::is_regular_file(fs::symlink_status(p, ec))) {
        ++r.files;
        r.bytes += fs::file_size(p, ec);
        return;
    }
    if (!fs::is_directory(fs::symlink_status(p, ec)))
        return;
    for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file(ec) && !it->is_symlink(ec)) {
            ++r.files;
            r.bytes += it->file_size(ec);
        }
}

// Temporary files an interrupted atomic write left behind (".NAME.tmp-XXXXXX").
bool is_leftover_temp(const std::string& name) {
    return name.starts_with(".") && name.find(".tmp-") != std::string::npos;
}

std::vector<fs::path> targets(const fs::path& out) {
    std::vector<fs::path> found;
    std::error_code ec;
    for (const char* name : k_output_names)
        if (fs::exists(fs::symlink_status(out / name, ec)))
            found.push_back(out / name);
    for (fs::directory_iterator it(out, ec), end; !ec && it != end; it.increment(ec))
        if (is_leftover_temp(it->path().filename().string()))
            found.push_back(it->path());
    return found;
}

} // namespace

Result<CleanReport> clean_outputs(const ProjectConfig& config, bool dry_run) {
    CleanReport r;
    fs::path out = config.out_dir();
    std::error_code ec;
    if (!fs::exists(out, ec))
        return r;
    if (!fs::is_directory(out, ec))
        return fail("the output folder is not a folder", out.string());
    for (const auto& p : targets(out)) {
        count_files(p, r);
        r.removed.push_back(p);
        if (!dry_run && fs::remove_all(p, ec) == static_cast<std::uintmax_t>(-1))
            return fail("cannot remove: " + ec.message(), p.string());
    }
    if (!dry_run && fs::is_empty(out, ec) && !ec)
        r.removed_out_dir = fs::remove(out, ec);
    return r;
}

} // namespace mpyship::project
