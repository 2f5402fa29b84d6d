#include "mpyship/device/serial_fs.h"

#include "mpyship/deploy/device_files.h"
#include "mpyship/device/device_path.h"
#include "mpyship/device/device_scripts.h"
#include "mpyship/util/sha256.h"

namespace mpyship::device {
namespace {

// The last line of a traceback: "ImportError: no module named 'hashlib'".
std::string last_line(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.remove_suffix(1);
    auto nl = text.rfind('\n');
    return std::string(nl == text.npos ? text : text.substr(nl + 1));
}

std::string without_dot_slash(std::string path) {
    while (path.starts_with("./"))
        path.erase(0, 2);
    return path == "." ? std::string() : path;
}

} // namespace

SerialFs::SerialFs(serial::SerialPort port, serial::RawReplTimeouts timeouts)
    : m_port(std::move(port)), m_port_name(m_port.device()), m_timeouts(timeouts) {
    m_repl = std::make_unique<serial::RawRepl>(m_port, m_timeouts);
}

Result<std::unique_ptr<SerialFs>> SerialFs::open(const std::string& port, unsigned baud,
                                                 serial::RawReplTimeouts timeouts) {
    auto link = serial::SerialPort::open(port, baud);
    if (!link)
        return std::unexpected(link.error());
    std::unique_ptr<SerialFs> fs(new SerialFs(std::move(*link), timeouts));
    if (auto r = fs->start(); !r)
        return std::unexpected(r.error());
    return fs;
}

Result<void> SerialFs::start() {
    if (auto r = m_repl->enter(); !r)
        return fail(r.error().message, m_port_name);
    auto out = exec(std::string(device_helpers()) + "print('C',_d_h(os.getcwd()))\n");
    if (!out)
        return std::unexpected(out.error());
    auto lines = reply_lines(*out, m_port_name);
    if (!lines || lines->empty() || !lines->back().starts_with("C "))
        return fail("unexpected reply from the device to the first command", m_port_name);
    m_cwd = hex_decode_text(std::string_view(lines->back()).substr(2));
    return {};
}

Result<std::string> SerialFs::exec(const std::string& code) {
    auto r = m_repl->exec(code);
    if (!r)
        return fail(r.error().message, m_port_name, r.error().sys_errno);
    if (!r->err.empty())
        return fail("the device reported an error: " + last_line(r->err), m_port_name);
    return std::move(r->out);
}

Result<std::vector<std::string>> SerialFs::call(std::string_view helper, const std::string& path,
                                                std::string_view extra) {
    auto out = exec(device_call(helper, path, extra));
    if (!out)
        return std::unexpected(out.error());
    return reply_lines(*out, m_port_name + ":" + path);
}

Result<void> SerialFs::expect_ok(std::string_view helper, const std::string& path, std::string_view extra) {
    auto lines = call(helper, path, extra);
    if (!lines)
        return std::unexpected(lines.error());
    if (lines->empty() || lines->back() != "OK")
        return fail("unexpected reply from the device", m_port_name + ":" + path);
    return {};
}

std::optional<std::string> SerialFs::deploy_relative(const std::string& raw) const {
    std::string path = without_dot_slash(raw);
    if (!path.starts_with('/'))
        return trim_slashes(path);
    std::string cwd = trim_slashes(m_cwd);
    if (cwd == "/")
        return trim_slashes(path.substr(1));
    if (trim_slashes(path) == cwd)
        return std::string();
    if (path.starts_with(cwd + "/"))
        return trim_slashes(path.substr(cwd.size() + 1));
    return std::nullopt;
}

Result<std::optional<DeviceEntry>> SerialFs::stat(const std::string& path) {
    auto out = exec(device_call("_d_stat", path));
    if (!out)
        return std::unexpected(out.error());
    auto lines = reply_lines(*out, m_port_name + ":" + path);
    if (!lines && lines.error().message == errno_text(2))
        return std::optional<DeviceEntry>{};
    auto entries = lines ? parse_listing(*lines, path) : std::unexpected(lines.error());
    if (!entries)
        return std::unexpected(entries.error());
    if (entries->size() != 1)
        return fail("unexpected reply from the device", m_port_name + ":" + path);
    return std::optional(entries->front());
}

Result<std::vector<DeviceEntry>> SerialFs::list(const std::string& path, bool recursive) {
    auto lines = call("_d_list", path, recursive ? "1" : "0");
    if (!lines)
        return std::unexpected(lines.error());
    return parse_listing(*lines, m_port_name + ":" + path);
}

Result<Bytes> SerialFs::read(const std::string& path) {
    auto lines = call("_d_get", path);
    if (!lines)
        return std::unexpected(lines.error());
    return parse_content(*lines, m_port_name + ":" + path);
}

Result<void> SerialFs::write(const std::string& path, std::span<const std::uint8_t> data) {
    if (!m_info) {
        auto out = exec(deploy::probe_script());
        auto info = out ? deploy::parse_probe(*out, m_port_name) : std::unexpected(out.error());
        if (!info)
            return std::unexpected(info.error());
        if (!info->has_binascii)
            return fail("the device has no binascii.a2b_base64, which the transfer needs", m_port_name);
        m_info = std::move(*info);
    }
    deploy::DeviceFiles files(*m_repl, *m_info, m_port_name, deploy::Encoding::automatic);
    Bytes content(data.begin(), data.end());
    if (auto r = files.write(path, content, sha256_hex(data)); !r)
        return r;
    auto r = files.flush();
    if (!r)
        return fail(r.error().message, m_port_name + ":" + path);
    return {};
}

Result<void> SerialFs::remove(const std::string& path, bool recursive) {
    return expect_ok("_d_rmc", path, recursive ? "1" : "0");
}

Result<void> SerialFs::make_dir(const std::string& path) {
    return expect_ok("_d_mkdir", path);
}

Result<DeviceSpace> SerialFs::space(const std::string& path) {
    auto lines = call("_d_df", path);
    if (!lines)
        return std::unexpected(lines.error());
    DeviceSpace s;
    if (lines->size() != 1 ||
        std::sscanf(lines->front().c_str(), "V %llu %llu %llu", reinterpret_cast<unsigned long long*>(&s.total),
                    reinterpret_cast<unsigned long long*>(&s.free),
                    reinterpret_cast<unsigned long long*>(&s.block)) != 3)
        return fail("unexpected reply from the device to statvfs", m_port_name + ":" + path);
    return s;
}

Result<std::string> SerialFs::sha256(const std::string& path) {
    auto out = exec(std::string(deploy::device_hash_function()) + device_call("_d_hash", path));
    if (!out) {
        if (out.error().message.find("hashlib") != std::string::npos)
            return fail("the device has no hashlib.sha256, so it cannot hash files", m_port_name);
        return std::unexpected(out.error());
    }
    auto lines = reply_lines(*out, m_port_name + ":" + path);
    if (!lines)
        return std::unexpected(lines.error());
    if (lines->size() != 1 || !lines->front().starts_with("H ") || lines->front().size() != 66)
        return fail("unexpected reply from the device to the hash", m_port_name + ":" + path);
    return lines->front().substr(2);
}

// Soft: Ctrl-D in raw mode, the board reboots its interpreter and comes back to the raw prompt. Hard:
// machine.reset() drops the connection (USB boards) or stops answering, so no reply is waited for long.
// A board reboots in well under the 10 s given; one that never does (a port without soft reset) is an error.
Result<void> SerialFs::reset(ResetKind kind) {
    serial::RawReplTimeouts quick = m_timeouts;
    quick.execute = std::chrono::milliseconds(kind == ResetKind::soft ? 10000 : 2000);
    quick.response = std::chrono::milliseconds(2000);
    serial::RawRepl once(m_port, quick);
    if (kind == ResetKind::soft) {
        auto r = once.soft_reset();
        if (!r)
            return fail(r.error().message, m_port_name);
        return {};
    }
    auto r = once.exec("import machine\nmachine.reset()\n");
    m_closed = true;
    if (r && !r->err.empty())
        return fail("the device cannot hard-reset: " + last_line(r->err), m_port_name);
    return {};
}

Result<void> SerialFs::close() {
    if (m_closed)
        return {};
    m_closed = true;
    auto r = m_repl->leave();
    if (!r)
        return fail(r.error().message, m_port_name);
    return {};
}

} // namespace mpyship::device
