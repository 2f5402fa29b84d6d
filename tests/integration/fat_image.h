// A real FAT12/FAT16 file system for deploy tests and benchmarks: an image made with mkfs.fat, mounted
// read-write through FUSE (fusefat) and checked after unmounting with fsck.fat -n and mtools. The object
// unmounts in its destructor, so a failing test never leaves a mount behind. Needs root and /dev/fuse.
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace mpyship::test {

class FatImage {
  public:
    // Empty reason: the tools, /dev/fuse and root are all here.
    static std::string unavailable_reason();

    // Creates `dir`/fat.img (fat_bits 12 or 16, size in KiB) and the mount point `dir`/mnt.
    FatImage(const std::filesystem::path& dir, int fat_bits, int kib);
    ~FatImage();
    FatImage(const FatImage&) = delete;
    FatImage& operator=(const FatImage&) = delete;

    bool mount(bool writable = true); // false (with error()) when fusefat fails
    bool unmount();                   // idempotent
    const std::filesystem::path& image() const { return m_image; }
    const std::filesystem::path& mount_point() const { return m_mnt; }
    const std::string& error() const { return m_error; }

    // fsck.fat -n on the unmounted image: empty when clean, else its output.
    std::string fsck_problems() const;
    // Every file on the image read with mcopy (path -> bytes), directories implied.
    std::map<std::string, std::string> files() const;
    // `mdir -/ -b` listing of the image and `mtype` of one file.
    std::string list() const;
    std::string type(const std::string& path) const;

    void copy_image_to(const std::filesystem::path& to) const;
    void copy_image_from(const std::filesystem::path& from);

  private:
    std::filesystem::path m_dir, m_image, m_mnt;
    bool m_mounted = false;
    int m_pid = -1; // the foreground fusefat serving the mount
    std::string m_error;
};

} // namespace mpyship::test
