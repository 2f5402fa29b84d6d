// Runs compiled programs in the official MicroPython v1.28.0 WebAssembly VM through
// tests/node/run_mpy.mjs: one node process per batch, one fresh VM per program, results parsed from
// the runner's JSON lines. Needs node on PATH and `npm ci --prefix tests/node` done.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace mpyship::test {

struct VmRun {
    std::string status; // ok | exception | timeout | output-limit | vm-error
    int exit_code = -1; // 0 success, 1 uncaught exception, SystemExit's code
    std::string out;
    std::string err;
};

// Why programs cannot be run here (node or the npm package missing), or "" when they can.
std::string vm_unavailable_reason();

// Runs every file (in batches of a few hundred per node process); results in the order of `mpy_files`.
// Throws std::runtime_error when the runner itself fails.
std::vector<VmRun> run_in_vm(const std::vector<std::filesystem::path>& mpy_files);

} // namespace mpyship::test
