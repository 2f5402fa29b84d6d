// `mpyship serve PUBDIR`: a static HTTP server for a published OTA tree (LAN use and tests).
#include "mpyship/cli/color.h"
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/commands.h"
#include "mpyship/cli/parse_args.h"
#include "mpyship/release/static_server.h"

#include <csignal>
#include <fmt/core.h>
#include <pthread.h>
#include <thread>

namespace mpyship::cli {
namespace {

// SIGINT and SIGTERM are taken by a thread that stops the server, instead of a handler doing it.
std::thread stop_on_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    return std::thread([set] {
        int sig = 0;
        sigwait(&set, &sig);
        release::stop_serving();
    });
}

} // namespace

int cmd_serve(std::string_view program, std::span<const std::string> args) {
    CLI::App app{"Serve a folder (a published OTA tree) over HTTP with Content-Length and byte ranges, for a LAN "
                 "or tests. Any static web server works as well.",
                 std::string(program) + " serve"};
    release::ServeOptions o;
    std::string root;
    bool quiet = false;
    app.add_option("pubdir", root, "the folder to serve")->required();
    app.add_option("--bind", o.bind, "address to listen on (default: 127.0.0.1)");
    app.add_option("--port", o.port, "port (default: 8000; 0: any free port)")->check(CLI::Range(0, 65535));
    app.add_flag("--quiet", quiet, "do not log requests");
    if (auto rc = parse_args(app, args))
        return *rc;
    o.root = root;
    o.on_listening = [&](int port) {
        fmt::print("serving {} on http://{}:{}/ (Ctrl-C stops)\n", root, o.bind, port);
        std::fflush(stdout);
    };
    if (!quiet)
        o.on_request = [](const std::string& method, const std::string& path, int status, std::size_t bytes) {
            fmt::print("{} {} {} {}\n", method, path, status, bytes);
            std::fflush(stdout);
        };
    auto waiter = stop_on_signals();
    auto r = release::serve_static(o);
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    if (!r) {
        print_error(r.error().to_string());
        return k_exit_failure;
    }
    return k_exit_ok;
}

} // namespace mpyship::cli
