// File operations on a device through the raw REPL, batched: statements for many small files and folders
// go to the device in one command, a large file in several (each a bounded chunk of code the device can
// compile). Every file is written to a temporary name, checked on the device (size, and SHA-256 when the
// device has hashlib), then renamed over the old file, so an interrupted transfer leaves the old file.
// Content travels base64-encoded (binascii.a2b_base64), or zlib-compressed first when the device has
// `deflate` and compression saves enough to pay for the decompression pass; small files then travel
// together, one zlib stream for many, unpacked on the device file by file.
#pragma once

#include "mpyship/deploy/device_probe.h"
#include "mpyship/serial/raw_repl.h"
#include "mpyship/util/error.h"
#include "mpyship/util/file_io.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mpyship::deploy {

// Python defining _ms_hash(path) -> hex SHA-256, read in 512-byte pieces (needs hashlib and binascii).
std::string_view device_hash_function();

enum class Encoding { automatic, base64, deflate };

struct TransferStats {
    std::uint64_t file_bytes = 0;    // bytes of the files written
    std::uint64_t payload_bytes = 0; // bytes of content after compression, before base64
    std::size_t commands = 0;        // raw-REPL commands run
    std::size_t compressed_files = 0;
};

class DeviceFiles {
  public:
    DeviceFiles(serial::RawRepl& repl, const DeviceInfo& device, std::string port, Encoding encoding,
                std::size_t command_budget = 4096);

    // Each operation is queued; `done` runs once the device has carried it out.
    using Done = std::function<void()>;
    Result<void> mkdir(const std::string& path, Done done = {});
    Result<void> remove(const std::string& path, Done done = {});
    Result<void> rmdir(const std::string& path, Done done = {});
    Result<void> write(const std::string& path, const Bytes& content, const std::string& sha256,
                       Done done = {});
    Result<void> flush(); // runs the statements queued so far

    const TransferStats& stats() const { return m_stats; }
    // Called after each command with the file bytes whose content has reached the device.
    std::function<void(std::uint64_t file_bytes_sent)> on_progress;

  private:
    struct PackedFile {
        std::string path;
        Bytes content;
        std::string sha256;
        Done done;
    };

    Result<void> add(std::string statement, std::uint64_t file_bytes = 0, Done done = {});
    Result<void> add_statement(std::string statement, std::uint64_t file_bytes, Done done);
    Result<void> write_single(const std::string& path, const Bytes& content, const std::string& sha256,
                              Done done);
    Result<void> flush_pack();
    Result<void> send_pack(std::span<PackedFile> files);
    std::string check_digest(const std::string& sha256) const;
    Result<void> run(const std::string& code);
    bool should_deflate(const Bytes& content, const Bytes& compressed) const;

    serial::RawRepl& m_repl;
    const DeviceInfo& m_device;
    std::string m_port;
    Encoding m_encoding;
    std::size_t m_budget;
    bool m_helpers_sent = false;
    std::vector<PackedFile> m_pack; // small files waiting to travel as one zlib stream
    std::size_t m_pack_bytes = 0;
    std::string m_batch;
    std::vector<Done> m_batch_done;
    std::uint64_t m_batch_file_bytes = 0, m_sent_file_bytes = 0;
    TransferStats m_stats;
};

// A Python string literal of `text` (quotes and backslashes escaped): paths in generated code.
std::string python_string(std::string_view text);

// Base64 of `data` (RFC 4648, with padding), what binascii.a2b_base64 reads.
std::string base64_encode(std::span<const std::uint8_t> data);

} // namespace mpyship::deploy
