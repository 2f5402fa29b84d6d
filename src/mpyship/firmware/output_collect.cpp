#include "mpyship/firmware/output_collect.h"

#include "mpyship/firmware/tree_hash.h"
#include "mpyship/util/file_io.h"

#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

namespace mpyship::firmware {
namespace fs = std::filesystem;

namespace {

bool is_image(const std::string& name) {
    fs::path p(name);
    std::string ext = p.extension().string();
    return p.stem() == "firmware" || ext == ".uf2" || ext == ".hex" || ext == ".elf" || ext == ".bin" ||
           ext == ".dfu" || name == "flash_args" || name == "micropython";
}

Result<std::vector<OutputFile>> copy_images(const fs::path& build_dir, const fs::path& tmp) {
    std::vector<OutputFile> outputs;
    for (const auto& name : find_images(build_dir)) {
        auto sum = file_hash(build_dir / name);
        if (!sum)
            return std::unexpected(sum.error());
        std::error_code ec;
        fs::create_directories((tmp / name).parent_path(), ec);
        fs::copy_file(build_dir / name, tmp / name, ec);
        if (ec)
            return fail("cannot copy a firmware image: " + ec.message(), (build_dir / name).string());
        outputs.push_back({name, *sum, fs::file_size(build_dir / name)});
    }
    return outputs;
}

// Swaps tmp into dest atomically (renameat2 RENAME_EXCHANGE) when dest exists, then removes the old copy.
Result<void> swap_into_place(const fs::path& tmp, const fs::path& dest) {
    std::error_code ec;
    if (!fs::exists(dest)) {
        fs::rename(tmp, dest, ec);
        if (ec)
            return fail("cannot move firmware outputs into place: " + ec.message(), dest.string());
        return {};
    }
    if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dest.c_str(), RENAME_EXCHANGE) != 0)
        return fail("cannot replace the firmware outputs", dest.string(), errno);
    fs::remove_all(tmp, ec);
    return {};
}

} // namespace

std::vector<std::string> find_images(const fs::path& build_dir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(build_dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file() && is_image(it->path().filename().string()))
            names.push_back(it->path().filename().string());
    for (const char* extra : {"bootloader/bootloader.bin", "partition_table/partition-table.bin"})
        if (fs::is_regular_file(build_dir / extra))
            names.push_back(extra);
    std::sort(names.begin(), names.end());
    return names;
}

Result<std::vector<OutputFile>> collect_outputs(const fs::path& build_dir, const fs::path& dest,
                                                const nlohmann::ordered_json& inputs) {
    if (find_images(build_dir).empty())
        return fail("the build produced no firmware image", build_dir.string());
    fs::path tmp = dest.string() + ".tmp-" + std::to_string(::getpid());
    std::error_code ec;
    fs::remove_all(tmp, ec);
    fs::create_directories(tmp, ec);
    if (ec)
        return fail("cannot create a folder: " + ec.message(), tmp.string());
    auto outputs = copy_images(build_dir, tmp);
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    if (outputs)
        for (const auto& o : *outputs)
            files.push_back({{"name", o.name}, {"sha256", o.sha256}, {"size", o.size}});
    std::string text = (nlohmann::ordered_json{{"inputs", inputs}, {"outputs", files}}).dump(2) + "\n";
    Result<void> done = outputs ? write_file_atomic(tmp / k_firmware_manifest, as_bytes(text))
                                : Result<void>(std::unexpected(outputs.error()));
    if (done)
        done = swap_into_place(tmp, dest);
    if (!done) {
        fs::remove_all(tmp, ec);
        return std::unexpected(done.error());
    }
    return outputs;
}

} // namespace mpyship::firmware
