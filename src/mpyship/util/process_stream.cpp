#include "mpyship/util/process_stream.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mpyship {
namespace {

[[noreturn]] void exec_child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                             int out, int report) {
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    for (const auto& [k, v] : env)
        ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    int e = errno;
    [[maybe_unused]] auto n = ::write(report, &e, sizeof e);
    _exit(127);
}

void pump_lines(int fd, const std::function<void(std::string_view)>& on_line) {
    std::string pending;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        pending.append(buf, std::size_t(n));
        std::size_t start = 0, nl;
        while ((nl = pending.find('\n', start)) != std::string::npos) {
            on_line(std::string_view(pending).substr(start, nl - start));
            start = nl + 1;
        }
        pending.erase(0, start);
    }
    if (!pending.empty())
        on_line(pending);
}

} // namespace

Result<int> run_streaming(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                          const std::function<void(std::string_view)>& on_line) {
    if (argv.empty())
        return fail("no program to run");
    int out[2], report[2];
    if (::pipe2(out, O_CLOEXEC) || ::pipe2(report, O_CLOEXEC))
        return fail(std::string("cannot create pipes: ") + std::strerror(errno), argv[0]);
    pid_t pid = ::fork();
    if (pid < 0)
        return fail(std::string("cannot start: ") + std::strerror(errno), argv[0]);
    if (pid == 0)
        exec_child(argv, env, out[1], report[1]);
    ::close(out[1]);
    ::close(report[1]);
    int exec_errno = 0;
    bool exec_failed = ::read(report[0], &exec_errno, sizeof exec_errno) == sizeof exec_errno;
    ::close(report[0]);
    pump_lines(out[0], on_line);
    ::close(out[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (exec_failed)
        return fail(std::string("cannot run: ") + std::strerror(exec_errno), argv[0]);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

} // namespace mpyship
