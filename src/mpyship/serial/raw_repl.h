// The raw-REPL client (MicroPython docs/reference/repl.rst): interrupt the running program, enter raw
// mode, run code with raw-paste flow control when the device offers it (plain raw mode on `R\x00` or an
// old firmware's `ra...` banner), collect stdout and stderr, and leave the board in the friendly REPL.
// Every read has a timeout and a message that tells the user what to do.
#pragma once

#include "mpyship/serial/transport.h"

#include <array>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace mpyship::serial {

struct RawReplTimeouts {
    std::chrono::milliseconds enter{5000};     // to see the raw-REPL prompt
    std::chrono::milliseconds response{10000}; // between bytes of a reply while code is received
    std::chrono::milliseconds execute{60000};  // for code to finish running
};

struct ExecResult {
    std::string out; // what the code printed
    std::string err; // the traceback of an uncaught exception, empty on success
};

enum class PasteMode { unknown, raw_paste, plain_raw };

class RawRepl {
  public:
    explicit RawRepl(Transport& link, RawReplTimeouts timeouts = {}) : m_link(link), m_timeouts(timeouts) {}

    Result<void> enter();                           // Ctrl-C twice, Ctrl-A, wait for the prompt
    Result<ExecResult> exec(std::string_view code); // run code, in raw-paste mode when supported
    // Runs code and hands its stdout to `on_output` as it arrives, with no time limit (a program may run for
    // as long as it likes). `interrupted` is asked between reads (at least every 100 ms); once it says yes,
    // Ctrl-C goes to the device, whose program then ends with a KeyboardInterrupt traceback.
    Result<ExecResult> exec_streaming(std::string_view code,
                                      const std::function<void(std::string_view)>& on_output,
                                      const std::function<bool()>& interrupted);
    // Sends code and returns once the device has accepted it, without waiting for the program (--no-follow).
    Result<void> submit(std::string_view code);
    Result<void> leave();      // Ctrl-B: back to the friendly REPL
    Result<void> soft_reset(); // Ctrl-D in raw mode, then re-enter raw mode

    PasteMode paste_mode() const { return m_mode; }
    std::size_t bytes_sent() const { return m_bytes_sent; }

  private:
    Result<void> send(std::string_view bytes);
    Result<std::size_t> read_chunk(std::span<std::uint8_t> out, std::chrono::milliseconds timeout);
    bool input_waiting();
    Result<std::uint8_t> read_byte(std::chrono::milliseconds timeout, std::string_view waiting_for);
    Result<std::string> read_until(std::string_view marker, std::chrono::milliseconds timeout,
                                   std::string_view waiting_for);
    Result<void> negotiate_paste();
    Result<void> send_raw_paste(std::string_view code);
    Result<void> send_plain_raw(std::string_view code);
    Result<ExecResult> read_result();
    Result<ExecResult> stream_result(const std::function<void(std::string_view)>& on_output,
                                     const std::function<bool()>& interrupted);
    Error timeout_error(std::string_view waiting_for, std::chrono::milliseconds timeout) const;

    Transport& m_link;
    RawReplTimeouts m_timeouts;
    PasteMode m_mode = PasteMode::unknown;
    std::size_t m_window_increment = 0;
    std::size_t m_bytes_sent = 0;
    std::array<std::uint8_t, 1024> m_in{}; // read but not yet consumed: m_in[m_in_pos, m_in_len)
    std::size_t m_in_pos = 0, m_in_len = 0;
};

} // namespace mpyship::serial
