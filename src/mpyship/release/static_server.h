// `mpyship serve`: a small static HTTP server for a published OTA tree on a LAN or in tests: GET and HEAD of
// files under one folder, with Content-Length and byte ranges (Range: bytes=N-), nothing else. Any static
// host serves the same tree. The server itself (cpp-httplib) is a module loaded on first use
// (static_server.cpp); a static build has none (static_server_unavailable.cpp).
#pragma once

#include "mpyship/util/error.h"

#include <filesystem>
#include <functional>
#include <string>

namespace mpyship::release {

struct ServeOptions {
    std::filesystem::path root;
    std::string bind = "127.0.0.1";
    int port = 8000; // 0: any free port
    std::function<void(int port)> on_listening;
    std::function<void(const std::string& method, const std::string& path, int status, std::size_t bytes)> on_request;
};

// Serves until stop_serving() is called (from a signal handler, say). Fails when the address is taken.
Result<void> serve_static(const ServeOptions& options);
void stop_serving();

} // namespace mpyship::release
