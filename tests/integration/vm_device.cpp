#include "vm_device.h"

#include "mpyship/serial/raw_repl.h"
#include "mpyship/serial/serial_port.h"

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace mpyship::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path k_node_dir = fs::path(MPYSHIP_SOURCE_DIR) / "tests" / "node";

bool on_path(const std::string& program) {
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/bin:/bin";
    for (std::size_t start = 0; start <= dirs.size();) {
        auto end = dirs.find(':', start);
        std::string dir = dirs.substr(start, end == dirs.npos ? dirs.npos : end - start);
        if (!dir.empty() && ::access((fs::path(dir) / program).c_str(), X_OK) == 0)
            return true;
        if (end == dirs.npos)
            break;
        start = end + 1;
    }
    return false;
}

pid_t spawn(const std::vector<std::string>& args, int stdin_fd, int stdout_fd) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (stdin_fd >= 0)
        posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
    if (stdout_fd >= 0)
        posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::vector<char*> argv;
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    if (posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0)
        pid = -1;
    posix_spawn_file_actions_destroy(&actions);
    return pid;
}

// SIGTERM, then SIGKILL after a second: never waits forever.
void stop(pid_t& pid) {
    if (pid <= 0)
        return;
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 100; ++i) {
        if (::waitpid(pid, nullptr, WNOHANG) == pid) {
            pid = -1;
            return;
        }
        std::this_thread::sleep_for(10ms);
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    pid = -1;
}

// Reads "port N\n" from the bridge within 20 s (loading the VM takes a moment).
int read_port(int fd) {
    std::string text;
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (text.find('\n') == text.npos && std::chrono::steady_clock::now() < deadline) {
        struct pollfd p {
            fd, POLLIN, 0
        };
        if (::poll(&p, 1, 200) <= 0)
            continue;
        char buf[64];
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        text.append(buf, std::size_t(n));
    }
    return text.starts_with("port ") ? std::atoi(text.c_str() + 5) : 0;
}

// Reaches hashlib even when the bridge hides it from deploys (--no-hashlib).
constexpr const char* k_hash_script = R"(_test_hashlib=1
import os,binascii,hashlib
del _test_hashlib
def _t_walk(d):
 for e in os.ilistdir(d if d else '.'):
  p=d+e[0]
  if e[1]&0x4000:
   _t_walk(p+'/')
  else:
   with open(p,'rb') as f:
    print(p,binascii.hexlify(hashlib.sha256(f.read()).digest()).decode())
_t_walk('')
)";

} // namespace

std::string VmDevice::unavailable_reason() {
    if (!on_path("node"))
        return "node is not installed (scripts/dev.sh test installs it)";
    if (!on_path("socat"))
        return "socat is not installed (apt-get install socat; scripts/dev.sh test installs it)";
    if (!fs::exists(k_node_dir / "node_modules" / "@micropython" / "micropython-webassembly-pyscript"))
        return "the MicroPython VM npm package is missing (npm ci --prefix tests/node)";
    return {};
}

VmDevice::VmDevice(const fs::path& work_dir, const VmDeviceOptions& options) : m_dir(work_dir) {
    fs::create_directories(m_dir);
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
        m_error = "pipe failed";
        return;
    }
    std::vector<std::string> args{"node", (k_node_dir / "repl_bridge.mjs").string()};
    if (options.no_hashlib)
        args.push_back("--no-hashlib");
    if (options.raw_paste)
        args.push_back("--raw-paste");
    if (options.baud > 0)
        args.insert(args.end(), {"--baud", std::to_string(options.baud)});
    m_bridge = spawn(args, in[0], out[1]);
    ::close(in[0]);
    ::close(out[1]);
    m_bridge_in = in[1];
    m_port = m_bridge > 0 ? read_port(out[0]) : 0;
    ::close(out[0]);
    if (m_port == 0)
        m_error = "the REPL bridge did not start (node tests/node/repl_bridge.mjs)";
}

VmDevice::~VmDevice() {
    stop(m_socat);
    if (m_bridge_in >= 0)
        ::close(m_bridge_in); // the bridge exits at the end of its stdin
    stop(m_bridge);
}

void VmDevice::stop_link() {
    stop(m_socat);
}

std::string VmDevice::link() {
    stop(m_socat);
    fs::path tty = m_dir / "ttyVM";
    std::error_code ec;
    fs::remove(tty, ec);
    // wait-slave polls for the client's open, once a second unless told otherwise: every connection would
    // start with half a second of nothing on average, which timing (bench) would count against mpyship.
    m_socat = spawn({"socat", "PTY,link=" + tty.string() + ",raw,echo=0,wait-slave,pty-interval=0.005",
                     "TCP:127.0.0.1:" + std::to_string(m_port)},
                    -1, -1);
    for (int i = 0; i < 500 && !fs::exists(tty, ec); ++i)
        std::this_thread::sleep_for(10ms);
    return tty.string();
}

void VmDevice::drop_next_after(std::size_t bytes) {
    std::string line = "drop " + std::to_string(bytes) + "\n";
    [[maybe_unused]] auto n = ::write(m_bridge_in, line.data(), line.size());
    std::this_thread::sleep_for(50ms); // let the bridge read it before the next connection
}

void VmDevice::symlink(const std::string& target, const std::string& path) {
    std::string line = "symlink " + target + " " + path + "\n";
    [[maybe_unused]] auto n = ::write(m_bridge_in, line.data(), line.size());
    std::this_thread::sleep_for(50ms); // let the bridge act before the next connection
}

std::string VmDevice::run(const std::string& code) {
    auto port = serial::SerialPort::open(link(), 115200);
    if (!port)
        return "ERROR: " + port.error().to_string();
    serial::RawRepl repl(*port);
    auto entered = repl.enter();
    auto result = entered ? repl.exec(code) : std::unexpected(entered.error());
    (void)repl.leave();
    if (!result)
        return "ERROR: " + result.error().to_string();
    return result->err.empty() ? result->out : "ERROR: " + result->err;
}

std::map<std::string, std::string> VmDevice::file_hashes() {
    std::map<std::string, std::string> out;
    std::string text = run(k_hash_script);
    for (std::size_t start = 0; start < text.size();) {
        auto end = text.find('\n', start);
        std::string line = text.substr(start, end == text.npos ? text.npos : end - start);
        if (auto space = line.rfind(' '); space != line.npos)
            out[line.substr(0, space)] = line.substr(space + 1);
        start = end == text.npos ? text.size() : end + 1;
    }
    return out;
}

} // namespace mpyship::test
