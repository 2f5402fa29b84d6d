// Serial deploy into the official MicroPython WebAssembly VM behind a pseudo-terminal (node + socat +
// the npm package, as the tests use): first deploy of a 200-file project with each transfer encoding,
// then the unchanged redeploy. Prints payload bytes/s against link bytes/s, the protocol overhead
// (bytes sent / file bytes) and times. A pty has no baud rate: the numbers show the protocol and the VM,
// not a UART; at 115200 baud a link carries at most 11,520 bytes/s. Numbers only, never assertions.
// Usage: mpyship_serial_deploy_bench [path-to-mpyship] (default: the one built next to it).
#include "../tests/integration/vm_device.h"

#include "mpyship/deploy/deploy_serial.h"
#include "mpyship/util/process.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using namespace mpyship;

constexpr int k_files = 200;

void write_text(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

// 200 files: main.py, 180 modules in lib/ and sensors/, 19 assets (text-like, a few KiB each).
void make_project(const fs::path& root) {
    write_text(root / "mpyship.toml", "[project]\nversion = \"1.0\"\ntarget = \"micropython\"\n");
    write_text(root / "src" / "main.py", "import lib.m1\n");
    for (int i = 0; i < 180; ++i)
        write_text(root / "src" / (i % 2 ? "lib" : "sensors") / ("m" + std::to_string(i) + ".py"),
                   "def f(x):\n    return x * " + std::to_string(i) + "\n\nNAME = 'module " +
                       std::to_string(i) +
                       "'\n\nclass Sensor:\n    def read(self):\n        return [self.f(i) for i in range(" +
                       std::to_string(i) + ")]\n");
    for (int i = 0; i < k_files - 181; ++i) {
        std::string text;
        for (int j = 0; text.size() < std::size_t(2000 + 100 * i); ++j)
            text += "sample," + std::to_string(j) + "," + std::to_string(j * 37 % 1000) + "\n";
        write_text(root / "src" / "assets" / ("a" + std::to_string(i) + ".csv"), text);
    }
}

deploy::SerialDeployOptions options(const fs::path& project, const std::string& port,
                                    deploy::Encoding encoding) {
    deploy::SerialDeployOptions o;
    o.port = port;
    o.build_dir = project / "build";
    o.plan.entry_points = {"main.py"};
    o.generator = "bench";
    o.encoding = encoding;
    return o;
}

void print_first(const char* label, const deploy::SerialDeployReport& r) {
    const auto& t = r.sync.transfer;
    std::printf(
        "%-28s %6.2f s  files %3zu  file bytes %7llu  link bytes %7llu  payload %7.0f B/s  link %7.0f B/s  "
        "overhead %.2f  commands %zu  deflated %zu\n",
        label, r.seconds, r.sync.written, (unsigned long long)t.file_bytes, (unsigned long long)r.link_bytes,
        double(t.file_bytes) / r.seconds, double(r.link_bytes) / r.seconds,
        double(r.link_bytes) / double(t.file_bytes), t.commands, t.compressed_files);
}

int run(const fs::path& mpyship) {
    if (auto why = test::VmDevice::unavailable_reason(); !why.empty()) {
        std::printf("skipped: %s\n", why.c_str());
        return 0;
    }
    char tmpl[] = "/tmp/mpyship-serial-bench-XXXXXX";
    fs::path dir = ::mkdtemp(tmpl);
    fs::path project = dir / "proj";
    make_project(project);
    auto built = run_process({mpyship.string(), "build", project.string()});
    if (!built || built->exit_code != 0) {
        std::printf("build failed\n");
        return 1;
    }
    std::printf("serial deploy into the MicroPython WebAssembly VM over a pty (no baud limit), %d files\n",
                k_files);
    for (auto [label, encoding] : {std::pair{"first deploy, base64", deploy::Encoding::base64},
                                   std::pair{"first deploy, auto (deflate)", deploy::Encoding::automatic}}) {
        test::VmDevice vm(dir / (encoding == deploy::Encoding::base64 ? "vm-base64" : "vm-auto"));
        if (!vm.started()) {
            std::printf("VM did not start: %s\n", vm.error().c_str());
            return 1;
        }
        auto first = deploy::deploy_over_serial(options(project, vm.link(), encoding));
        if (!first) {
            std::printf("deploy failed: %s\n", first.error().to_string().c_str());
            return 1;
        }
        print_first(label, *first);
        if (encoding != deploy::Encoding::automatic)
            continue;
        for (int run = 0; run < 3; ++run) {
            auto again = deploy::deploy_over_serial(options(project, vm.link(), encoding));
            if (again)
                std::printf(
                    "unchanged redeploy            %6.2f s  written %zu  unchanged %zu  link bytes %llu\n",
                    again->seconds, again->sync.written, again->plan.unchanged,
                    (unsigned long long)again->link_bytes);
        }
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    fs::path self = fs::canonical("/proc/self/exe");
    fs::path mpyship =
        argc > 1 ? fs::path(argv[1]) : self.parent_path().parent_path() / "src" / "mpyship" / "mpyship";
    return run(mpyship);
}
