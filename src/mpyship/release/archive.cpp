#include "mpyship/release/archive.h"

#include "mpyship/project/manifest.h"
#include "mpyship/release/libarchive_api.h"
#include "mpyship/util/file_io.h"

#include <algorithm>
#include <cassert>
#include <clocale>
#include <cstdlib>
#include <ctime>
#include <set>

namespace mpyship::release {
namespace {

// The libarchive functions, once write_archive or read_archive has loaded them (see libarchive_api.h).
const LibArchive& la() {
    auto api = load_libarchive();
    assert(api);
    return **api;
}

// libarchive's message for its last error, or `fallback`: it has none for some damaged input (a truncated
// gzip member), and a null char* must never reach a std::string.
constexpr const char* k_not_an_archive = "not a tar.gz or zip archive, or a damaged one";

std::string libarchive_error(struct archive* a, const std::string& fallback) {
    const char* text = la().archive_error_string(a);
    return text != nullptr ? text : fallback;
}

// libarchive converts names through the current locale; in the C locale a non-ASCII name cannot be
// converted ("Can't translate pathname", or worse). For the calling thread only, while it lives, the
// character set is UTF-8, whatever the user's locale says: archives always carry UTF-8 names.
class Utf8Names {
public:
    Utf8Names() : m_utf8(::newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t(0))) {
        if (m_utf8)
            m_old = ::uselocale(m_utf8);
    }
    ~Utf8Names() {
        if (m_utf8) {
            ::uselocale(m_old);
            ::freelocale(m_utf8);
        }
    }
    Utf8Names(const Utf8Names&) = delete;
    Utf8Names& operator=(const Utf8Names&) = delete;

private:
    locale_t m_utf8;
    locale_t m_old = locale_t(0);
};

constexpr int k_file_mode = 0100644;
constexpr int k_dir_mode = 040755;

// The zip format stores DOS times in local time; pin the zone so archives do not depend on it.
class UtcZone {
  public:
    UtcZone() {
        const char* tz = std::getenv("TZ");
        if (tz)
            m_saved = tz;
        m_had = tz != nullptr;
        setenv("TZ", "UTC", 1);
        tzset();
    }
    ~UtcZone() {
        if (m_had)
            setenv("TZ", m_saved.c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }

  private:
    std::string m_saved;
    bool m_had = false;
};

struct Buffer {
    std::vector<std::uint8_t> bytes;
};

la_ssize_t append_to_buffer(struct archive*, void* client, const void* data, size_t n) {
    auto* buf = static_cast<Buffer*>(client);
    auto* p = static_cast<const std::uint8_t*>(data);
    buf->bytes.insert(buf->bytes.end(), p, p + n);
    return la_ssize_t(n);
}

std::vector<std::string> parent_dirs(const std::vector<ArchiveEntry>& entries) {
    std::set<std::string> dirs;
    for (const auto& e : entries)
        for (auto slash = e.name.find('/'); slash != std::string::npos; slash = e.name.find('/', slash + 1))
            dirs.insert(e.name.substr(0, slash + 1));
    return {dirs.begin(), dirs.end()};
}

bool configure_writer(struct archive* a, ArchiveFormat format) {
    if (format == ArchiveFormat::tar_gz)
        return la().archive_write_set_format_pax_restricted(a) == ARCHIVE_OK &&
               la().archive_write_add_filter_gzip(a) == ARCHIVE_OK &&
               la().archive_write_set_filter_option(a, "gzip", "timestamp", nullptr) == ARCHIVE_OK;
    return la().archive_write_set_format_zip(a) == ARCHIVE_OK &&
           la().archive_write_set_format_option(a, "zip", "compression", "deflate") == ARCHIVE_OK &&
           la().archive_write_set_format_option(a, "zip", "hdrcharset", "UTF-8") == ARCHIVE_OK;
}

bool write_entry(struct archive* a, const std::string& name, const std::vector<std::uint8_t>* data,
                 std::int64_t mtime) {
    struct archive_entry* e = la().archive_entry_new();
    la().archive_entry_set_pathname_utf8(e, name.c_str());
    la().archive_entry_set_mode(e, data ? k_file_mode : k_dir_mode);
    la().archive_entry_set_size(e, data ? la_int64_t(data->size()) : 0);
    la().archive_entry_set_mtime(e, mtime, 0);
    la().archive_entry_set_uid(e, 0);
    la().archive_entry_set_gid(e, 0);
    la().archive_entry_set_uname(e, "");
    la().archive_entry_set_gname(e, "");
    bool ok = la().archive_write_header(a, e) == ARCHIVE_OK;
    if (ok && data && !data->empty())
        ok = la().archive_write_data(a, data->data(), data->size()) == la_ssize_t(data->size());
    la().archive_entry_free(e);
    return ok;
}

} // namespace

Result<void> write_archive(const std::filesystem::path& path, ArchiveFormat format,
                           std::vector<ArchiveEntry> entries, std::int64_t mtime) {
    if (auto api = load_libarchive(); !api)
        return fail(api.error().message, path.string());
    Utf8Names utf8;
    std::sort(entries.begin(), entries.end(), [](const auto& x, const auto& y) { return x.name < y.name; });
    UtcZone utc;
    Buffer buffer;
    struct archive* a = la().archive_write_new();
    bool ok = configure_writer(a, format) && la().archive_write_set_bytes_in_last_block(a, 1) == ARCHIVE_OK &&
              la().archive_write_open2(a, &buffer, nullptr, append_to_buffer, nullptr, nullptr) == ARCHIVE_OK;
    std::string error = ok ? "" : libarchive_error(a, "cannot start archive");
    // Directories and files in one sorted sequence.
    std::vector<std::pair<std::string, const std::vector<std::uint8_t>*>> items;
    for (auto& d : parent_dirs(entries))
        items.emplace_back(d, nullptr);
    for (const auto& e : entries)
        items.emplace_back(e.name, &e.data);
    std::sort(items.begin(), items.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    for (std::size_t i = 0; ok && i < items.size(); ++i) {
        ok = write_entry(a, items[i].first, items[i].second, mtime);
        if (!ok)
            error = libarchive_error(a, "cannot add " + items[i].first);
    }
    if (ok && la().archive_write_close(a) != ARCHIVE_OK) {
        ok = false;
        error = libarchive_error(a, "cannot finish archive");
    }
    la().archive_write_free(a);
    if (!ok)
        return fail("cannot write archive: " + error, path.string());
    return write_file_atomic(path, buffer.bytes);
}

namespace {

// libarchive's words for damaged compressed data ("ZIP decompression failed (-5)") say nothing to a user.
std::string damage_text(struct archive* a) {
    return "its compressed data is damaged or truncated (" + libarchive_error(a, "unreadable data") + ")";
}

class LibarchiveData final : public MemberData {
public:
    LibarchiveData(struct archive* a, const std::string& name) : m_archive(a), m_name(name) {}
    Result<std::size_t> read(std::span<std::uint8_t> buffer) override {
        la_ssize_t n = la().archive_read_data(m_archive, buffer.data(), buffer.size());
        if (n < 0)
            return fail("corrupt archive member '" + m_name + "': " + damage_text(m_archive));
        return std::size_t(n);
    }

private:
    struct archive* m_archive;
    const std::string& m_name;
};

// The member's name as UTF-8, with a leading "./" (what `tar -C dir .` writes) dropped.
std::string member_name(struct archive_entry* e) {
    const char* utf8 = la().archive_entry_pathname_utf8(e);
    const char* raw = utf8 ? utf8 : la().archive_entry_pathname(e);
    std::string name = raw ? raw : "";
    while (name.starts_with("./"))
        name.erase(0, 2);
    return name;
}

Result<void> check_member(struct archive_entry* e, const ArchiveMember& m, std::set<std::string>& seen) {
    auto type = la().archive_entry_filetype(e);
    std::string check = m.is_directory && m.name.ends_with('/') ? m.name.substr(0, m.name.size() - 1) : m.name;
    if (!project::is_safe_relative_path(check))
        return fail("archive member '" + m.name + "' has an unsafe path");
    if (!m.is_directory && type != AE_IFREG)
        return fail("archive member '" + m.name + "' is not a regular file (links are not allowed)");
    if (la().archive_entry_hardlink(e))
        return fail("archive member '" + m.name + "' is a hard link");
    if (!seen.insert(check).second)
        return fail("archive member '" + m.name + "' appears more than once");
    return {};
}

} // namespace

Result<void> read_archive(const std::filesystem::path& path, const MemberVisitor& visit) {
    if (auto api = load_libarchive(); !api)
        return fail(api.error().message, path.string());
    Utf8Names utf8;
    struct archive* a = la().archive_read_new();
    la().archive_read_support_filter_gzip(a);
    la().archive_read_support_format_tar(a);
    la().archive_read_support_format_zip(a);
    auto finish = [&](Result<void> r) {
        la().archive_read_free(a);
        if (!r && r.error().path.empty())
            r.error().path = path.string();
        return r;
    };
    if (la().archive_read_open_filename(a, path.c_str(), 65536) != ARCHIVE_OK)
        return finish(fail("cannot open archive: " + libarchive_error(a, k_not_an_archive)));
    std::set<std::string> seen;
    for (struct archive_entry* e = nullptr;;) {
        int r = la().archive_read_next_header(a, &e);
        if (r == ARCHIVE_EOF)
            return finish({});
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
            return finish(fail("corrupt archive: " + libarchive_error(a, k_not_an_archive)));
        ArchiveMember m{member_name(e), la().archive_entry_filetype(e) == AE_IFDIR};
        if (m.is_directory && (m.name.empty() || m.name == "."))
            continue; // the "./" entry of `tar -C dir .`
        if (auto ok = check_member(e, m, seen); !ok)
            return finish(ok);
        LibarchiveData data(a, m.name);
        if (auto ok = visit(m, data); !ok)
            return finish(ok);
    }
}

Result<std::vector<std::uint8_t>> read_member(const ArchiveMember& member, MemberData& data, std::size_t limit) {
    std::vector<std::uint8_t> out;
    std::uint8_t buf[65536];
    for (;;) {
        auto n = data.read(buf);
        if (!n)
            return std::unexpected(n.error());
        if (*n == 0)
            return out;
        if (out.size() + *n > limit)
            return fail("archive member '" + member.name + "' is larger than " + std::to_string(limit) + " bytes");
        out.insert(out.end(), buf, buf + *n);
    }
}

} // namespace mpyship::release
