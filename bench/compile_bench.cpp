// Single-thread compile throughput over every program of the compile corpus (the shared corpus when
// present, else tests/data/corpus): MB/s of source and peak memory. Prints numbers; asserts nothing.
// Usage: mpyship_compile_bench [DIR [ROUNDS]]
#include "mpyship/compiler/compiler.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/resource.h>
#include <vector>

namespace fs = std::filesystem;

int main(int argc, char** argv) {
    fs::path dir = argc > 1 ? fs::path(argv[1]) : fs::path(MPYSHIP_BENCH_CORPUS) / "compile";
    if (!fs::is_directory(dir))
        dir = fs::path(MPYSHIP_BENCH_FALLBACK) / "compile";
    std::vector<std::pair<std::string, std::string>> sources;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".py") {
            std::ifstream in(e.path(), std::ios::binary);
            sources.emplace_back(e.path().filename().string(),
                                 std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
        }
    std::sort(sources.begin(), sources.end());
    // Optional second argument: rounds per target (1 under callgrind).
    const int rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
    std::size_t bytes = 0;
    for (const auto& s : sources)
        bytes += s.second.size();
    for (auto target : {mpyship::compiler::Target::micropython, mpyship::compiler::Target::circuitpython}) {
        std::size_t ok = 0;
        auto start = std::chrono::steady_clock::now();
        for (int r = 0; r < rounds; ++r)
            for (const auto& [name, text] : sources) {
                mpyship::compiler::Options options;
                options.target = target;
                options.source_name = name;
                ok += mpyship::compiler::compile_module(text, options).has_value() ? 1 : 0;
            }
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("%-13s %zu files, %.2f MB of source x %d: %.3f s, %.1f MB/s, %zu/%zu compiled\n",
                    target == mpyship::compiler::Target::micropython ? "micropython" : "circuitpython",
                    sources.size(), double(bytes) / 1e6, rounds, seconds, double(bytes) * rounds / 1e6 / seconds,
                    ok / rounds, sources.size());
    }
    struct rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("peak memory (max RSS): %.1f MB\n", double(usage.ru_maxrss) / 1024.0);
    return 0;
}
