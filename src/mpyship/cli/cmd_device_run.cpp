// `mpyship device run FILE [--no-follow] --port DEV|auto`: run a local script on the board without copying
// it (the raw REPL, raw-paste when the board offers it) and stream what it prints until it ends. Ctrl-C here
// sends Ctrl-C to the board, whose program then stops with a KeyboardInterrupt. Exit code: 0 when the script
// ended normally, 1 when it ended with a traceback (printed to stderr), 130 when it was interrupted.
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/device_args.h"
#include "mpyship/cli/json_output.h"
#include "mpyship/cli/parse_args.h"
#include "mpyship/device/serial_fs.h"

#include <csignal>
#include <cstdio>
#include <fmt/core.h>

namespace mpyship::cli {
namespace {

constexpr int k_exit_interrupted = 130; // 128 + SIGINT, as shells report it

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_interrupt(int) {
    g_interrupted = 1;
}

// SIGINT only sets a flag while the script runs; the previous handler comes back afterwards.
class InterruptFlag {
  public:
    InterruptFlag() {
        g_interrupted = 0;
        struct sigaction sa {};
        sa.sa_handler = on_interrupt;
        sigemptyset(&sa.sa_mask);
        ::sigaction(SIGINT, &sa, &m_old);
    }
    ~InterruptFlag() { ::sigaction(SIGINT, &m_old, nullptr); }
    InterruptFlag(const InterruptFlag&) = delete;
    InterruptFlag& operator=(const InterruptFlag&) = delete;
    bool raised() const { return g_interrupted != 0; }

  private:
    struct sigaction m_old {};
};

int finish_run(const serial::ExecResult& r, bool interrupted) {
    if (r.err.empty())
        return k_exit_ok;
    fmt::print(stderr, "{}", r.err);
    std::fflush(stderr);
    return interrupted && r.err.find("KeyboardInterrupt") != std::string::npos ? k_exit_interrupted
                                                                              : k_exit_failure;
}

} // namespace

int device_run(std::string_view program, std::span<const std::string> args) {
    DeviceArgs a;
    std::string file;
    bool no_follow = false;
    CLI::App app{"Run a local script on the board without copying it, streaming its output until it ends. "
                 "Ctrl-C interrupts the board's program; the exit code is 1 after a traceback.",
                 std::string(program) + " device run"};
    app.add_option("file", file, "the local .py script")->required();
    app.add_flag("--no-follow", no_follow, "start the script and return at once, leaving it running");
    add_device_options(app, a, false);
    if (auto rc = parse_args(app, args))
        return *rc;
    if (!a.to.empty())
        return report_error(Error{"run needs the serial REPL (--port DEV|auto): a drive cannot run a script", a.to},
                            false);
    auto code = read_text_file(file);
    if (!code)
        return report_error(code.error(), false);
    auto opened = open_device(a);
    if (!opened)
        return report_error(opened.error(), false);
    auto& board = static_cast<device::SerialFs&>(**opened);
    if (no_follow) {
        auto sent = board.repl().submit(*code);
        if (!sent)
            return report_error(Error{sent.error().message, board.where()}, false);
        fmt::print(stderr, "run: {} started on {}; not following its output\n", file, board.where());
        return k_exit_ok;
    }
    InterruptFlag flag;
    auto result = board.repl().exec_streaming(
        *code,
        [](std::string_view chunk) {
            std::fwrite(chunk.data(), 1, chunk.size(), stdout);
            std::fflush(stdout);
        },
        [&flag] { return flag.raised(); });
    if (!result)
        return report_error(Error{result.error().message, board.where()}, false);
    (void)board.close();
    return finish_run(*result, flag.raised());
}

} // namespace mpyship::cli
