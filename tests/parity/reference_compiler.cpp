#include "reference_compiler.h"

#include "mpyship/util/file_io.h"
#include "mpyship/util/spawn.h"

#include <chrono>
#include <csignal>
#include <poll.h>
#include <cerrno>
#include <stdexcept>
#include <unistd.h>

namespace mpyship::parity {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto k_deadline = std::chrono::seconds(60); // folding a huge constant can take the reference this long

// Collects the child's stderr (stdout is drained and dropped: the reference prints nothing there when it
// writes t.mpy) until both close or the deadline passes; true when they closed in time.
bool read_until_closed(int out, int err_fd, std::string& err, Clock::time_point deadline) {
    char buf[4096];
    int fds[2] = {out, err_fd};
    while (fds[0] >= 0 || fds[1] >= 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0)
            return false;
        pollfd p[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
        const int ready = ::poll(p, 2, int(left));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            return false;
        for (int i = 0; i < 2; ++i) {
            if (fds[i] < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            const ssize_t n = ::read(fds[i], buf, sizeof buf);
            if (n > 0 && i == 1)
                err.append(buf, std::size_t(n));
            else if (n == 0 || (n < 0 && errno != EINTR))
                fds[i] = -1; // closed by the caller
        }
    }
    return true;
}

} // namespace

ReferenceCompiler::ReferenceCompiler(std::filesystem::path binary, std::filesystem::path work_dir)
    : m_binary(std::move(binary)), m_dir(std::move(work_dir)) {
    std::filesystem::create_directories(m_dir);
}

// The binary is started directly (no `timeout` wrapper: on this kind of machine every extra process costs
// as much as the reference's whole compile); the deadline is kept here, killing it with SIGKILL.
Outcome ReferenceCompiler::compile(const std::string& source, const Config& config) const {
    const auto out = m_dir / "t.mpy";
    std::filesystem::remove(out);
    if (!write_file_replace(m_dir / "t.py", source))
        throw std::runtime_error("cannot write " + (m_dir / "t.py").string());
    std::vector<std::string> argv = {m_binary.string(), "-o", "t.mpy",
                                     "-msmall-int-bits=" + std::to_string(config.small_int_bits)};
    if (config.opt_level > 0)
        argv.push_back("-O" + std::to_string(config.opt_level));
    if (!config.march.empty())
        argv.push_back("-march=" + config.march);
    argv.push_back("t.py");
    auto child = spawn({argv, {}, m_dir, false, false});
    if (!child)
        throw std::runtime_error("cannot run " + m_binary.string() + ": " + child.error().message);
    Outcome outcome;
    const bool finished = read_until_closed(child->out, child->err, outcome.error, Clock::now() + k_deadline);
    if (!finished)
        ::kill(child->pid, SIGKILL);
    for (int fd : {child->in, child->out, child->err})
        if (fd >= 0)
            ::close(fd);
    const int exit_code = wait_exit_code(child->pid);
    if (!finished) {
        outcome.error = "(the reference ran for more than 60 s)\n";
        outcome.timed_out = true;
        return outcome;
    }
    if (exit_code != 0)
        return outcome;
    outcome.error.clear();
    const auto bytes = read_file(out);
    if (!bytes)
        throw std::runtime_error("the reference wrote no " + out.string());
    outcome.compiled = true;
    outcome.mpy.assign(bytes->begin(), bytes->end());
    return outcome;
}

} // namespace mpyship::parity
