#include "mpyship/release/static_server.h"

#include <atomic>
#include <httplib.h>

namespace mpyship::release {
namespace {

std::atomic<httplib::Server*> g_server{nullptr};

} // namespace

Result<void> serve_static(const ServeOptions& o) {
    std::error_code ec;
    if (!std::filesystem::is_directory(o.root, ec))
        return fail("not a folder to serve", o.root.string());
    httplib::Server server;
    if (!server.set_mount_point("/", o.root.string()))
        return fail("cannot serve this folder", o.root.string());
    server.set_file_extension_and_mimetype_mapping("json", "application/json");
    server.set_file_extension_and_mimetype_mapping("z", "application/octet-stream");
    server.set_default_headers({{"Cache-Control", "no-cache"}});
    if (o.on_request)
        server.set_logger([&](const httplib::Request& req, const httplib::Response& res) {
            o.on_request(req.method, req.path, res.status, res.body.size());
        });
    int port = o.port;
    if (port == 0) {
        port = server.bind_to_any_port(o.bind);
        if (port <= 0)
            return fail("cannot listen on " + o.bind);
    } else if (!server.bind_to_port(o.bind, port)) {
        return fail("cannot listen on " + o.bind + ":" + std::to_string(port) + " (in use, or not an address of this machine)");
    }
    g_server = &server;
    if (o.on_listening)
        o.on_listening(port);
    bool ok = server.listen_after_bind();
    g_server = nullptr;
    return ok ? Result<void>{} : fail("the server stopped with an error");
}

void stop_serving() {
    if (auto* s = g_server.load())
        s->stop();
}

} // namespace mpyship::release
