// `mpyship serve` in a dynamic build: the server lives in mpyship-serve.so (serve_module.cpp), loaded on the
// first call, so that cpp-httplib, libssl and libcrypto are not loaded by every other command. The module
// is looked for beside the executable (a build tree: both are in build/src/mpyship/), then in
// <executable's folder>/../lib/mpyship/ (an install: /usr/bin/mpyship and /usr/lib/mpyship/, or an
// unpacked archive), which is where cmake/distribution.cmake installs it.
#include "mpyship/release/static_server.h"

#include "mpyship/release/serve_module_api.h"

#include <array>
#include <atomic>
#include <dlfcn.h>
#include <vector>

namespace mpyship::release {
namespace {

struct ServeModule {
    mpyship_serve_fn serve = nullptr;
    mpyship_serve_stop_fn stop = nullptr;
};

// Set once the module is loaded, for stop_serving(), which may run on another thread.
std::atomic<mpyship_serve_stop_fn> g_stop{nullptr};

Result<std::vector<std::filesystem::path>> module_candidates() {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec)
        return fail("cannot find the server module: /proc/self/exe is unreadable (" + ec.message() + ")");
    auto dir = exe.parent_path();
    return std::vector{dir / k_serve_module_name,
                       (dir / ".." / "lib" / "mpyship" / k_serve_module_name).lexically_normal()};
}

Result<ServeModule> load_from(const std::filesystem::path& file) {
    void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char* why = ::dlerror(); // names a missing dependency, libcpp-httplib say
        return fail(std::string("cannot load the server module: ") + (why ? why : "unknown error"),
                    file.string());
    }
    ServeModule module{reinterpret_cast<mpyship_serve_fn>(::dlsym(handle, k_serve_symbol)),
                       reinterpret_cast<mpyship_serve_stop_fn>(::dlsym(handle, k_serve_stop_symbol))};
    if (module.serve == nullptr || module.stop == nullptr)
        return fail(std::string("not the server module of this mpyship (it has no ") + k_serve_symbol + ")",
                    file.string()); // the handle stays open: harmless, and the process is about to fail
    return module;
}

Result<ServeModule> load() {
    auto candidates = module_candidates();
    if (!candidates)
        return std::unexpected(candidates.error());
    for (const auto& file : *candidates) {
        std::error_code ec;
        if (std::filesystem::exists(file, ec))
            return load_from(file);
    }
    return fail("`serve` needs the server module " + std::string(k_serve_module_name) + ", which is not at " +
                (*candidates)[0].string() + " nor at " + (*candidates)[1].string() +
                " (a build puts it beside the mpyship executable, an install in lib/mpyship/)");
}

Result<ServeModule> load_once() {
    static const Result<ServeModule> module = load(); // C++ makes this thread-safe
    if (module)
        g_stop = module->stop;
    return module;
}

// The module's callbacks: a C function and the options as its context. An exception cannot go back through
// the module's C interface; noexcept makes one end the process, as it would on the server's threads anyway.
void on_listening(void* context, int port) noexcept {
    static_cast<const ServeOptions*>(context)->on_listening(port);
}

void on_request(void* context, const char* method, const char* path, int status, std::size_t bytes) noexcept {
    static_cast<const ServeOptions*>(context)->on_request(method, path, status, bytes);
}

} // namespace

Result<void> serve_static(const ServeOptions& o) {
    std::error_code ec;
    if (!std::filesystem::is_directory(o.root, ec))
        return fail("not a folder to serve", o.root.string());
    auto module = load_once();
    if (!module)
        return std::unexpected(module.error());
    std::array<char, 512> error{};
    std::string root = o.root.string();
    mpyship_serve_options_v1 options{root.c_str(),
                                     o.bind.c_str(),
                                     o.port,
                                     o.on_listening ? &on_listening : nullptr,
                                     o.on_request ? &on_request : nullptr,
                                     const_cast<ServeOptions*>(&o),
                                     error.data(),
                                     error.size()};
    if (module->serve(&options) != 0)
        return fail(error.data());
    return {};
}

void stop_serving() {
    if (auto stop = g_stop.load())
        stop();
}

} // namespace mpyship::release
