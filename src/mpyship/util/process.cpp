#include "mpyship/util/process.h"

#include "mpyship/util/spawn.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string_view>
#include <unistd.h>
#include <utility>

namespace mpyship {
namespace {

// While it lives, a write to a pipe whose reader has exited fails with EPIPE instead of killing us with
// SIGPIPE (a child may exit without reading all of its input). A SIGPIPE raised meanwhile is consumed.
class SigpipeBlocked {
  public:
    SigpipeBlocked() {
        sigemptyset(&m_pipe);
        sigaddset(&m_pipe, SIGPIPE);
        sigset_t pending;
        sigpending(&pending);
        m_was_pending = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &m_pipe, &m_old);
    }
    ~SigpipeBlocked() {
        sigset_t pending;
        sigpending(&pending);
        if (!m_was_pending && sigismember(&pending, SIGPIPE) == 1) {
            timespec zero{0, 0};
            sigtimedwait(&m_pipe, nullptr, &zero);
        }
        pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
    }
    SigpipeBlocked(const SigpipeBlocked&) = delete;
    SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

  private:
    sigset_t m_pipe{};
    sigset_t m_old{};
    bool m_was_pending = false;
};

// Feeds the child's stdin and drains its stdout and stderr at the same time, so neither side can block
// the other however much either writes.
void pump(Child& c, std::string_view input, ProcessResult& r) {
    if (input.empty())
        ::close(std::exchange(c.in, -1));
    else
        ::fcntl(c.in, F_SETFL, ::fcntl(c.in, F_GETFL) | O_NONBLOCK);
    char buf[65536];
    for (;;) {
        pollfd fds[3] = {{c.in, POLLOUT, 0}, {c.out, POLLIN, 0}, {c.err, POLLIN, 0}};
        if (c.in < 0 && c.out < 0 && c.err < 0)
            return;
        if (::poll(fds, 3, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (c.in >= 0 && (fds[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t n = ::write(c.in, input.data(), input.size());
            if (n > 0)
                input.remove_prefix(std::size_t(n));
            if ((n < 0 && errno != EAGAIN && errno != EINTR) || input.empty())
                ::close(std::exchange(c.in, -1));
        }
        for (int i = 1; i < 3; ++i) {
            int& fd = i == 1 ? c.out : c.err;
            if (fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n > 0)
                (i == 1 ? r.out : r.err).append(buf, std::size_t(n));
            else if (n == 0 || errno != EINTR)
                ::close(std::exchange(fd, -1));
        }
    }
}

} // namespace

Result<ProcessResult> run_process(const std::vector<std::string>& argv, const std::string& stdin_data,
                                  const std::filesystem::path& cwd) {
    auto child = spawn({argv, {}, cwd, true, false});
    if (!child)
        return std::unexpected(child.error());
    ProcessResult r;
    {
        SigpipeBlocked guard;
        pump(*child, stdin_data, r);
    }
    r.exit_code = wait_exit_code(child->pid);
    return r;
}

std::string command_line(const std::vector<std::string>& argv) {
    std::string s;
    for (const auto& a : argv)
        s += (s.empty() ? "" : " ") + (a.find(' ') == std::string::npos ? a : "'" + a + "'");
    return s;
}

} // namespace mpyship
