#include "scripted_device.h"

#include <poll.h>
#include <pty.h>
#include <stdexcept>
#include <termios.h>
#include <unistd.h>

namespace mpyship::test {

ScriptedDevice::ScriptedDevice(DeviceKind kind, std::size_t window) : m_kind(kind), m_window(window) {
    char name[256];
    struct termios raw {};
    cfmakeraw(&raw);
    if (openpty(&m_master, &m_slave_keep, name, &raw, nullptr) != 0)
        throw std::runtime_error("openpty failed");
    m_slave_path = name;
    m_thread = std::thread([this] { serve(); });
}

ScriptedDevice::~ScriptedDevice() {
    m_stop = true;
    hang_up();
    if (m_thread.joinable())
        m_thread.join();
    if (m_slave_keep >= 0)
        ::close(m_slave_keep);
}

void ScriptedDevice::hang_up() {
    int fd = m_master;
    m_master = -1;
    if (fd >= 0)
        ::close(fd);
}

std::string ScriptedDevice::last_code() const {
    return m_last_code;
}

bool ScriptedDevice::read_byte(char& c) {
    while (!m_stop) {
        int fd = m_master;
        if (fd < 0)
            return false;
        struct pollfd p {
            fd, POLLIN, 0
        };
        if (::poll(&p, 1, 50) <= 0)
            continue;
        if (::read(fd, &c, 1) == 1)
            return true;
        return false;
    }
    return false;
}

bool ScriptedDevice::read_exact(std::string& out, std::size_t n) {
    char c;
    for (std::size_t i = 0; i < n; ++i) {
        if (!read_byte(c))
            return false;
        out += c;
    }
    return true;
}

void ScriptedDevice::send(const std::string& s) {
    int fd = m_master;
    if (fd >= 0 && ::write(fd, s.data(), s.size()) < 0)
        m_stop = true;
}

void ScriptedDevice::finish(const std::string& code) {
    m_last_code = code;
    std::string out = run(code);
    bool error = code.find("raise") != std::string::npos;
    send(out + "\x04" +
         (error ? std::string("Traceback (most recent call last):\r\nValueError: x\r\n") : "") + "\x04>");
}

void ScriptedDevice::serve_raw_paste() {
    send(std::string("R\x01", 2) + char(m_window & 0xff) + char(m_window >> 8) + "\x01");
    std::size_t granted = 2 * m_window, received = 0;
    std::string code;
    char c;
    while (read_byte(c)) {
        if (c == '\x04') {
            send("\x04");
            return finish(code);
        }
        code += c;
        if (++received > granted)
            m_window_violated = true;
        if (m_kind == DeviceKind::early_abort && code.size() == m_window / 2) {
            send("\x04"); // stop: the client must answer \x04 and send nothing more
            while (read_byte(c) && c != '\x04') {
            }
            m_last_code = code; // no acknowledgement after an abort: the result follows at once
            return send("\x04Traceback (most recent call last):\r\nSyntaxError: invalid syntax\r\n\x04>");
        }
        if (received % m_window == 0 && received + m_window >= granted) {
            granted += m_window;
            send("\x01");
        }
    }
}

void ScriptedDevice::serve_plain(std::string code) {
    char c;
    while (read_byte(c)) {
        if (c == '\x04') {
            send("OK");
            return finish(code);
        }
        code += c;
    }
}

void ScriptedDevice::serve() {
    const std::string banner = "\r\nraw REPL; CTRL-B to exit\r\n>";
    bool raw = false;
    char c;
    while (read_byte(c)) {
        if (m_kind == DeviceKind::silent)
            continue;
        if (c == '\x03') {
            send(raw ? "" : "\r\n>>> ");
        } else if (c == '\x01') {
            raw = true;
            send(banner);
        } else if (c == '\x02') {
            raw = false;
            send("\r\nMicroPython v1.28.0\r\n>>> ");
        } else if (raw && c != '\x05' && c != '\r') {
            serve_plain(std::string(1, c)); // plain raw mode: code until Ctrl-D
        } else if (c == '\x05') {
            std::string rest;
            if (!read_exact(rest, 2))
                return;
            if (m_kind == DeviceKind::no_raw_paste)
                send(std::string("R\x00", 2)), serve_plain({});
            else if (m_kind == DeviceKind::old_firmware)
                send("raw REPL; CTRL-B to exit\r\n>"), serve_plain({});
            else
                serve_raw_paste();
        }
    }
}

} // namespace mpyship::test
