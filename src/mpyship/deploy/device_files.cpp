#include "mpyship/deploy/device_files.h"

#include "mpyship/deploy/safe_write.h"
#include "mpyship/util/zlib_stream.h"

#include <utility>

namespace mpyship::deploy {
namespace {

constexpr std::string_view k_hash = R"(import hashlib,binascii
def _ms_hash(p):
 h=hashlib.sha256();b=bytearray(512);m=memoryview(b)
 with open(p,'rb') as f:
  while 1:
   n=f.readinto(b)
   if not n:
    break
   h.update(m[:n])
 return binascii.hexlify(h.digest()).decode()
)";

// Defined once per connection; the device keeps globals between raw-REPL commands. A file handle left
// open by an interrupted earlier connection is closed first. _ms_c checks the temporary file and renames
// it into place: MicroPython's FAT rename removes an existing target itself and LittleFS replaces it
// atomically; the remove-then-rename fallback covers filesystems that refuse to rename over a file.
constexpr std::string_view k_helpers = R"(import os,binascii
try:
 _ms_f.close()
except Exception:
 pass
_ms_f=None
def _ms_o(p):
 global _ms_f
 _ms_f=open(p,'wb')
def _ms_w(s):
 _ms_f.write(binascii.a2b_base64(s))
def _ms_z(z,t):
 import deflate
 b=bytearray(512);m=memoryview(b)
 with open(z,'rb') as i:
  d=deflate.DeflateIO(i,deflate.ZLIB)
  with open(t,'wb') as o:
   while 1:
    n=d.readinto(b)
    if not n:
     break
    o.write(m[:n])
 os.remove(z)
def _ms_c(t,p,n,h,u=None):
 global _ms_f
 _ms_f.close()
 _ms_f=None
 if u:
  _ms_z(t,u)
  t=u
 if os.stat(t)[6]!=n or (h and _ms_hash(t)!=h):
  os.remove(t)
  raise OSError('mpyship: '+p+': the written copy differs from the build')
 try:
  os.rename(t,p)
 except OSError:
  os.remove(p)
  os.rename(t,p)
)";


// The last line of a traceback: "OSError: [Errno 2] ENOENT".
std::string last_line(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.remove_suffix(1);
    auto nl = text.rfind('\n');
    return std::string(nl == text.npos ? text : text.substr(nl + 1));
}

} // namespace

std::string_view device_hash_function() {
    return k_hash;
}

std::string python_string(std::string_view text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\\' || c == '\'')
            out += '\\';
        out += c;
    }
    return out + "'";
}

std::string base64_encode(std::span<const std::uint8_t> data) {
    static constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < data.size(); i += 3) {
        std::uint32_t v = std::uint32_t(data[i]) << 16;
        if (i + 1 < data.size())
            v |= std::uint32_t(data[i + 1]) << 8;
        if (i + 2 < data.size())
            v |= data[i + 2];
        out += k_alphabet[v >> 18 & 63];
        out += k_alphabet[v >> 12 & 63];
        out += i + 1 < data.size() ? k_alphabet[v >> 6 & 63] : '=';
        out += i + 2 < data.size() ? k_alphabet[v & 63] : '=';
    }
    return out;
}

DeviceFiles::DeviceFiles(serial::RawRepl& repl, const DeviceInfo& device, std::string port, Encoding encoding,
                         std::size_t command_budget)
    : m_repl(repl), m_device(device), m_port(std::move(port)), m_encoding(encoding),
      m_budget(command_budget) {}

Result<void> DeviceFiles::run(const std::string& code) {
    ++m_stats.commands;
    auto r = m_repl.exec(code);
    if (!r)
        return std::unexpected(Error{r.error().message, m_port, r.error().sys_errno});
    if (!r->err.empty())
        return fail("the device reported an error: " + last_line(r->err), m_port);
    return {};
}

Result<void> DeviceFiles::flush() {
    if (m_batch.empty())
        return {};
    std::string code = std::move(m_batch);
    m_batch.clear();
    if (!m_helpers_sent) {
        code = std::string(m_device.has_sha256 ? device_hash_function() : "") + std::string(k_helpers) + code;
        m_helpers_sent = true;
    }
    if (auto r = run(code); !r)
        return r;
    m_sent_file_bytes += m_batch_file_bytes;
    m_batch_file_bytes = 0;
    for (auto& done : std::exchange(m_batch_done, {}))
        if (done)
            done();
    if (on_progress)
        on_progress(m_sent_file_bytes);
    return {};
}

Result<void> DeviceFiles::add(std::string statement, std::uint64_t file_bytes, Done done) {
    if (!m_batch.empty() && m_batch.size() + statement.size() > m_budget)
        if (auto r = flush(); !r)
            return r;
    m_batch += statement;
    m_batch += '\n';
    m_batch_file_bytes += file_bytes;
    m_batch_done.push_back(std::move(done));
    return {};
}

Result<void> DeviceFiles::mkdir(const std::string& path, Done done) {
    return add("os.mkdir(" + python_string(path) + ")", 0, std::move(done));
}
Result<void> DeviceFiles::remove(const std::string& path, Done done) {
    return add("os.remove(" + python_string(path) + ")", 0, std::move(done));
}
Result<void> DeviceFiles::rmdir(const std::string& path, Done done) {
    return add("os.rmdir(" + python_string(path) + ")", 0, std::move(done));
}

bool DeviceFiles::should_deflate(const Bytes& content, const Bytes& compressed) const {
    if (!m_device.has_deflate || m_encoding == Encoding::base64 || compressed.empty())
        return false;
    // Decompressing costs a second file and a pass on the device: worth it when it saves a fifth.
    return m_encoding == Encoding::deflate || compressed.size() * 5 <= content.size() * 4;
}

Result<void> DeviceFiles::write(const std::string& path, const Bytes& content, const std::string& sha256,
                                Done done) {
    Bytes compressed =
        m_device.has_deflate && m_encoding != Encoding::base64 ? zlib_compress(content) : Bytes{};
    bool deflated = should_deflate(content, compressed);
    const Bytes& payload = deflated ? compressed : content;
    std::string temp = temp_path_for(path);
    std::string final_temp = deflated ? temp_path_for(path) : std::string();
    if (auto r = add("_ms_o(" + python_string(temp) + ")"); !r)
        return r;
    // Base64 of each chunk fits a command with its statement around it; chunks are whole 3-byte groups.
    std::size_t chunk = std::max<std::size_t>(48, (m_budget - 16) / 4 * 3);
    std::uint64_t attributed = 0;
    for (std::size_t pos = 0; pos < payload.size(); pos += chunk) {
        std::size_t n = std::min(chunk, payload.size() - pos);
        std::uint64_t share = content.size() * (pos + n) / payload.size() - attributed;
        attributed += share;
        if (auto r = add("_ms_w(b'" + base64_encode(std::span(payload).subspan(pos, n)) + "')", share); !r)
            return r;
    }
    std::string hash = m_device.has_sha256 ? python_string(sha256) : std::string("None");
    std::string commit = "_ms_c(" + python_string(temp) + "," + python_string(path) + "," +
                         std::to_string(content.size()) + "," + hash +
                         (deflated ? "," + python_string(final_temp) : std::string()) + ")";
    m_stats.file_bytes += content.size();
    m_stats.payload_bytes += payload.size();
    m_stats.compressed_files += deflated ? 1 : 0;
    return add(commit, content.size() - attributed, std::move(done));
}

} // namespace mpyship::deploy
