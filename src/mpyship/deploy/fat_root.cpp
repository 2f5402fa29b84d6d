#include "mpyship/deploy/fat_root.h"

#include "mpyship/deploy/deploy_record.h"
#include "mpyship/deploy/drive_names.h"
#include "mpyship/deploy/safe_write.h"
#include "mpyship/util/mount_points.h"

#include <fcntl.h>
#include <set>
#include <sys/statvfs.h>
#include <unistd.h>

namespace mpyship::deploy {
namespace {

constexpr std::uint32_t k_usual_root_entries = 512;
constexpr std::uint64_t k_fat16_size_limit = 32ull << 20;

std::uint32_t le16(std::span<const std::uint8_t> b, std::size_t at) { return b[at] | (std::uint32_t(b[at + 1]) << 8); }

// "vfat", "msdos", and FUSE drivers such as "fuse.fusefat".
bool is_fat_type(std::string_view type) { return type == "msdos" || type.find("fat") != std::string_view::npos; }

std::optional<std::uint32_t> read_boot_sector_entries(const std::string& source) {
    int fd = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    std::uint8_t sector[512];
    bool ok = ::pread(fd, sector, sizeof sector, 0) == ssize_t(sizeof sector);
    ::close(fd);
    return ok ? fat_root_entries_from_boot_sector(sector) : std::nullopt;
}

bool short_name_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || std::string_view("$%'-_@~`!(){}^#&").find(c) !=
                                                                      std::string_view::npos;
}

// UTF-16 code units of a UTF-8 name (4-byte sequences are surrogate pairs).
std::size_t utf16_units(std::string_view name) {
    std::size_t units = 0;
    for (unsigned char c : name)
        if ((c & 0xc0) != 0x80)
            units += c >= 0xf0 ? 2 : 1;
    return units;
}

std::string first_component(std::string_view path) { return std::string(path.substr(0, path.find('/'))); }

} // namespace

std::optional<std::uint32_t> fat_root_entries_from_boot_sector(std::span<const std::uint8_t> sector) {
    if (sector.size() < 512 || sector[510] != 0x55 || sector[511] != 0xaa)
        return std::nullopt;
    std::uint32_t bytes_per_sector = le16(sector, 11);
    if (bytes_per_sector < 512 || bytes_per_sector > 4096 || sector[13] == 0)
        return std::nullopt;
    std::uint32_t root_entries = le16(sector, 17);
    return root_entries == 0 ? std::nullopt : std::optional(root_entries); // 0: FAT32
}

std::optional<std::uint32_t> fat_root_capacity(const std::filesystem::path& root) {
    auto mounts = read_mounts();
    if (!mounts)
        return std::nullopt;
    const MountEntry* m = mount_at(*mounts, root);
    if (!m || !is_fat_type(m->type))
        return std::nullopt;
    if (auto entries = read_boot_sector_entries(m->source))
        return entries;
    struct statvfs vfs {};
    if (::statvfs(root.c_str(), &vfs) != 0)
        return std::nullopt;
    std::uint64_t size = std::uint64_t(vfs.f_blocks) * (vfs.f_frsize ? vfs.f_frsize : vfs.f_bsize);
    return size <= k_fat16_size_limit ? std::optional(k_usual_root_entries) : std::nullopt;
}

std::uint32_t fat_entry_slots(std::string_view name) {
    auto dot = name.rfind('.');
    std::string_view base = dot == name.npos ? name : name.substr(0, dot);
    std::string_view ext = dot == name.npos ? std::string_view() : name.substr(dot + 1);
    bool short_ok = !base.empty() && base.size() <= 8 && ext.size() <= 3 && (dot == name.npos || !ext.empty());
    for (char c : base)
        short_ok = short_ok && short_name_char(c);
    for (char c : ext)
        short_ok = short_ok && short_name_char(c);
    if (short_ok)
        return 1;
    return 1 + std::uint32_t((utf16_units(name) + 12) / 13);
}

RootEntries count_root_entries(const DeployPlan& plan, const DeviceTree& device, std::uint32_t capacity) {
    RootEntries r{capacity, 1, 0}; // the volume label
    std::set<std::string> root_names;
    auto add_existing = [&](const std::string& path) {
        if (path.find('/') == std::string::npos && root_names.insert(fat_fold(path)).second)
            r.in_use += fat_entry_slots(path);
    };
    for (const auto& [key, f] : device.files)
        add_existing(f.path);
    for (const auto& [key, d] : device.dirs)
        add_existing(d);
    for (const auto& [key, l] : device.links)
        add_existing(l);
    std::int64_t now = r.in_use;
    for (const auto* list : {&plan.leftovers, &plan.early_removals})
        for (const auto& removal : *list)
            if (removal.path.find('/') == std::string::npos)
                now -= fat_entry_slots(removal.path);
    auto add_new = [&](const std::string& name) {
        if (root_names.insert(fat_fold(name)).second)
            now += fat_entry_slots(name);
    };
    for (const auto& dir : plan.mkdirs)
        add_new(first_component(dir));
    for (const auto& w : plan.writes)
        add_new(first_component(w.path));
    add_new(first_component(k_record_path));
    // One temporary file ("~mps12345.tmp") exists at a time, in the folder being written.
    now += fat_entry_slots(std::string(k_temp_prefix) + "12345" + std::string(k_temp_suffix));
    r.peak = std::uint32_t(std::max<std::int64_t>(now, 0));
    return r;
}

} // namespace mpyship::deploy
