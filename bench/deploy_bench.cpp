// Deploy onto a real FAT16 image mounted with fusefat (needs root, /dev/fuse, fusefat, mkfs.fat): prints the
// time to redeploy an unchanged 200-file project and the bytes written for a one-file change. Numbers only,
// never assertions. Usage: mpyship_deploy_bench [path-to-mpyship] (default: the one built next to it).
#include "../tests/integration/fat_image.h"

#include "mpyship/util/process.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

constexpr int k_files = 200;
constexpr int k_runs = 5;

void write_text(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

// 200 files: code.py, 180 modules in lib/ and sensors/, 19 assets of a few KiB.
void make_project(const fs::path& root) {
    write_text(root / "mpyship.toml", "[project]\nversion = \"1.0\"\ntarget = \"circuitpython\"\n");
    write_text(root / "src" / "code.py", "import lib.m0\n");
    for (int i = 0; i < 180; ++i)
        write_text(root / "src" / (i % 2 ? "lib" : "sensors") / ("m" + std::to_string(i) + ".py"),
                   "def f(x):\n    return x * " + std::to_string(i) + "\n\nNAME = 'module " +
                       std::to_string(i) + "'\n");
    for (int i = 0; i < k_files - 181; ++i)
        write_text(root / "src" / "assets" / ("a" + std::to_string(i) + ".bin"),
                   std::string(3000 + 100 * i, 'a' + i % 26));
}

nlohmann::json run_json(const std::vector<std::string>& argv) {
    auto r = mpyship::run_process(argv);
    if (!r || r->exit_code != 0) // thrown, so the image is unmounted on the way out
        throw std::runtime_error(r ? r->err : r.error().to_string());
    return nlohmann::json::parse(r->out, nullptr, false);
}

double seconds_since(clock_type::time_point t) {
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

} // namespace

void run_bench(const fs::path& bin, const fs::path& dir);

int main(int argc, char** argv) {
    if (auto why = mpyship::test::FatImage::unavailable_reason(); !why.empty()) {
        std::printf("deploy bench skipped: %s\n", why.c_str());
        return 0;
    }
    fs::path bin = argc > 1 ? fs::path(argv[1])
                            : fs::canonical("/proc/self/exe").parent_path().parent_path() / "src" /
                                  "mpyship" / "mpyship";
    fs::path dir = fs::temp_directory_path() / ("mpyship-deploy-bench-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    try {
        run_bench(bin, dir);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "deploy bench failed: %s\n", e.what());
    }
    fs::remove_all(dir);
    return 0;
}

void run_bench(const fs::path& bin, const fs::path& dir) {
    make_project(dir / "proj");
    run_json({bin.string(), "build", (dir / "proj").string(), "--json"});
    {
        mpyship::test::FatImage img(dir / "img", 16, 16384);
        if (!img.mount())
            throw std::runtime_error(img.error());
        write_text(img.mount_point() / "boot_out.txt",
                   "Adafruit CircuitPython 10.2.1 on 2025-10-01; Bench with rp2040\n");
        std::vector<std::string> deploy{
            bin.string(), "deploy", (dir / "proj").string(), "--to", img.mount_point().string(), "--json"};
        auto t0 = clock_type::now();
        auto first = run_json(deploy);
        std::printf("first deploy: %d files, %llu bytes written in %.3f s\n",
                    first["counters"]["written"].get<int>(),
                    first["counters"]["bytes_written"].get<unsigned long long>(), seconds_since(t0));
        double best = 1e9, total = 0;
        for (int i = 0; i < k_runs; ++i) {
            auto t = clock_type::now();
            auto again = run_json(deploy);
            double s = seconds_since(t);
            best = std::min(best, s), total += s;
            if (again["counters"]["written"].get<int>() != 0)
                std::printf("warning: unchanged redeploy wrote files\n");
        }
        std::printf("unchanged redeploy (%d files): best %.3f s, mean %.3f s over %d runs, 0 files written\n",
                    k_files, best, total / k_runs, k_runs);
        write_text(dir / "proj" / "src" / "lib" / "m1.py", "def f(x):\n    return x + 1\n");
        run_json({bin.string(), "build", (dir / "proj").string(), "--json"});
        auto t = clock_type::now();
        auto one = run_json(deploy);
        std::printf(
            "one-file change: %d file(s), %llu bytes written (record %s) in %.3f s\n",
            one["counters"]["written"].get<int>(), one["counters"]["bytes_written"].get<unsigned long long>(),
            one["counters"]["record_written"].get<bool>() ? "rewritten" : "unchanged", seconds_since(t));
        img.unmount();
    }
}
