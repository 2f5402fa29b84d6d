#include "mpyship/util/process.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mpyship {
namespace {

void close_all(std::initializer_list<int> fds) {
    for (int fd : fds)
        if (fd >= 0)
            ::close(fd);
}

[[noreturn]] void exec_child(const std::vector<std::string>& argv, const std::filesystem::path& cwd, int in, int out,
                             int err, int report) {
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) {
        int e = errno;
        [[maybe_unused]] auto n = ::write(report, &e, sizeof e);
        _exit(127);
    }
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    int e = errno;
    [[maybe_unused]] auto n = ::write(report, &e, sizeof e);
    _exit(127);
}

void pump(int out_fd, int err_fd, ProcessResult& r) {
    struct pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    int open_fds = 2;
    char buf[65536];
    while (open_fds > 0) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            } else {
                (i == 0 ? r.out : r.err).append(buf, std::size_t(n));
            }
        }
    }
}

} // namespace

Result<ProcessResult> run_process(const std::vector<std::string>& argv, const std::string& stdin_data,
                                  const std::filesystem::path& cwd) {
    if (argv.empty())
        return fail("no program to run");
    int in[2], out[2], err[2], report[2];
    if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC) || ::pipe2(report, O_CLOEXEC))
        return fail(std::string("cannot create pipes: ") + std::strerror(errno), argv[0]);
    pid_t pid = ::fork();
    if (pid < 0)
        return fail(std::string("cannot start: ") + std::strerror(errno), argv[0]);
    if (pid == 0)
        exec_child(argv, cwd, in[0], out[1], err[1], report[1]);
    close_all({in[0], out[1], err[1], report[1]});
    int exec_errno = 0;
    bool exec_failed = ::read(report[0], &exec_errno, sizeof exec_errno) == sizeof exec_errno;
    ::close(report[0]);
    if (!stdin_data.empty() && !exec_failed)
        [[maybe_unused]] auto n = ::write(in[1], stdin_data.data(), stdin_data.size());
    ::close(in[1]);
    ProcessResult r;
    pump(out[0], err[0], r);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (exec_failed)
        return fail(std::string("cannot run: ") + std::strerror(exec_errno), argv[0]);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

std::string command_line(const std::vector<std::string>& argv) {
    std::string s;
    for (const auto& a : argv)
        s += (s.empty() ? "" : " ") + (a.find(' ') == std::string::npos ? a : "'" + a + "'");
    return s;
}

} // namespace mpyship
