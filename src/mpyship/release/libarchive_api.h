// libarchive, reached through a table of its functions that is filled when an archive is first written or
// read. Only `package`, `verify` and OTA publishing use archives, but a linked libarchive made every mpyship
// start (a no-op `build` included) load ten more shared libraries: libxml2, ICU (30 MB), nettle, the
// compressors. A dynamic build therefore dlopen()s it; a static build (MPYSHIP_LIBARCHIVE_LINKED) links it
// and fills the table with its functions.
#pragma once

#include "mpyship/util/error.h"

#include <archive.h>
#include <archive_entry.h>

namespace mpyship::release {

#define MPYSHIP_LIBARCHIVE_FUNCTIONS(X)                                                                          \
    X(archive_entry_filetype)                                                                                   \
    X(archive_entry_free)                                                                                       \
    X(archive_entry_hardlink)                                                                                   \
    X(archive_entry_new)                                                                                        \
    X(archive_entry_pathname)                                                                                   \
    X(archive_entry_pathname_utf8)                                                                              \
    X(archive_entry_set_gid)                                                                                    \
    X(archive_entry_set_gname)                                                                                  \
    X(archive_entry_set_mode)                                                                                   \
    X(archive_entry_set_mtime)                                                                                  \
    X(archive_entry_set_pathname_utf8)                                                                          \
    X(archive_entry_set_size)                                                                                   \
    X(archive_entry_set_uid)                                                                                    \
    X(archive_entry_set_uname)                                                                                  \
    X(archive_error_string)                                                                                     \
    X(archive_read_data)                                                                                        \
    X(archive_read_free)                                                                                        \
    X(archive_read_new)                                                                                         \
    X(archive_read_next_header)                                                                                 \
    X(archive_read_open_filename)                                                                               \
    X(archive_read_support_filter_gzip)                                                                         \
    X(archive_read_support_format_tar)                                                                          \
    X(archive_read_support_format_zip)                                                                          \
    X(archive_write_add_filter_gzip)                                                                            \
    X(archive_write_close)                                                                                      \
    X(archive_write_data)                                                                                       \
    X(archive_write_free)                                                                                       \
    X(archive_write_header)                                                                                     \
    X(archive_write_new)                                                                                        \
    X(archive_write_open2)                                                                                      \
    X(archive_write_set_bytes_in_last_block)                                                                    \
    X(archive_write_set_filter_option)                                                                          \
    X(archive_write_set_format_option)                                                                          \
    X(archive_write_set_format_pax_restricted)                                                                  \
    X(archive_write_set_format_zip)

struct LibArchive {
#define MPYSHIP_LIBARCHIVE_MEMBER(name) decltype(&::name) name = nullptr;
    MPYSHIP_LIBARCHIVE_FUNCTIONS(MPYSHIP_LIBARCHIVE_MEMBER)
#undef MPYSHIP_LIBARCHIVE_MEMBER
};

// The table, loaded on the first call (thread-safe); an error names the library when it cannot be loaded.
Result<const LibArchive*> load_libarchive();

} // namespace mpyship::release
