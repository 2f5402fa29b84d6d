#include "mpyship/serial/raw_repl.h"

#include "mpyship/util/file_io.h"

#include <algorithm>
#include <thread>

namespace mpyship::serial {
namespace {

constexpr std::string_view k_ctrl_a = "\x01", k_ctrl_b = "\x02", k_ctrl_c = "\x03", k_ctrl_d = "\x04";
constexpr std::string_view k_raw_prompt = "raw REPL; CTRL-B to exit\r\n>";
constexpr std::string_view k_paste_request = "\x05"
                                             "A\x01";
constexpr std::string_view k_old_banner_rest = "w REPL; CTRL-B to exit\r\n>";
constexpr std::size_t k_plain_chunk = 256; // plain raw mode has no flow control: small chunks, short pauses
constexpr std::chrono::milliseconds k_plain_pause{10};

std::string seconds_text(std::chrono::milliseconds t) {
    auto ms = t.count();
    return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

} // namespace

Error RawRepl::timeout_error(std::string_view waiting_for, std::chrono::milliseconds timeout) const {
    return Error{"device did not answer raw REPL within " + seconds_text(timeout) + " (waiting for " +
                     std::string(waiting_for) + "): is a program busy? press reset",
                 {}};
}

Result<void> RawRepl::send(std::string_view bytes) {
    m_bytes_sent += bytes.size();
    return m_link.write_all(as_bytes(bytes));
}

// Replies are read a buffer at a time, not a byte per system call: a file listing of a few thousand lines
// would otherwise cost two system calls per byte.
Result<std::size_t> RawRepl::read_chunk(std::span<std::uint8_t> out, std::chrono::milliseconds timeout) {
    if (m_in_pos == m_in_len) {
        auto n = m_link.read_some(m_in, timeout);
        if (!n)
            return std::unexpected(n.error());
        m_in_pos = 0;
        m_in_len = *n;
    }
    std::size_t n = std::min(out.size(), m_in_len - m_in_pos);
    std::copy_n(m_in.begin() + std::ptrdiff_t(m_in_pos), n, out.begin());
    m_in_pos += n;
    return n;
}

bool RawRepl::input_waiting() {
    return m_in_pos < m_in_len || m_link.input_waiting();
}

Result<std::uint8_t> RawRepl::read_byte(std::chrono::milliseconds timeout, std::string_view waiting_for) {
    std::uint8_t b = 0;
    auto n = read_chunk(std::span(&b, 1), timeout);
    if (!n)
        return std::unexpected(n.error());
    if (*n == 0)
        return std::unexpected(timeout_error(waiting_for, timeout));
    return b;
}

// Reads until `marker` has been received; returns what came before it. `timeout` applies to each byte.
Result<std::string> RawRepl::read_until(std::string_view marker, std::chrono::milliseconds timeout,
                                        std::string_view waiting_for) {
    std::string data;
    while (!data.ends_with(marker)) {
        auto b = read_byte(timeout, waiting_for);
        if (!b)
            return std::unexpected(b.error());
        data += char(*b);
    }
    data.resize(data.size() - marker.size());
    return data;
}

Result<void> RawRepl::enter() {
    // Interrupt whatever runs (twice: the first may only stop a sleep), then drop the output already there.
    // No waiting for the board to fall silent: whatever it prints later comes before the raw-REPL prompt,
    // which read_until skips to.
    if (auto s = send(std::string(k_ctrl_c) + std::string(k_ctrl_c)); !s)
        return s;
    std::uint8_t sink[256];
    m_in_pos = m_in_len = 0;
    for (auto n = m_link.read_some(sink, std::chrono::milliseconds(0)); n && *n > 0;
         n = m_link.read_some(sink, std::chrono::milliseconds(0))) {
    }
    if (auto s = send(std::string("\r") + std::string(k_ctrl_a)); !s)
        return s;
    auto r = read_until(k_raw_prompt, m_timeouts.enter, "the raw REPL prompt");
    if (!r)
        return std::unexpected(r.error());
    return {};
}

Result<void> RawRepl::leave() {
    return send(k_ctrl_b);
}

Result<void> RawRepl::soft_reset() {
    if (auto s = send(k_ctrl_d); !s)
        return s;
    auto r = read_until("soft reboot\r\n", m_timeouts.execute, "the soft reboot");
    if (!r)
        return std::unexpected(r.error());
    auto prompt = read_until(k_raw_prompt, m_timeouts.execute, "the raw REPL prompt after the reboot");
    if (!prompt)
        return std::unexpected(prompt.error());
    return {};
}

// Asks for raw-paste mode; a refusal is remembered so later commands go straight to plain raw mode.
Result<void> RawRepl::negotiate_paste() {
    if (auto s = send(k_paste_request); !s)
        return s;
    auto first = read_byte(m_timeouts.response, "the raw-paste answer");
    auto second = first ? read_byte(m_timeouts.response, "the raw-paste answer") : first;
    if (!second)
        return std::unexpected(second.error());
    if (*first == 'R' && *second == 1) {
        auto lo = read_byte(m_timeouts.response, "the raw-paste window size");
        auto hi = lo ? read_byte(m_timeouts.response, "the raw-paste window size") : lo;
        if (!hi)
            return std::unexpected(hi.error());
        m_window_increment = std::size_t(*lo) | std::size_t(*hi) << 8;
        m_mode = PasteMode::raw_paste;
        return {};
    }
    if (*first == 'R' && *second == 0) {
        m_mode = PasteMode::plain_raw;
        return {};
    }
    if (*first == 'r' && *second == 'a') { // firmware older than raw-paste: the banner again
        auto rest = read_until(k_old_banner_rest, m_timeouts.response, "the raw REPL banner");
        if (!rest)
            return std::unexpected(rest.error());
        m_mode = PasteMode::plain_raw;
        return {};
    }
    return fail("unexpected answer to the raw-paste request: the device is not a MicroPython raw REPL");
}

// Flow control: send at most the granted window; each \x01 from the device grants another increment;
// a \x04 from the device means it wants no more data.
Result<void> RawRepl::send_raw_paste(std::string_view code) {
    std::size_t window = m_window_increment, pos = 0;
    while (pos < code.size()) {
        while (window == 0 || input_waiting()) {
            auto b = read_byte(m_timeouts.response, "raw-paste flow control");
            if (!b)
                return std::unexpected(b.error());
            if (*b == 0x01)
                window += m_window_increment;
            else if (*b == 0x04)
                return send(k_ctrl_d); // the device ended reception early (e.g. a syntax error)
            else
                return fail("unexpected byte during raw-paste flow control");
        }
        std::size_t n = std::min(window, code.size() - pos);
        if (auto s = send(code.substr(pos, n)); !s)
            return s;
        pos += n;
        window -= n;
    }
    if (auto s = send(k_ctrl_d); !s)
        return s;
    auto ack = read_until(k_ctrl_d, m_timeouts.response, "the end of raw-paste reception");
    if (!ack)
        return std::unexpected(ack.error());
    return {};
}

Result<void> RawRepl::send_plain_raw(std::string_view code) {
    for (std::size_t pos = 0; pos < code.size(); pos += k_plain_chunk) {
        if (auto s = send(code.substr(pos, k_plain_chunk)); !s)
            return s;
        std::this_thread::sleep_for(k_plain_pause);
    }
    if (auto s = send(k_ctrl_d); !s)
        return s;
    auto first = read_byte(m_timeouts.response, "OK");
    auto second = first ? read_byte(m_timeouts.response, "OK") : first;
    if (!second)
        return std::unexpected(second.error());
    if (*first != 'O' || *second != 'K')
        return fail("the device did not accept the code (no OK after Ctrl-D)");
    return {};
}

Result<ExecResult> RawRepl::read_result() {
    auto out = read_until(k_ctrl_d, m_timeouts.execute, "the program's output");
    if (!out)
        return std::unexpected(out.error());
    auto err = read_until(k_ctrl_d, m_timeouts.response, "the program's error output");
    if (!err)
        return std::unexpected(err.error());
    auto prompt = read_until(">", m_timeouts.response, "the raw REPL prompt");
    if (!prompt)
        return std::unexpected(prompt.error());
    return ExecResult{std::move(*out), std::move(*err)};
}

Result<void> RawRepl::submit(std::string_view code) {
    // Raw-paste mode ends with each command, so it is asked for every time until a device says no.
    if (m_mode != PasteMode::plain_raw)
        if (auto n = negotiate_paste(); !n)
            return std::unexpected(n.error());
    return m_mode == PasteMode::raw_paste ? send_raw_paste(code) : send_plain_raw(code);
}

Result<ExecResult> RawRepl::exec(std::string_view code) {
    if (auto sent = submit(code); !sent)
        return std::unexpected(sent.error());
    return read_result();
}

Result<ExecResult> RawRepl::exec_streaming(std::string_view code,
                                           const std::function<void(std::string_view)>& on_output,
                                           const std::function<bool()>& interrupted) {
    if (auto sent = submit(code); !sent)
        return std::unexpected(sent.error());
    return stream_result(on_output, interrupted);
}

// stdout up to the first \x04 goes to `on_output` chunk by chunk; then stderr up to the second, then '>'.
Result<ExecResult> RawRepl::stream_result(const std::function<void(std::string_view)>& on_output,
                                          const std::function<bool()>& interrupted) {
    ExecResult result;
    int ends = 0;
    bool interrupt_sent = false, prompt_seen = false;
    std::uint8_t buffer[512];
    while (ends < 2) {
        if (!interrupt_sent && interrupted && interrupted()) {
            if (auto s = send(k_ctrl_c); !s)
                return std::unexpected(s.error());
            interrupt_sent = true;
        }
        auto n = read_chunk(buffer, std::chrono::milliseconds(100));
        if (!n)
            return std::unexpected(n.error());
        std::string chunk;
        for (std::size_t i = 0; i < *n; ++i) {
            char c = char(buffer[i]);
            if (c == k_ctrl_d[0])
                ++ends;
            else if (ends == 0)
                chunk += c;
            else if (ends == 1)
                result.err += c;
            else
                prompt_seen = prompt_seen || c == '>';
        }
        if (chunk.empty())
            continue;
        if (on_output)
            on_output(chunk); // a program that runs for days must not fill memory
        else
            result.out += chunk;
    }
    if (!prompt_seen)
        if (auto prompt = read_until(">", m_timeouts.response, "the raw REPL prompt"); !prompt)
            return std::unexpected(prompt.error());
    return result;
}

} // namespace mpyship::serial
