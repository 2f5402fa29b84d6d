#include "fat_image.h"

#include "mpyship/util/process.h"

#include <chrono>
#include <fcntl.h>
#include <fstream>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace mpyship::test {
namespace {

namespace fs = std::filesystem;

ProcessResult run(const std::vector<std::string>& argv) {
    auto r = run_process(argv);
    if (!r)
        return ProcessResult{127, "", r.error().to_string()};
    return *r;
}

bool on_path(const std::string& tool) {
    return run({"sh", "-c", "command -v " + tool}).exit_code == 0;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

std::string FatImage::unavailable_reason() {
    if (::geteuid() != 0)
        return "needs root for FUSE mounts";
    if (!fs::exists("/dev/fuse"))
        return "no /dev/fuse";
    for (const char* tool : {"mkfs.fat", "fsck.fat", "fusefat", "fusermount", "mcopy", "mdir", "mtype"})
        if (!on_path(tool))
            return std::string(tool) + " not installed (apt-get install fusefat mtools dosfstools)";
    ::setenv("MTOOLS_SKIP_CHECK", "1", 1); // mtools rejects fusefat-written images without it
    return {};
}

FatImage::FatImage(const fs::path& dir, int fat_bits, int kib)
    : m_dir(dir), m_image(dir / "fat.img"), m_mnt(dir / "mnt") {
    fs::create_directories(m_mnt);
    fs::remove(m_image);
    auto r = run({"mkfs.fat", "-C", "-F", std::to_string(fat_bits), m_image.string(), std::to_string(kib)});
    if (r.exit_code != 0)
        throw std::runtime_error("mkfs.fat failed: " + r.err);
}

FatImage::~FatImage() {
    unmount();
}

bool is_mount_point(const fs::path& dir) {
    struct stat here {
    }, parent{};
    return ::stat(dir.c_str(), &here) == 0 && ::stat(dir.parent_path().c_str(), &parent) == 0 &&
           here.st_dev != parent.st_dev;
}

// fusefat runs in the foreground (-f) and single-threaded (-s) as our child, so unmount can wait until it
// has written its FAT cache to the image and exited; output goes to a log file.
bool FatImage::mount(bool writable) {
    if (m_mounted)
        return true;
    std::string log = (m_dir / "fusefat.log").string();
    std::vector<std::string> args{"fusefat",        "-f",          "-s", "-o", writable ? "rw+" : "ro",
                                  m_image.string(), m_mnt.string()};
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    int rc = ::posix_spawnp(&m_pid, "fusefat", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        m_error = "cannot start fusefat";
        return false;
    }
    for (int i = 0; i < 500 && !m_mounted; ++i) {
        m_mounted = is_mount_point(m_mnt);
        if (!m_mounted && ::waitpid(m_pid, nullptr, WNOHANG) == m_pid) {
            m_error = "fusefat failed: " + slurp(log);
            return false;
        }
        if (!m_mounted)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return m_mounted;
}

bool FatImage::unmount() {
    if (!m_mounted)
        return true;
    bool detached = false;
    for (int attempt = 0; attempt < 50 && !detached; ++attempt) {
        detached = run({"fusermount", "-u", m_mnt.string()}).exit_code == 0;
        if (!detached)
            std::this_thread::sleep_for(
                std::chrono::milliseconds(100)); // busy: a killed child's files closing
    }
    if (!detached)
        run({"fusermount", "-u", "-z", m_mnt.string()});
    ::waitpid(m_pid, nullptr, 0); // fusefat flushes the image before it exits
    m_mounted = false;
    return detached;
}

std::string FatImage::fsck_problems() const {
    auto r = run({"fsck.fat", "-n", m_image.string()});
    return r.exit_code == 0 ? "" : "fsck.fat exit " + std::to_string(r.exit_code) + ":\n" + r.out + r.err;
}

std::map<std::string, std::string> FatImage::files() const {
    fs::path out = m_dir / "mcopy-out";
    fs::remove_all(out);
    fs::create_directories(out);
    auto r = run({"mcopy", "-s", "-n", "-i", m_image.string(), "::/", out.string() + "/"});
    if (r.exit_code != 0)
        throw std::runtime_error("mcopy failed: " + r.err);
    std::map<std::string, std::string> files;
    for (auto& e : fs::recursive_directory_iterator(out))
        if (e.is_regular_file())
            files[e.path().lexically_relative(out).generic_string()] = slurp(e.path());
    fs::remove_all(out);
    return files;
}

std::string FatImage::list() const {
    return run({"mdir", "-/", "-b", "-i", m_image.string(), "::/"}).out;
}

std::string FatImage::type(const std::string& path) const {
    return run({"mtype", "-i", m_image.string(), "::" + path}).out;
}

void FatImage::copy_image_to(const fs::path& to) const {
    fs::copy_file(m_image, to, fs::copy_options::overwrite_existing);
}

void FatImage::copy_image_from(const fs::path& from) {
    fs::copy_file(from, m_image, fs::copy_options::overwrite_existing);
}

} // namespace mpyship::test
