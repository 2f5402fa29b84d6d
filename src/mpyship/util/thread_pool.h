// Runs independent jobs on N threads. Results are written by index so that callers can produce
// deterministic output regardless of the order in which work finishes.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace mpyship {

// Calls fn(i) for every i in [0, count) on up to `jobs` threads (jobs <= 1: on the calling thread).
inline void parallel_for(std::size_t count, unsigned jobs, const std::function<void(std::size_t)>& fn) {
    if (jobs <= 1 || count <= 1) {
        for (std::size_t i = 0; i < count; ++i)
            fn(i);
        return;
    }
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        for (std::size_t i = next++; i < count; i = next++)
            fn(i);
    };
    std::vector<std::jthread> threads;
    unsigned n = unsigned(std::min<std::size_t>(jobs, count));
    for (unsigned t = 1; t < n; ++t)
        threads.emplace_back(worker);
    worker();
}

inline unsigned default_jobs() {
    unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : n;
}

} // namespace mpyship
