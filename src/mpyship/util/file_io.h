// Whole-file reads and atomic writes. Every output file mpyship produces goes through a temporary file in
// the same directory, then a rename, so a crash or a full disk never leaves a half-written file behind;
// write_file_atomic also fsyncs it first (releases, deploys, manifests, keys), write_file_replace does not
// (regenerable build outputs). An existing device, FIFO or socket (/dev/null, /dev/stdout) is written into
// instead: renaming over it would replace it with a regular file.
#pragma once

#include "mpyship/util/error.h"

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship {

using Bytes = std::vector<std::uint8_t>;

// Views of text as bytes and of bytes as text, for the many formats that are text on disk.
inline std::span<const std::uint8_t> as_bytes(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}
inline std::string_view as_text(std::span<const std::uint8_t> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

Result<Bytes> read_file(const std::filesystem::path& path);
Result<std::string> read_text_file(const std::filesystem::path& path);
Result<Bytes> read_stream_to_end(int fd, const std::string& name);
// `mode`: the file's permissions (the temporary file has them from its creation on).
Result<void> write_file_atomic(const std::filesystem::path& path, std::span<const std::uint8_t> data,
                               unsigned mode = 0644);
// The same atomic rename without the fsync: for outputs that can be regenerated (build/mpy, the build cache),
// where a crash may lose the newest contents but never leaves a half-written file under the final name.
Result<void> write_file_replace(const std::filesystem::path& path, std::span<const std::uint8_t> data);
inline Result<void> write_file_replace(const std::filesystem::path& path, std::string_view text) {
    return write_file_replace(path, as_bytes(text));
}
// A build output (build/mpy): the same temporary file and rename as write_file_replace in fewer system calls,
// as a cold build writes thousands. The temporary file is created with its permissions (0644 less the umask,
// as a compiler's output) instead of 0600 and a chmod; the caller knows the path is not a device (it lies in
// the build folder); the modification time comes from the open file. Returns that time, in ns.
Result<std::int64_t> write_build_output(const std::filesystem::path& path, std::span<const std::uint8_t> data);
inline Result<void> write_file_atomic(const std::filesystem::path& path, std::string_view text,
                                      unsigned mode = 0644) {
    return write_file_atomic(path, as_bytes(text), mode);
}

} // namespace mpyship
