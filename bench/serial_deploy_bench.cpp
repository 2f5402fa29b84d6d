// Serial deploy into the official MicroPython WebAssembly VM behind a pseudo-terminal (node + socat +
// the npm package, as the tests use), paced like a UART (repl_bridge.mjs --baud: baud/10 bytes per second
// each way), for both device kinds: one with raw-paste (the bridge plays the board's side of the flow
// control) and one without (plain raw REPL). For each: the first deploy of a 200-file project, payload
// (file bytes per second) as a percentage of the link rate, then the unchanged redeploy (median of 3).
// Each mpyship binary named runs against its own fresh VMs, so before/after come from one run.
// Numbers only, never assertions.
// Usage: mpyship_serial_deploy_bench [--baud N] [MPYSHIP...] (default: 115200 and the mpyship built next to
// it;
//        --baud 0 leaves the link unpaced, which measures the protocol and the VM, not a UART)
#include "../tests/integration/vm_device.h"

#include "mpyship/util/process.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>
#include <vector>

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

struct Deploy {
    bool ok = false;
    double seconds = 0; // the deploy's own time, from opening the port to leaving the raw REPL
    double file_bytes = 0, link_bytes = 0;
    std::size_t written = 0, commands = 0, compressed = 0;
    std::string mode, error;
};

Deploy deploy(const fs::path& mpyship, const fs::path& project, const std::string& link) {
    auto r = run_process({mpyship.string(), "deploy", project.string(), "--port", link, "--json"});
    Deploy d;
    if (!r) {
        d.error = r.error().to_string();
        return d;
    }
    auto j = nlohmann::json::parse(r->out, nullptr, false);
    if (r->exit_code != 0 || j.is_discarded() || !j.contains("link")) {
        d.error = r->out + r->err;
        return d;
    }
    const auto& l = j["link"];
    d.ok = true;
    d.seconds = l["seconds"].get<double>();
    d.file_bytes = l["file_bytes"].get<double>();
    d.link_bytes = l["bytes_sent"].get<double>();
    d.commands = l["commands"].get<std::size_t>();
    d.compressed = l["compressed_files"].get<std::size_t>();
    d.written = j["counters"]["written"].get<std::size_t>();
    d.mode = l["mode"].get<std::string>();
    return d;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

// One binary against one fresh device: the first deploy, then three unchanged redeploys.
bool measure(const fs::path& mpyship, const fs::path& dir, const fs::path& project, bool paste,
             unsigned baud) {
    test::VmDevice vm(dir / ("vm-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand())),
                      test::VmDeviceOptions{.raw_paste = paste, .baud = baud});
    if (!vm.started()) {
        std::printf("VM did not start: %s\n", vm.error().c_str());
        return false;
    }
    Deploy first = deploy(mpyship, project, vm.link());
    if (!first.ok) {
        std::printf("deploy failed: %s\n", first.error.c_str());
        return false;
    }
    std::vector<double> again;
    for (int i = 0; i < 3; ++i)
        if (Deploy d = deploy(mpyship, project, vm.link()); d.ok)
            again.push_back(d.seconds);
    double payload = first.file_bytes / first.seconds;
    std::printf("%-10s %-9s %6.2f s  files %3zu  file bytes %6.0f  link bytes %6.0f  payload %6.0f B/s",
                paste ? "raw-paste" : "plain raw", first.mode.c_str(), first.seconds, first.written,
                first.file_bytes, first.link_bytes, payload);
    if (baud > 0)
        std::printf("  %5.1f%% of the link (busy %4.1f%%)", 100.0 * payload / (baud / 10.0),
                    100.0 * first.link_bytes / first.seconds / (baud / 10.0));
    std::printf("  commands %zu  deflated %zu  unchanged redeploy %.2f s\n", first.commands, first.compressed,
                median(again));
    return true;
}

int run(const std::vector<fs::path>& binaries, unsigned baud) {
    if (auto why = test::VmDevice::unavailable_reason(); !why.empty()) {
        std::printf("skipped: %s\n", why.c_str());
        return 0;
    }
    char tmpl[] = "/tmp/mpyship-serial-bench-XXXXXX";
    fs::path dir = ::mkdtemp(tmpl);
    fs::path project = dir / "proj";
    make_project(project);
    auto built = run_process({binaries.front().string(), "build", project.string()});
    if (!built || built->exit_code != 0) {
        std::printf("build failed\n");
        return 1;
    }
    if (baud > 0)
        std::printf(
            "serial deploy into the MicroPython WebAssembly VM, %d files, link paced at %u baud (%u B/s "
            "each way)\n",
            k_files, baud, baud / 10);
    else
        std::printf("serial deploy into the MicroPython WebAssembly VM, %d files, unpaced pty\n", k_files);
    int status = 0;
    for (const auto& mpyship : binaries) {
        std::printf("%s\n", mpyship.c_str());
        for (bool paste : {true, false})
            if (!measure(mpyship, dir, project, paste, baud))
                status = 1;
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    return status;
}

} // namespace

int main(int argc, char** argv) {
    unsigned baud = 115200;
    std::vector<fs::path> binaries;
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--baud" && i + 1 < argc)
            baud = unsigned(std::atoi(argv[++i]));
        else
            binaries.emplace_back(argv[i]);
    }
    if (binaries.empty())
        binaries.push_back(fs::canonical("/proc/self/exe").parent_path().parent_path() / "src" / "mpyship" /
                           "mpyship");
    return run(binaries, baud);
}
