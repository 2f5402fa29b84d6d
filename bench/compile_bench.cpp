// Single-thread compile throughput over every program of the compile corpus (the shared corpus when
// present, else tests/data/corpus): MB/s of source and peak memory. Prints numbers; asserts nothing.
// CircuitPython rejects some programs early (t-strings), which inflates its whole-corpus number, so a
// second line per target times only the programs both targets accept.
// Usage: mpyship_compile_bench [DIR [ROUNDS [ARCH]]]
// With ARCH (x64, armv7m, rv32imc, xtensawin, ...) every program is compiled with -march=ARCH, so native,
// viper and inline assembler functions become machine code (the compile speed with native code).
#include "mpyship/compiler/compiler.h"
#include "mpyship/mpy/format.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/resource.h>
#include <time.h>
#include <vector>

namespace fs = std::filesystem;
using mpyship::compiler::Target;

namespace {

struct Source {
    std::string name;
    std::string text;
};

std::vector<Source> load_sources(const fs::path& dir) {
    std::vector<Source> sources;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".py") {
            std::ifstream in(e.path(), std::ios::binary);
            sources.push_back({e.path().filename().string(), std::string(std::istreambuf_iterator<char>(in),
                                                                         std::istreambuf_iterator<char>())});
        }
    std::sort(sources.begin(), sources.end(),
              [](const Source& a, const Source& b) { return a.name < b.name; });
    return sources;
}

mpyship::mpy::NativeArch g_arch = mpyship::mpy::NativeArch::none; // from the ARCH argument

bool compiles(const Source& s, Target target) {
    mpyship::compiler::Options options;
    options.target = target;
    options.arch = g_arch;
    options.march_given = g_arch != mpyship::mpy::NativeArch::none;
    options.source_name = s.name;
    return mpyship::compiler::compile_module(s.text, options).has_value();
}

double thread_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

const char* target_name(Target t) {
    return t == Target::micropython ? "micropython" : "circuitpython";
}

void run(const char* label, const std::vector<const Source*>& set, Target target, int rounds) {
    std::size_t bytes = 0, ok = 0;
    for (const Source* s : set)
        bytes += s->text.size();
    auto start = std::chrono::steady_clock::now();
    const double cpu_start = thread_cpu_seconds();
    for (int r = 0; r < rounds; ++r)
        for (const Source* s : set)
            ok += compiles(*s, target) ? 1 : 0;
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu_seconds = thread_cpu_seconds() - cpu_start;
    // The wall clock is the figure; the thread's CPU time beside it shows how much of a slow run was the
    // machine's other work (on a shared VM the two can differ by a third).
    std::printf("%-13s %-9s %zu files, %.2f MB of source x %d: %.3f s, %.1f MB/s (thread CPU %.3f s, %.1f MB/s), "
                "%zu/%zu compiled\n",
                target_name(target), label, set.size(), double(bytes) / 1e6, rounds, seconds,
                double(bytes) * rounds / 1e6 / seconds, cpu_seconds, double(bytes) * rounds / 1e6 / cpu_seconds,
                ok / rounds, set.size());
}

} // namespace

int main(int argc, char** argv) {
    fs::path dir = argc > 1 ? fs::path(argv[1]) : fs::path(MPYSHIP_BENCH_CORPUS) / "compile";
    if (!fs::is_directory(dir))
        dir = fs::path(MPYSHIP_BENCH_FALLBACK) / "compile";
    const std::vector<Source> sources = load_sources(dir);
    // Optional second argument: rounds per target (1 under callgrind; 0 skips the accepted-only lines).
    const int rounds = argc > 2 ? std::max(0, std::atoi(argv[2])) : 3;
    if (argc > 3) {
        const auto arch = mpyship::mpy::native_arch_from_name(argv[3]);
        if (!arch) {
            std::fprintf(stderr, "mpyship_compile_bench: unknown architecture '%s'\n", argv[3]);
            return 2;
        }
        g_arch = *arch;
        std::printf("-march=%s\n", argv[3]);
    }
    std::vector<const Source*> all, accepted;
    for (const Source& s : sources)
        all.push_back(&s);
    for (auto target : {Target::micropython, Target::circuitpython})
        run("all", all, target, std::max(1, rounds));
    if (rounds > 0) {
        for (const Source& s : sources)
            if (compiles(s, Target::micropython) && compiles(s, Target::circuitpython))
                accepted.push_back(&s);
        for (auto target : {Target::micropython, Target::circuitpython})
            run("accepted", accepted, target, rounds);
    }
    struct rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("peak memory (max RSS): %.1f MB\n", double(usage.ru_maxrss) / 1024.0);
    return 0;
}
