#include "mpyship/util/spawn.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
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

std::vector<char*> pointers(std::vector<std::string>& strings) { // for exec: argv, envp
    std::vector<char*> out;
    for (auto& s : strings)
        out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

Result<void> make_pipe(Pipe& p, const std::string& program) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return fail(std::string("cannot create pipes: ") + std::strerror(errno), program);
    p = {fds[0], fds[1]};
    return {};
}

void close_all(Pipe& in, Pipe& out, Pipe& err) {
    for (int* fd : {&in.read, &in.write, &out.read, &out.write, &err.read, &err.write})
        close_fd(*fd);
}

} // namespace

Result<Child> spawn(const SpawnSpec& spec) {
    if (spec.argv.empty())
        return fail("no program to run");
    const std::string& program = spec.argv[0];
    Pipe in, out, err;
    auto pipes = [&]() -> Result<void> {
        if (auto ok = make_pipe(out, program); !ok)
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
        close_all(in, out, err);
        return std::unexpected(pipes.error());
    }
    std::vector<std::string> argv_strings = spec.argv;
    std::vector<std::string> env_strings = merged_environment(spec.env);
    const std::vector<char*> argv = pointers(argv_strings);
    const std::vector<char*> envp = pointers(env_strings);
    // posix_spawn (a vfork-style clone in glibc: no copy of the parent's page tables, which fork made per
    // child) applies these in order in the child, then execs; an exec or chdir failure is its return value.
    posix_spawn_file_actions_t actions;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawn_file_actions_adddup2(&actions, in.read, 0);
    ::posix_spawn_file_actions_adddup2(&actions, out.write, 1);
    ::posix_spawn_file_actions_adddup2(&actions, spec.merge_stderr ? out.write : err.write, 2);
    if (!spec.cwd.empty())
        ::posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
    pid_t pid = -1;
    const int e = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    ::posix_spawn_file_actions_destroy(&actions);
    for (int* fd : {&in.read, &out.write, &err.write})
        close_fd(*fd);
    if (e != 0) {
        close_all(in, out, err);
        return fail(std::string("cannot run: ") + std::strerror(e), program);
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
