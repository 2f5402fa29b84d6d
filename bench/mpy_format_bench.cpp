// Throughput of the .mpy format library over every golden .mpy of the corpus (the shared corpus when
// present, else the subset in tests/data): read (validate), write, disassemble. Reports bytes/s.
#include "mpyship/mpy/disassembler.h"
#include "mpyship/mpy/reader.h"
#include "mpyship/mpy/writer.h"

#include <algorithm>
#include <benchmark/benchmark.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace {

using Files = std::vector<std::vector<std::uint8_t>>;

const Files& corpus() {
    static const Files files = [] {
        Files out;
        std::filesystem::path dir = MPYSHIP_BENCH_CORPUS;
        if (!std::filesystem::is_directory(dir))
            dir = MPYSHIP_BENCH_FALLBACK;
        std::vector<std::filesystem::path> paths;
        for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
            if (e.path().extension() == ".mpy")
                paths.push_back(e.path());
        std::sort(paths.begin(), paths.end());
        for (const auto& p : paths) {
            std::ifstream in(p, std::ios::binary);
            out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
        return out;
    }();
    return files;
}

std::size_t total_bytes() {
    std::size_t n = 0;
    for (const auto& f : corpus())
        n += f.size();
    return n;
}

void BM_ReadAll(benchmark::State& state) {
    for (auto _ : state)
        for (const auto& f : corpus())
            benchmark::DoNotOptimize(mpyship::mpy::read_module(f));
    state.SetBytesProcessed(std::int64_t(state.iterations() * total_bytes()));
    state.counters["files"] = double(corpus().size());
}
BENCHMARK(BM_ReadAll)->Unit(benchmark::kMillisecond);

void BM_WriteAll(benchmark::State& state) {
    std::vector<mpyship::mpy::Module> modules;
    for (const auto& f : corpus())
        modules.push_back(*mpyship::mpy::read_module(f));
    for (auto _ : state)
        for (const auto& m : modules)
            benchmark::DoNotOptimize(mpyship::mpy::write_module(m));
    state.SetBytesProcessed(std::int64_t(state.iterations() * total_bytes()));
}
BENCHMARK(BM_WriteAll)->Unit(benchmark::kMillisecond);

void BM_DisassembleAll(benchmark::State& state) {
    std::vector<mpyship::mpy::Module> modules;
    for (const auto& f : corpus())
        modules.push_back(*mpyship::mpy::read_module(f));
    for (auto _ : state)
        for (const auto& m : modules)
            benchmark::DoNotOptimize(mpyship::mpy::disassemble(m));
    state.SetBytesProcessed(std::int64_t(state.iterations() * total_bytes()));
}
BENCHMARK(BM_DisassembleAll)->Unit(benchmark::kMillisecond);

} // namespace
