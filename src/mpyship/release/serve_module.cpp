// mpyship-serve.so: the HTTP server of `mpyship serve` on cpp-httplib, behind the C interface of
// serve_module_api.h. Only std and cpp-httplib: errors are text in the caller's buffer, and no exception
// leaves the module.
#include "mpyship/release/serve_module_api.h"

#include <atomic>
#include <cstdio>
#include <httplib.h>
#include <string>
#include <type_traits>

namespace {

std::atomic<httplib::Server*> g_server{nullptr};

int fail(const mpyship_serve_options_v1& o, const std::string& message) {
    if (o.error != nullptr && o.error_size > 0)
        std::snprintf(o.error, o.error_size, "%s", message.c_str());
    return -1;
}

void configure(httplib::Server& server, const mpyship_serve_options_v1& o) {
    server.set_file_extension_and_mimetype_mapping("json", "application/json");
    server.set_file_extension_and_mimetype_mapping("z", "application/octet-stream");
    server.set_default_headers({{"Cache-Control", "no-cache"}});
    if (o.on_request != nullptr)
        server.set_logger([&o](const httplib::Request& req, const httplib::Response& res) {
            o.on_request(o.context, req.method.c_str(), req.path.c_str(), res.status, res.body.size());
        });
}

// The bound port, or -1 with the error filled in.
int bind_port(httplib::Server& server, const mpyship_serve_options_v1& o) {
    std::string address = o.bind;
    if (o.port == 0) {
        int port = server.bind_to_any_port(address);
        return port > 0 ? port : fail(o, "cannot listen on " + address);
    }
    if (!server.bind_to_port(address, o.port))
        return fail(o, "cannot listen on " + address + ":" + std::to_string(o.port) +
                           " (in use, or not an address of this machine)");
    return o.port;
}

int serve(const mpyship_serve_options_v1& o) {
    httplib::Server server;
    if (!server.set_mount_point("/", o.root))
        return fail(o, std::string(o.root) + ": cannot serve this folder");
    configure(server, o);
    int port = bind_port(server, o);
    if (port < 0)
        return -1;
    g_server = &server;
    if (o.on_listening != nullptr)
        o.on_listening(o.context, port);
    bool ok = server.listen_after_bind();
    g_server = nullptr;
    return ok ? 0 : fail(o, "the server stopped with an error");
}

} // namespace

extern "C" __attribute__((visibility("default"))) int
mpyship_serve_v1(const mpyship_serve_options_v1* options) {
    try {
        return serve(*options);
    } catch (const std::exception& e) {
        return fail(*options, std::string("the server failed: ") + e.what());
    } catch (...) {
        return fail(*options, "the server failed");
    }
}

extern "C" __attribute__((visibility("default"))) void mpyship_serve_stop_v1() {
    if (auto* s = g_server.load())
        s->stop();
}

// The loader casts dlsym()'s result to these types: the definitions must keep to them.
static_assert(std::is_same_v<decltype(&mpyship_serve_v1), mpyship_serve_fn>);
static_assert(std::is_same_v<decltype(&mpyship_serve_stop_v1), mpyship_serve_stop_fn>);
