// `mpyship build` on a generated project of about 2,000 files (modules from the compile corpus plus
// assets): cold build, then a no-op rebuild. Prints both times, the counters and peak memory.
#include "mpyship/project/builder.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sys/resource.h>

namespace fs = std::filesystem;
using mpyship::project::BuildReport;

namespace {

void make_project(const fs::path& root, const fs::path& corpus) {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(corpus)) {
        if (e.path().extension() != ".py")
            continue;
        fs::path dest = root / "src" / "lib" / ("pkg" + std::to_string(n % 20)) / e.path().filename();
        fs::create_directories(dest.parent_path());
        fs::copy_file(e.path(), dest, fs::copy_options::overwrite_existing);
        ++n;
    }
    for (std::size_t i = 0; i < 500; ++i) {
        fs::path asset = root / "src" / "assets" / ("img" + std::to_string(i) + ".bmp");
        fs::create_directories(asset.parent_path());
        std::ofstream(asset, std::ios::binary) << std::string(2048 + i, char('a' + i % 26));
    }
    std::ofstream(root / "src" / "code.py") << "import lib\n";
}

double timed_build(const mpyship::project::ProjectConfig& config, BuildReport& report) {
    auto start = std::chrono::steady_clock::now();
    auto r = mpyship::project::run_build(config, {});
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!r) {
        std::fprintf(stderr, "build failed: %s\n", r.error().to_string().c_str());
        std::exit(1);
    }
    report = *r;
    return ms;
}

void print(const char* label, double ms, const BuildReport& r) {
    const auto& c = r.counters;
    std::printf("%-8s %9.1f ms  (%zu compiled, %zu up to date, %zu copied, %zu failed, %zu removed)\n", label,
                ms, c.compiled, c.up_to_date, c.copied, c.failed, c.removed);
}

} // namespace

int main(int argc, char** argv) {
    fs::path corpus = argc > 1 ? fs::path(argv[1]) : fs::path(MPYSHIP_BENCH_CORPUS) / "compile";
    if (!fs::is_directory(corpus))
        corpus = fs::path(MPYSHIP_BENCH_FALLBACK) / "compile";
    fs::path root = fs::temp_directory_path() / "mpyship-build-bench";
    fs::remove_all(root);
    make_project(root, corpus);
    auto config = mpyship::project::load_project_config(root);
    if (!config)
        return 1;
    config->target = mpyship::compiler::Target::micropython;
    config->version = "bench";
    BuildReport cold, noop;
    print("cold", timed_build(*config, cold), cold);
    print("no-op", timed_build(*config, noop), noop);
    struct rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("peak memory (max RSS): %.1f MB\n", double(usage.ru_maxrss) / 1024.0);
    fs::remove_all(root);
    return 0;
}
