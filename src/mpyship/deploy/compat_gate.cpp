#include "mpyship/deploy/compat_gate.h"

#include "mpyship/mpy/format.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace mpyship::deploy {
namespace {

namespace fs = std::filesystem;

using Header = std::array<std::uint8_t, mpy::k_header_size>;

Result<Header> read_header(const fs::path& path) {
    Header magic{};
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return fail("cannot open (run mpyship build again?): " + std::string(std::strerror(e)), path.string(),
                    e);
    }
    ssize_t n = ::read(fd, magic.data(), magic.size());
    ::close(fd);
    if (n != ssize_t(magic.size()))
        return fail("too short to be a .mpy file", path.string());
    return magic;
}

// Small-int bits and native code: what a device checks beyond the magic and the version.
void note_features(BuildFormat& format, const Header& header) {
    format.small_int_bits = std::max<int>(format.small_int_bits, header[3]);
    int arch = (header[2] >> mpy::k_feature_arch_shift) & mpy::k_feature_arch_mask;
    if (arch != 0 && format.native_arch == 0) {
        format.native_arch = arch;
        format.native_sub_version = header[2] & mpy::k_feature_sub_version_mask;
    }
}

Runtime runtime_of_magic(std::uint8_t magic) {
    if (magic == mpy::k_magic_circuitpython)
        return Runtime::circuitpython;
    if (magic == mpy::k_magic_micropython)
        return Runtime::micropython;
    return Runtime::unknown;
}

Runtime runtime_of_target(const std::string& target) {
    if (target == "circuitpython")
        return Runtime::circuitpython;
    return target == "micropython" ? Runtime::micropython : Runtime::unknown;
}

std::string build_text(const BuildFormat& f) {
    std::string text = std::string(runtime_name(f.runtime));
    return f.mpy_version ? text + " .mpy v" + std::to_string(f.mpy_version) : text;
}

std::string drive_text(const DriveInfo& d) {
    std::string text = std::string(runtime_name(d.boot.runtime));
    return d.boot.version.empty() ? text : text + " " + d.boot.version;
}

std::optional<std::string> version_problem(const DriveInfo& drive, const BuildFormat& format) {
    if (drive.boot.runtime != Runtime::circuitpython || format.mpy_version == 0)
        return std::nullopt;
    int wanted = circuitpython_mpy_version(drive.boot.major);
    if (wanted == format.mpy_version)
        return std::nullopt;
    std::string why = wanted == 0 ? "mpyship does not know which .mpy version CircuitPython " +
                                        std::to_string(drive.boot.major) + ".x loads"
                                  : "it loads .mpy v" + std::to_string(wanted);
    return "the drive runs " + drive_text(drive) + " and " + why + "; the build has " + build_text(format) +
           " files (--force deploys anyway)";
}

} // namespace

Result<BuildFormat> read_build_format(const fs::path& mpy_dir, const project::Manifest& manifest) {
    BuildFormat format;
    format.runtime = runtime_of_target(manifest.target);
    std::optional<Header> first;
    for (const auto& f : manifest.files) {
        if (!f.path.ends_with(".mpy"))
            continue;
        auto header = read_header(mpy_dir / f.path);
        if (!header)
            return std::unexpected(header.error());
        if (first && ((*first)[0] != (*header)[0] || (*first)[1] != (*header)[1]))
            return fail("the build mixes .mpy headers (run mpyship build again)",
                        (mpy_dir / f.path).string());
        first = *header;
        note_features(format, *header);
        ++format.mpy_files;
    }
    if (first) {
        format.runtime = runtime_of_magic((*first)[0]);
        format.mpy_version = (*first)[1];
    }
    return format;
}

int circuitpython_mpy_version(int major) {
    if (major == 7 || major == 8)
        return 5;
    if (major == 9 || major == 10)
        return 6;
    return 0;
}

std::optional<std::string> compatibility_problem(const DriveInfo& drive, const BuildFormat& format) {
    if (drive.has_boot_out && !drive.boot.unreadable.empty())
        return "cannot read the drive's boot_out.txt (" + drive.boot.unreadable +
               "), so which runtime the board runs is unknown (--force deploys anyway)";
    if (drive.has_boot_out && drive.boot.runtime == Runtime::unknown)
        return "the drive's boot_out.txt does not name CircuitPython or MicroPython, so which runtime the board "
               "runs is unknown (--force deploys anyway)";
    Runtime on_drive = drive.has_boot_out             ? drive.boot.runtime
                       : drive.has_micropython_marker ? Runtime::micropython
                                                      : Runtime::unknown;
    if (on_drive == Runtime::unknown || format.runtime == Runtime::unknown)
        return std::nullopt;
    if (on_drive != format.runtime)
        return "the drive runs " +
               (drive.has_boot_out ? drive_text(drive) : std::string(runtime_name(on_drive))) +
               " but the build is for " + build_text(format) + " files (--force deploys anyway)";
    return version_problem(drive, format);
}

} // namespace mpyship::deploy
