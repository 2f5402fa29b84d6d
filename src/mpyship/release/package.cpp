#include "mpyship/release/package.h"

#include "mpyship/project/builder.h"
#include "mpyship/project/manifest.h"
#include "mpyship/release/archive.h"
#include "mpyship/release/verify.h"
#include "mpyship/util/file_io.h"

#include <cstdlib>
#include <sys/stat.h>

namespace mpyship::release {
namespace {

namespace fs = std::filesystem;

std::int64_t newest_source_mtime(const fs::path& src) {
    std::int64_t newest = 0;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(src, ec), end; !ec && it != end; it.increment(ec)) {
        struct stat st {};
        if (::stat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode))
            newest = std::max<std::int64_t>(newest, st.st_mtim.tv_sec);
    }
    return newest;
}

Result<std::int64_t> archive_mtime(const project::ProjectConfig& config) {
    if (std::getenv("SOURCE_DATE_EPOCH"))
        return project::build_epoch();
    return newest_source_mtime(config.src_dir());
}

Result<std::vector<ArchiveEntry>> collect_entries(const fs::path& out_dir,
                                                  const project::Manifest& manifest) {
    std::vector<ArchiveEntry> entries;
    auto manifest_bytes = read_file(out_dir / project::k_manifest_file);
    if (!manifest_bytes)
        return std::unexpected(manifest_bytes.error());
    entries.push_back({project::k_manifest_file, std::move(*manifest_bytes)});
    for (const auto& f : manifest.files) {
        auto data = read_file(out_dir / "mpy" / f.path);
        if (!data)
            return std::unexpected(data.error());
        entries.push_back({f.download_path, std::move(*data)});
    }
    return entries;
}

} // namespace

Result<PackageResult> package_build(const project::ProjectConfig& config) {
    fs::path out = config.out_dir();
    auto check = verify_build_folder(out);
    if (!check)
        return std::unexpected(check.error());
    if (!check->ok())
        return fail("build output does not match its manifest (" +
                        std::string(problem_name(check->problems[0].kind)) + ": " + check->problems[0].path +
                        "); run `mpyship build` first",
                    out.string());
    auto manifest = load_manifest(out / project::k_manifest_file);
    if (!manifest)
        return std::unexpected(manifest.error());
    auto entries = collect_entries(out, *manifest);
    if (!entries)
        return std::unexpected(entries.error());
    auto mtime = archive_mtime(config);
    if (!mtime)
        return std::unexpected(mtime.error());
    PackageResult result{{}, *mtime};
    for (const auto& format : config.package_formats) {
        bool zip = format == "zip";
        fs::path path = out / (zip ? "mpy-files.zip" : "mpy-files.tar.gz");
        if (auto w = write_archive(path, zip ? ArchiveFormat::zip : ArchiveFormat::tar_gz, *entries, *mtime);
            !w)
            return std::unexpected(w.error());
        result.archives.push_back(path);
    }
    return result;
}

} // namespace mpyship::release
