// The plain C interface between mpyship and its server module, mpyship-serve.so (serve_module.cpp), which
// holds cpp-httplib. The module is loaded with dlopen() by `mpyship serve` only (static_server.cpp): linked
// into the binary, cpp-httplib and the OpenSSL it initialises cost every command ~8 ms of start-up.
// The version is part of the symbol names, so a module from another mpyship release is refused by name.
#pragma once

#include <cstddef>

extern "C" {

// Called once, from the serving thread, when the port is bound (`port` is the actual one when 0 was asked).
typedef void (*mpyship_serve_listening_fn)(void* context, int port);
// Called after each request, from the server's worker threads.
typedef void (*mpyship_serve_request_fn)(void* context, const char* method, const char* path, int status,
                                         std::size_t bytes);

struct mpyship_serve_options_v1 {
    const char* root; // an existing folder
    const char* bind;
    int port;                                // 0: any free port
    mpyship_serve_listening_fn on_listening; // may be null
    mpyship_serve_request_fn on_request;     // may be null
    void* context;                           // passed to both callbacks
    char* error;                             // on failure: a NUL-terminated message, cut to error_size
    std::size_t error_size;
};

// Serves until mpyship_serve_stop_v1(); returns 0, or -1 with options->error filled in.
typedef int (*mpyship_serve_fn)(const mpyship_serve_options_v1* options);
// Stops a running mpyship_serve_v1 (from any thread); does nothing when none runs.
typedef void (*mpyship_serve_stop_fn)(void);

} // extern "C"

namespace mpyship::release {

constexpr const char* k_serve_module_name = "mpyship-serve.so";
constexpr const char* k_serve_symbol = "mpyship_serve_v1";
constexpr const char* k_serve_stop_symbol = "mpyship_serve_stop_v1";

} // namespace mpyship::release
