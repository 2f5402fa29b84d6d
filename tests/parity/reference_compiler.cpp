#include "reference_compiler.h"

#include "mpyship/util/file_io.h"
#include "mpyship/util/process.h"

#include <stdexcept>

namespace mpyship::parity {

ReferenceCompiler::ReferenceCompiler(std::filesystem::path binary, std::filesystem::path work_dir)
    : m_binary(std::move(binary)), m_dir(std::move(work_dir)) {
    std::filesystem::create_directories(m_dir);
}

Outcome ReferenceCompiler::compile(const std::string& source, const Config& config) const {
    const auto out = m_dir / "t.mpy";
    std::filesystem::remove(out);
    if (!write_file_replace(m_dir / "t.py", source))
        throw std::runtime_error("cannot write " + (m_dir / "t.py").string());
    std::vector<std::string> argv = {"timeout", "60", m_binary.string(), "-o", "t.mpy",
                                     "-msmall-int-bits=" + std::to_string(config.small_int_bits)};
    if (config.opt_level > 0)
        argv.push_back("-O" + std::to_string(config.opt_level));
    if (!config.march.empty())
        argv.push_back("-march=" + config.march);
    argv.push_back("t.py");
    const auto run = run_process(argv, {}, m_dir);
    if (!run)
        throw std::runtime_error("cannot run " + m_binary.string());
    Outcome outcome;
    if (run->exit_code == 124) {
        outcome.error = "(the reference ran for more than 60 s)\n"; // folding a huge constant, for one
        outcome.timed_out = true;
        return outcome;
    }
    if (run->exit_code != 0) {
        outcome.error = run->err;
        return outcome;
    }
    const auto bytes = read_file(out);
    if (!bytes)
        throw std::runtime_error("the reference wrote no " + out.string());
    outcome.compiled = true;
    outcome.mpy.assign(bytes->begin(), bytes->end());
    return outcome;
}

} // namespace mpyship::parity
