#include "mpyship/util/spawn.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace mpyship {
namespace {

struct Pipe {
    int read = -1;
    int write = -1;
};

void close_fd(int& fd) {
    if (fd >= 0)
        ::close(fd);
    fd = -1;
}

// The inherited environment with `overrides` replacing or adding variables.
std::vector<std::string> merged_environment(const std::map<std::string, std::string>& overrides) {
    std::vector<std::string> out;
    for (char** e = environ; e && *e; ++e) {
        std::string_view entry(*e);
        auto name = entry.substr(0, entry.find('='));
        if (!overrides.contains(std::string(name)))
            out.emplace_back(entry);
    }
    for (const auto& [k, v] : overrides)
        out.push_back(k + "=" + v);
    return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings)
        out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// Everything the child touches, prepared before fork.
struct ChildPlan {
    std::vector<std::string> argv_strings;
    std::vector<std::string> env_strings;
    std::vector<char*> argv;
    std::vector<char*> envp;
    int stdin_fd = -1;
    int stdout_fd = -1;
    int stderr_fd = -1;
    const char* cwd = nullptr;
    int report = -1;
};

[[noreturn]] void exec_child(const ChildPlan& p) {
    int e = 0;
    if (::dup2(p.stdin_fd, 0) < 0 || ::dup2(p.stdout_fd, 1) < 0 || ::dup2(p.stderr_fd, 2) < 0)
        e = errno;
    else if (p.cwd && ::chdir(p.cwd) != 0)
        e = errno;
    else {
        ::execvpe(p.argv[0], p.argv.data(), p.envp.data());
        e = errno;
    }
    [[maybe_unused]] auto n = ::write(p.report, &e, sizeof e);
    _exit(127);
}

Result<void> make_pipe(Pipe& p, const std::string& program) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return fail(std::string("cannot create pipes: ") + std::strerror(errno), program);
    p = {fds[0], fds[1]};
    return {};
}

void close_all(Pipe& in, Pipe& out, Pipe& err, Pipe& report) {
    for (int* fd : {&in.read, &in.write, &out.read, &out.write, &err.read, &err.write, &report.read,
                    &report.write})
        close_fd(*fd);
}

} // namespace

Result<Child> spawn(const SpawnSpec& spec) {
    if (spec.argv.empty())
        return fail("no program to run");
    const std::string& program = spec.argv[0];
    Pipe in, out, err, report;
    auto pipes = [&]() -> Result<void> {
        for (Pipe* p : {&out, &report})
            if (auto ok = make_pipe(*p, program); !ok)
                return ok;
        if (!spec.merge_stderr)
            if (auto ok = make_pipe(err, program); !ok)
                return ok;
        auto ok = make_pipe(in, program);
        // Without a stdin pipe the child reads an empty one: its write end is closed before the fork, so
        // the first read gives end of file. Not /dev/null, which a broken container may have replaced by
        // a regular file with contents (seen on a CI machine).
        if (ok && !spec.stdin_pipe)
            close_fd(in.write);
        return ok;
    }();
    if (!pipes) {
        close_all(in, out, err, report);
        return std::unexpected(pipes.error());
    }
    ChildPlan plan{spec.argv,
                   merged_environment(spec.env),
                   {},
                   {},
                   in.read,
                   out.write,
                   spec.merge_stderr ? out.write : err.write,
                   spec.cwd.empty() ? nullptr : spec.cwd.c_str(),
                   report.write};
    plan.argv = pointers(plan.argv_strings);
    plan.envp = pointers(plan.env_strings);
    pid_t pid = ::fork();
    if (pid < 0) {
        int e = errno;
        close_all(in, out, err, report);
        return fail(std::string("cannot start: ") + std::strerror(e), program);
    }
    if (pid == 0)
        exec_child(plan);
    for (int* fd : {&in.read, &out.write, &err.write, &report.write})
        close_fd(*fd);
    int exec_errno = 0;
    ssize_t got;
    do
        got = ::read(report.read, &exec_errno, sizeof exec_errno);
    while (got < 0 && errno == EINTR);
    close_fd(report.read);
    if (got == sizeof exec_errno) {
        wait_exit_code(pid);
        close_all(in, out, err, report);
        return fail(std::string("cannot run: ") + std::strerror(exec_errno), program);
    }
    return Child{pid, in.write, out.read, err.read};
}

int wait_exit_code(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

} // namespace mpyship
