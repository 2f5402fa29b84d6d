#include "mpyship/flash/uf2_drive.h"

#include "mpyship/util/file_io.h"
#include "mpyship/util/mount_points.h"
#include "mpyship/util/text_lines.h"

#include <cctype>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace mpyship::flash {

using namespace firmware;

namespace fs = std::filesystem;

namespace {

// Upper case without '-', '_' and spaces, so "ESP32-S3" and "esp32s3" compare equal.
std::string squeeze(std::string_view s) {
    std::string out;
    for (char c : s)
        if (std::isalnum(static_cast<unsigned char>(c)))
            out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

std::optional<fs::path> info_file(const fs::path& root) {
    std::error_code ec;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec))
        if (squeeze(it->path().filename().string()) == "INFOUF2TXT" && it->is_regular_file(ec))
            return it->path();
    return std::nullopt;
}

struct Hint {
    std::string_view marker; // in the squeezed Board-ID + Model
    std::vector<std::string_view> families;
};

// Most specific first: "RP2350" before the RP2040 bootloader's "RPIRP2", "ESP32S3" before "ESP32".
const std::vector<Hint>& hints() {
    static const std::vector<Hint> table = {
        {"RP2350", {"RP2350-ARM-S", "RP2350-RISCV", "RP2350-ARM-NS"}},
        {"RPIRP2", {"RP2040"}},
        {"RP2040", {"RP2040"}},
        {"SAMD21", {"SAMD21"}},
        {"SAMD51", {"SAMD51"}},
        {"NRF52840", {"NRF52840"}},
        {"NRF52833", {"NRF52833"}},
        {"ESP32S2", {"ESP32S2"}},
        {"ESP32S3", {"ESP32S3"}},
        {"ESP32C3", {"ESP32C3"}},
        {"MIMXRT10", {"MIMXRT10XX"}},
        {"STM32F4", {"STM32F4"}},
        {"STM32F7", {"STM32F7"}},
        {"STM32H7", {"STM32H7"}},
        {"STM32L4", {"STM32L4"}},
    };
    return table;
}

} // namespace

Uf2DriveInfo parse_info_uf2(std::string_view text) {
    Uf2DriveInfo info;
    bool first = true;
    for (std::string_view raw : split_lines(text)) {
        std::string_view line = trim(raw);
        if (line.empty())
            continue;
        if (first)
            info.bootloader = line;
        first = false;
        if (line.starts_with("Model:"))
            info.model = trim(line.substr(6));
        else if (line.starts_with("Board-ID:"))
            info.board_id = trim(line.substr(9));
    }
    return info;
}

Result<Uf2DriveInfo> probe_uf2_drive(const fs::path& root) {
    std::error_code ec;
    if (!fs::is_directory(root, ec))
        return fail("not a folder (is the board's bootloader drive mounted?)", root.string());
    auto info = info_file(root);
    if (!info)
        return fail(std::string("no ") + k_info_uf2 +
                        ": not a UF2 bootloader drive (double-tap reset, or hold "
                        "BOOTSEL while plugging in, to enter the bootloader)",
                    root.string());
    auto bytes = read_file(*info);
    if (!bytes)
        return std::unexpected(bytes.error());
    auto parsed = parse_info_uf2(as_text(*bytes));
    parsed.root = root;
    return parsed;
}

Result<Uf2DriveInfo> find_uf2_drive(const fs::path& mounts_file) {
    auto points = read_mount_points(mounts_file);
    if (!points)
        return std::unexpected(points.error());
    std::vector<Uf2DriveInfo> found;
    for (const auto& mp : *points)
        if (auto d = probe_uf2_drive(mp))
            found.push_back(*d);
    if (found.empty())
        return fail(
            std::string("no mounted drive holds ") + k_info_uf2 +
            ": put the board in its bootloader (double-tap reset, or hold BOOTSEL while plugging in), "
            "wait for the drive to be mounted, or pass --to PATH");
    if (found.size() > 1) {
        std::string list;
        for (const auto& d : found)
            list += "\n  " + d.root.string() + " (" + d.board_id + ")";
        return fail("several UF2 bootloader drives are mounted; pass --to PATH to choose one:" + list);
    }
    return found.front();
}

std::vector<std::uint32_t> drive_families(const Uf2DriveInfo& drive) {
    std::string text = squeeze(drive.board_id) + " " + squeeze(drive.model);
    for (const auto& h : hints())
        if (text.find(h.marker) != std::string::npos) {
            std::vector<std::uint32_t> ids;
            for (auto name : h.families)
                ids.push_back(*parse_uf2_family(name));
            return ids;
        }
    return {};
}

Result<void> write_uf2_to_drive(const fs::path& root, const std::string& name,
                                std::span<const std::uint8_t> bytes) {
    fs::path path = root / name;
    auto gone = [&](const char* what) {
        int err = errno;
        if (!info_file(root))
            return fail(std::string("the drive went away while ") + what +
                            ": the board reset before the whole image was written; check that it runs, else "
                            "enter the bootloader again and repeat",
                        path.string(), err);
        return fail(std::string("cannot write the image (") + what + ")", path.string(), err);
    };
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return gone("opening the file");
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            auto e = gone("writing");
            ::close(fd);
            return e;
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        auto e = gone("flushing");
        ::close(fd);
        return e;
    }
    ::close(fd);
    return {};
}

bool wait_for_drive_to_go(const fs::path& root, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (info_file(root)) {
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return true;
}

} // namespace mpyship::flash
