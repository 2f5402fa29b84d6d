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
def _ms_k(t,p,n,h):
 if os.stat(t)[6]!=n or (h and _ms_hash(t)[:len(h)]!=h):
  os.remove(t)
  raise OSError('mpyship: '+p+': the written copy differs from the build')
 try:
  os.rename(t,p)
 except OSError:
  os.remove(p)
  os.rename(t,p)
def _ms_c(t,p,n,h,u=None):
 global _ms_f
 _ms_f.close()
 _ms_f=None
 if u:
  _ms_z(t,u)
  t=u
 _ms_k(t,p,n,h)
def _ms_p(s,l):
 import deflate,io
 d=deflate.DeflateIO(io.BytesIO(binascii.a2b_base64(s)),deflate.ZLIB)
 for t,p,n,h in l:
  with open(t,'wb') as f:
   r=n
   while r:
    b=d.read(min(r,512))
    if not b:
     raise OSError('mpyship: '+p+': the pack ended early')
    f.write(b);r-=len(b)
  _ms_k(t,p,n,h)
)";

// Small files travel together: one zlib stream per command for many of them compresses far better than
// each on its own (modules share names and opcodes), and one statement replaces three per file.
constexpr std::size_t k_pack_file_limit = 2048;
// The written copy is checked against this many hex digits of the build's SHA-256 (64 bits): enough to
// catch a damaged transfer, at a quarter of the bytes a full digest costs on the link for every file.
constexpr std::size_t k_check_digits = 16;

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
    if (auto r = flush_pack(); !r)
        return r;
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

// Every other operation first sends the files packed so far, so the device sees them in the order given.
Result<void> DeviceFiles::add(std::string statement, std::uint64_t file_bytes, Done done) {
    if (auto r = flush_pack(); !r)
        return r;
    return add_statement(std::move(statement), file_bytes, std::move(done));
}

Result<void> DeviceFiles::add_statement(std::string statement, std::uint64_t file_bytes, Done done) {
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

std::string DeviceFiles::check_digest(const std::string& sha256) const {
    return m_device.has_sha256 ? python_string(sha256.substr(0, k_check_digits)) : std::string("None");
}

Result<void> DeviceFiles::write(const std::string& path, const Bytes& content, const std::string& sha256,
                                Done done) {
    if (m_device.has_deflate && m_encoding != Encoding::base64 && content.size() <= k_pack_file_limit) {
        m_pack_bytes += content.size();
        m_pack.push_back({path, content, sha256, std::move(done)});
        // Raw bytes for about two commands: compressed, that usually fits one; a pack that does not is split.
        return m_pack_bytes >= 2 * m_budget ? flush_pack() : Result<void>{};
    }
    return write_single(path, content, sha256, std::move(done));
}

Result<void> DeviceFiles::flush_pack() {
    if (m_pack.empty())
        return {};
    std::vector<PackedFile> files = std::exchange(m_pack, {});
    m_pack_bytes = 0;
    return send_pack(files);
}

// One _ms_p statement for `files` when it fits a command and compression pays; otherwise halves, and a
// single file that does not pay goes the usual way.
Result<void> DeviceFiles::send_pack(std::span<PackedFile> files) {
    Bytes raw;
    for (const auto& f : files)
        raw.insert(raw.end(), f.content.begin(), f.content.end());
    Bytes z = zlib_compress(raw);
    std::string list;
    for (const auto& f : files)
        list += "(" + python_string(temp_path_for(f.path)) + "," + python_string(f.path) + "," +
                std::to_string(f.content.size()) + "," + check_digest(f.sha256) + "),";
    std::string statement = "_ms_p(b'" + base64_encode(z) + "',(" + list + "))";
    bool pays = !z.empty() && (m_encoding == Encoding::deflate || z.size() * 5 <= raw.size() * 4);
    if (files.size() > 1 && (!pays || statement.size() + 1 > m_budget)) {
        std::size_t half = files.size() / 2;
        auto first = send_pack(files.first(half));
        return first ? send_pack(files.subspan(half)) : first;
    }
    PackedFile& one = files.front();
    if (!pays || statement.size() + 1 > m_budget)
        return write_single(one.path, one.content, one.sha256, std::move(one.done));
    std::vector<Done> dones;
    for (auto& f : files) {
        m_stats.file_bytes += f.content.size();
        dones.push_back(std::move(f.done));
    }
    m_stats.payload_bytes += z.size();
    m_stats.compressed_files += files.size();
    return add_statement(std::move(statement), raw.size(), [dones = std::move(dones)] {
        for (const auto& d : dones)
            if (d)
                d();
    });
}

// Writes one file on its own: open a temporary file, its content in base64 chunks
// (zlib-compressed first when that pays), then the check and rename.
Result<void> DeviceFiles::write_single(const std::string& path, const Bytes& content,
                                       const std::string& sha256, Done done) {
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
    std::string commit = "_ms_c(" + python_string(temp) + "," + python_string(path) + "," +
                         std::to_string(content.size()) + "," + check_digest(sha256) +
                         (deflated ? "," + python_string(final_temp) : std::string()) + ")";
    m_stats.file_bytes += content.size();
    m_stats.payload_bytes += payload.size();
    m_stats.compressed_files += deflated ? 1 : 0;
    return add(commit, content.size() - attributed, std::move(done));
}

} // namespace mpyship::deploy
