// Starting a child process: the one place mpyship starts one, with posix_spawnp (safe in a threaded
// program, and cheap: no copy of the parent's address space). The child gets its pipes as stdin, stdout
// and stderr, its folder and environment; a failed exec or chdir is an error naming the program.
#pragma once

#include "mpyship/util/error.h"

#include <filesystem>
#include <map>
#include <string>
#include <sys/types.h>
#include <vector>

namespace mpyship {

struct SpawnSpec {
    std::vector<std::string> argv;          // argv[0] is looked up on PATH when it has no '/'
    std::map<std::string, std::string> env; // added to (or replacing those of) the inherited environment
    std::filesystem::path cwd;              // empty: ours
    bool stdin_pipe = false;                // false: the child's stdin is empty (end of file at once)
    bool merge_stderr = false;              // true: stderr goes to the stdout pipe
};

// The parent's ends of the child's pipes; -1 where there is none. The caller closes them.
struct Child {
    pid_t pid = -1;
    int in = -1;
    int out = -1;
    int err = -1;
};

// Fails (naming argv[0]) when the program cannot be started: not found, not executable, a bad cwd.
Result<Child> spawn(const SpawnSpec& spec);

// Waits for the child; its exit code, or 128 + the signal that killed it.
int wait_exit_code(pid_t pid);

} // namespace mpyship
