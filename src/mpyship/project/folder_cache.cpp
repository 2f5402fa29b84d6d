#include "mpyship/project/folder_cache.h"

#include "mpyship/util/file_io.h"

#include <charconv>
#include <ctime>
#include <sys/stat.h>

namespace mpyship::project {
namespace {

namespace fs = std::filesystem;

// The file: this line, then for each folder a line "dev ino mtime_ns ctime_ns count\tpath" and `count`
// lines of one type letter and a name.
constexpr std::string_view k_magic = "mpyship-folders 1";

constexpr char type_letter(EntryType t) {
    switch (t) {
    case EntryType::file:
        return 'f';
    case EntryType::directory:
        return 'd';
    case EntryType::symlink:
        return 'l';
    case EntryType::other:
        break;
    }
    return 'o';
}

bool letter_type(char c, EntryType& out) {
    switch (c) {
    case 'f':
        out = EntryType::file;
        return true;
    case 'd':
        out = EntryType::directory;
        return true;
    case 'l':
        out = EntryType::symlink;
        return true;
    case 'o':
        out = EntryType::other;
        return true;
    default:
        return false;
    }
}

std::int64_t ns(const struct timespec& t) { return std::int64_t(t.tv_sec) * 1'000'000'000 + t.tv_nsec; }

// Reads lines from a text one at a time; false at the end or at a line without its newline.
struct LineReader {
    std::string_view text;
    std::size_t at = 0;
    bool next(std::string_view& line) {
        std::size_t nl = text.find('\n', at);
        if (nl == text.npos)
            return false;
        line = text.substr(at, nl - at);
        at = nl + 1;
        return true;
    }
};

// Parses the space-separated numbers before the tab of a folder line; the rest is the path.
bool parse_header(std::string_view line, std::uint64_t (&nums)[5], std::string_view& path) {
    const char* p = line.data();
    const char* end = line.data() + line.size();
    for (int i = 0; i < 5; ++i) {
        auto [next, ec] = std::from_chars(p, end, nums[i]);
        if (ec != std::errc() || next == end || *next != (i == 4 ? '\t' : ' '))
            return false;
        p = next + 1;
    }
    path = std::string_view(p, std::size_t(end - p));
    return !path.empty();
}

} // namespace

std::int64_t FolderCache::wall_clock_ns() {
    struct timespec t {};
    ::clock_gettime(CLOCK_REALTIME, &t);
    return ns(t);
}

FolderCache FolderCache::load(const fs::path& file, std::int64_t now_ns) {
    FolderCache cache(file, now_ns);
    auto bytes = read_file(file);
    if (bytes && !cache.parse(as_text(*bytes)))
        cache.m_folders.clear(); // damaged: every folder is read again
    return cache;
}

bool FolderCache::parse(std::string_view text) {
    LineReader lines{text};
    std::string_view line;
    if (!lines.next(line) || line != k_magic)
        return false;
    while (lines.next(line)) {
        std::uint64_t n[5];
        std::string_view path;
        if (!parse_header(line, n, path))
            return false;
        // Times are written as unsigned (a time before 1970 is negative) and read back the same way.
        Folder f{n[0], n[1], std::int64_t(n[2]), std::int64_t(n[3]), true, false, {}};
        f.entries.reserve(n[4]);
        for (std::uint64_t i = 0; i < n[4]; ++i) {
            DirEntry e;
            if (!lines.next(line) || line.size() < 2 || !letter_type(line[0], e.type))
                return false;
            e.name = line.substr(1);
            f.entries.push_back(std::move(e));
        }
        m_folders.insert_or_assign(std::string(path), std::move(f));
    }
    return lines.at == text.size();
}

Result<const std::vector<DirEntry>*> FolderCache::list(const std::string& dir) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) { // list_directory says why
        auto entries = list_directory(dir);
        if (!entries)
            return std::unexpected(entries.error());
        return fail("cannot read folder", dir);
    }
    const std::string& key = dir;
    auto it = m_folders.find(key);
    if (it != m_folders.end() && it->second.dev == st.st_dev && it->second.ino == st.st_ino &&
        it->second.mtime_ns == ns(st.st_mtim) && it->second.ctime_ns == ns(st.st_ctim)) {
        it->second.used = true;
        return &it->second.entries;
    }
    auto entries = list_directory(dir);
    if (!entries)
        return std::unexpected(entries.error());
    ++m_read;
    bool settled = ns(st.st_mtim) + k_settle_ns < m_now_ns && ns(st.st_ctim) + k_settle_ns < m_now_ns &&
                   storable(key);
    for (const auto& e : *entries)
        settled = settled && storable(e.name);
    m_changed = m_changed || settled || it != m_folders.end();
    Folder f{std::uint64_t(st.st_dev), std::uint64_t(st.st_ino), ns(st.st_mtim), ns(st.st_ctim), settled, true,
             std::move(*entries)};
    auto [at, inserted] = m_folders.insert_or_assign(key, std::move(f));
    return &at->second.entries;
}

bool FolderCache::storable(const std::string& text) { return text.find('\n') == std::string::npos; }

Result<void> FolderCache::save() const {
    bool dropped = false;
    for (const auto& [path, f] : m_folders)
        dropped = dropped || (f.settled && !f.used);
    if (!m_changed && !dropped)
        return {};
    std::string text(k_magic);
    text += '\n';
    for (const auto& [path, f] : m_folders) {
        if (!f.settled || !f.used)
            continue;
        text += std::to_string(f.dev) + ' ' + std::to_string(f.ino) + ' ' + std::to_string(std::uint64_t(f.mtime_ns)) +
                ' ' + std::to_string(std::uint64_t(f.ctime_ns)) + ' ' + std::to_string(f.entries.size()) + '\t' +
                path + '\n';
        for (const auto& e : f.entries) {
            text += type_letter(e.type);
            text += e.name;
            text += '\n';
        }
    }
    std::error_code ec;
    fs::create_directories(m_file.parent_path(), ec);
    return write_file_replace(m_file, text);
}

} // namespace mpyship::project
