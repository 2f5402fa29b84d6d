// `mpyship device repl --port DEV|auto`: the terminal passed through to the board's REPL. The local terminal is
// put in raw mode (so Ctrl-C, Ctrl-D and arrow keys reach the board as bytes) and restored on every way out:
// Ctrl-] (the one key kept here, as in telnet), the board going away, SIGTERM/SIGHUP, or an error. Without a
// terminal on stdin (a pipe in tests and scripts) bytes are passed as they are and nothing needs restoring.
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/device_args.h"
#include "mpyship/cli/json_output.h"
#include "mpyship/cli/parse_args.h"
#include "mpyship/serial/serial_port.h"
#include "mpyship/serial/serial_ports.h"

#include <csignal>
#include <cstdio>
#include <fmt/core.h>
#include <optional>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

namespace mpyship::cli {
namespace {

constexpr std::uint8_t k_leave_key = 0x1d; // Ctrl-]

volatile std::sig_atomic_t g_repl_stop = 0;
extern "C" void on_repl_stop(int) {
    g_repl_stop = 1;
}

// Raw mode on the local terminal for as long as it lives; the saved settings come back in the destructor.
class RawTerminal {
  public:
    RawTerminal() {
        if (!::isatty(STDIN_FILENO) || ::tcgetattr(STDIN_FILENO, &m_saved) != 0)
            return;
        termios raw = m_saved;
        ::cfmakeraw(&raw);
        if (::tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0)
            m_active = true;
    }
    ~RawTerminal() {
        if (m_active)
            ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &m_saved);
    }
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;

  private:
    termios m_saved{};
    bool m_active = false;
};

void catch_repl_signals() {
    struct sigaction sa {};
    sa.sa_handler = on_repl_stop;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGTERM, SIGHUP, SIGINT})
        ::sigaction(sig, &sa, nullptr);
}

// Keyboard -> board; false once Ctrl-] was pressed or stdin ended.
Result<bool> pass_keys(serial::SerialPort& port) {
    struct pollfd p {
        STDIN_FILENO, POLLIN, 0
    };
    if (::poll(&p, 1, 10) <= 0)
        return true;
    std::uint8_t buf[256];
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0)
        return false;
    std::size_t keep = 0;
    while (keep < std::size_t(n) && buf[keep] != k_leave_key)
        ++keep;
    if (keep > 0)
        if (auto w = port.write_all(std::span(buf, keep)); !w)
            return std::unexpected(w.error());
    return keep == std::size_t(n);
}

// Board -> screen.
Result<void> pass_output(serial::SerialPort& port) {
    std::uint8_t buf[1024];
    auto n = port.read_some(buf, std::chrono::milliseconds(10));
    if (!n)
        return std::unexpected(n.error());
    if (*n > 0) {
        std::fwrite(buf, 1, *n, stdout);
        std::fflush(stdout);
    }
    return {};
}

Result<void> bridge(serial::SerialPort& port) {
    while (!g_repl_stop) {
        auto keys = pass_keys(port);
        if (!keys)
            return std::unexpected(keys.error());
        if (!*keys)
            break;
        if (auto out = pass_output(port); !out)
            return out;
    }
    return {};
}

} // namespace

int device_repl(std::string_view program, std::span<const std::string> args) {
    DeviceArgs a;
    CLI::App app{"Pass the terminal through to the board's REPL; Ctrl-] leaves (the terminal is restored).",
                 std::string(program) + " device repl"};
    add_device_options(app, a, false);
    if (auto rc = parse_args(app, args))
        return *rc;
    if (!a.to.empty() || a.port.empty())
        return report_error(Error{"repl needs the serial REPL: --port DEV|auto", {}}, false);
    auto name = a.port == "auto" ? serial::find_board_port() : Result<std::string>(a.port);
    auto port = name ? serial::SerialPort::open(*name, a.baud) : std::unexpected(name.error());
    if (!port)
        return report_error(port.error(), false);
    catch_repl_signals();
    std::optional<RawTerminal> terminal(std::in_place); // raw before the banner: keys typed after it go raw
    fmt::print(stderr, "Connected to {}. Ctrl-] leaves.\r\n", *name);
    auto done = bridge(*port);
    terminal.reset();
    fmt::print(stderr, "\nLeft the REPL of {}.\n", *name);
    if (!done)
        return report_error(Error{done.error().message, *name}, false);
    return k_exit_ok;
}

} // namespace mpyship::cli
