// Finds node and the runner, runs batches and reads the JSON lines back.
#include "vm_runner.h"

#include "../support/test_support.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace mpyship::test {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t k_batch_size = 400; // keeps the command line short whatever the corpus size

fs::path node_dir() {
    return MPYSHIP_NODE_TEST_DIR;
}
fs::path runner_script() {
    return node_dir() / "run_mpy.mjs";
}
fs::path vm_package() {
    return node_dir() / "node_modules/@micropython/micropython-webassembly-pyscript";
}

// MPYSHIP_NODE names the node binary; otherwise `node` (or Debian's older `nodejs`) on PATH.
fs::path find_node() {
    if (const char* env = std::getenv("MPYSHIP_NODE"))
        return fs::is_regular_file(env) ? fs::path(env) : fs::path();
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path ? path : "");
    for (std::string dir; std::getline(dirs, dir, ':');)
        for (const char* name : {"node", "nodejs"})
            if (!dir.empty() && fs::is_regular_file(fs::path(dir) / name))
                return fs::path(dir) / name;
    return {};
}

std::vector<VmRun> run_batch(const fs::path& node, const std::vector<fs::path>& files) {
    std::vector<std::string> argv = {node.string(), runner_script().string(), "--batch"};
    for (const fs::path& f : files)
        argv.push_back(f.string());
    const RunResult r = run_program(argv);
    if (r.exit_code != 0)
        throw std::runtime_error("run_mpy.mjs exited with " + std::to_string(r.exit_code) + ":\n" + r.err);
    std::vector<VmRun> runs;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        const auto j = nlohmann::json::parse(line);
        runs.push_back({j.at("status").get<std::string>(), j.at("exit").get<int>(),
                        j.at("stdout").get<std::string>(), j.at("stderr").get<std::string>()});
    }
    if (runs.size() != files.size())
        throw std::runtime_error("run_mpy.mjs gave " + std::to_string(runs.size()) + " results for " +
                                 std::to_string(files.size()) + " programs:\n" + r.err);
    return runs;
}

} // namespace

std::string vm_unavailable_reason() {
    if (find_node().empty())
        return "node is not installed (Debian: apt-get install nodejs npm)";
    if (!fs::is_regular_file(vm_package() / "package.json"))
        return "the MicroPython WebAssembly VM is not installed (npm ci --prefix tests/node)";
    return "";
}

std::vector<VmRun> run_in_vm(const std::vector<fs::path>& mpy_files) {
    const fs::path node = find_node();
    std::vector<VmRun> runs;
    for (std::size_t at = 0; at < mpy_files.size(); at += k_batch_size) {
        const auto end = mpy_files.begin() + std::ptrdiff_t(std::min(mpy_files.size(), at + k_batch_size));
        const auto batch = run_batch(node, {mpy_files.begin() + std::ptrdiff_t(at), end});
        runs.insert(runs.end(), batch.begin(), batch.end());
    }
    return runs;
}

} // namespace mpyship::test
