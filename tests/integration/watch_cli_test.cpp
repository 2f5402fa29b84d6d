// `mpyship watch` driven by the test, on a fusefat FAT16 image (--to) and on the VM behind a pty (--port): edit,
// add and delete sources, introduce a syntax error and fix it, and check the board after each cycle line. A
// burst of saves must be one cycle: the line after a five-file burst counts five compiled modules. The time
// from a save to its cycle line is printed (for the README's numbers), never asserted.
#include "../support/test_support.h"
#include "fat_image.h"
#include "mpyship/util/sha256.h"
#include "vm_device.h"

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <memory>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace mpyship::test {
namespace {

namespace fs = std::filesystem;

// mpyship watch as a child process whose stdout is read line by line.
class WatchProcess {
  public:
    explicit WatchProcess(std::vector<std::string> args) {
        int out[2], err[2];
        if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
            return;
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
        posix_spawn_file_actions_adddup2(&actions, err[1], 2);
        args.insert(args.begin(), mpyship_binary().string());
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        if (posix_spawn(&m_pid, argv[0], &actions, nullptr, argv.data(), environ) != 0)
            m_pid = -1;
        posix_spawn_file_actions_destroy(&actions);
        ::close(out[1]);
        ::close(err[1]);
        m_out = out[0];
        m_err = err[0];
        ::fcntl(m_err, F_SETFL, O_NONBLOCK);
    }
    ~WatchProcess() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGTERM);
            ::waitpid(m_pid, nullptr, 0);
        }
        ::close(m_out);
        ::close(m_err);
    }
    // The next line of output; "" when none came within a generous safety limit (a hang fails, not blocks).
    std::string next_line() {
        for (int quiet = 0; quiet < 1200;) {
            if (auto nl = m_buffer.find('\n'); nl != std::string::npos) {
                std::string line = m_buffer.substr(0, nl);
                m_buffer.erase(0, nl + 1);
                return line;
            }
            struct pollfd p {
                m_out, POLLIN, 0
            };
            if (::poll(&p, 1, 50) <= 0) {
                ++quiet;
                continue;
            }
            char buf[1024];
            ssize_t n = ::read(m_out, buf, sizeof buf);
            if (n <= 0)
                return "";
            m_buffer.append(buf, std::size_t(n));
        }
        return "";
    }
    std::string errors() {
        char buf[4096];
        for (ssize_t n; (n = ::read(m_err, buf, sizeof buf)) > 0;)
            m_errors.append(buf, std::size_t(n));
        return m_errors;
    }
    // SIGINT, as a user's Ctrl-C: the exit code.
    int stop() {
        ::kill(m_pid, SIGINT);
        int status = 0;
        ::waitpid(m_pid, &status, 0);
        m_pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

  private:
    pid_t m_pid = -1;
    int m_out = -1, m_err = -1;
    std::string m_buffer, m_errors;
};

std::string sha_file(const fs::path& p) {
    return sha256_hex(read_bytes(p));
}

class WatchCli : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        if (vm()) {
            if (auto why = VmDevice::unavailable_reason(); !why.empty())
                GTEST_SKIP() << why;
            m_vm = std::make_unique<VmDevice>(m_dir.path() / "vm");
            ASSERT_TRUE(m_vm->started()) << m_vm->error();
        } else {
            if (auto why = FatImage::unavailable_reason(); !why.empty())
                GTEST_SKIP() << why;
            m_image = std::make_unique<FatImage>(m_dir.path() / "img", 16, 16384);
            ASSERT_TRUE(m_image->mount()) << m_image->error();
            write_text_file(m_image->mount_point() / "boot_out.txt",
                            "Adafruit CircuitPython 10.2.1 on 2025-01-01; Test Board with rp2040\n");
        }
        std::string target = vm() ? "micropython" : "circuitpython";
        write_text_file(project() / "mpyship.toml", "[project]\nversion = \"1\"\ntarget = \"" + target + "\"\n");
        write_text_file(src() / (vm() ? "main.py" : "code.py"), "import app\n");
        write_text_file(src() / "app.py", "X = 1\n");
    }

    bool vm() const { return GetParam() == "vm"; }
    fs::path project() const { return m_dir.path() / "proj"; }
    fs::path src() const { return project() / "src"; }
    fs::path built(const std::string& rel) const { return project() / "build" / "mpy" / rel; }

    std::vector<std::string> args() {
        std::vector<std::string> a{"watch", project().string()};
        if (vm())
            a.insert(a.end(), {"--port", m_vm->link()});
        else
            a.insert(a.end(), {"--to", m_image->mount_point().string()});
        return a;
    }

    // path -> SHA-256 of what the board holds now.
    std::map<std::string, std::string> board() {
        std::map<std::string, std::string> out;
        if (vm()) {
            out = m_vm->file_hashes();
            m_vm->link(); // a fresh pty for the watch's next cycle (socat ends with each client)
            return out;
        }
        fs::path root = m_image->mount_point();
        for (const auto& e : fs::recursive_directory_iterator(root))
            if (e.is_regular_file())
                out[fs::relative(e.path(), root).generic_string()] = sha_file(e.path());
        return out;
    }

    // Saves, then returns the cycle line it caused; prints how long that took.
    std::string save_and_wait(WatchProcess& w, const std::function<void()>& save, const char* what) {
        auto start = std::chrono::steady_clock::now();
        save();
        std::string line = w.next_line();
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        std::printf("[ %s ] %s: save -> cycle line %.0f ms: %s\n", GetParam().c_str(), what, ms, line.c_str());
        return line;
    }

    TempDir m_dir;
    std::unique_ptr<VmDevice> m_vm;
    std::unique_ptr<FatImage> m_image;
};

TEST_P(WatchCli, EditAddDeleteAndASyntaxErrorEachCycleChecked) {
    WatchProcess w(args());
    std::string first = w.next_line();
    ASSERT_NE(first.find("watch: start -> build"), std::string::npos) << first << w.errors();
    EXPECT_NE(first.find("deploy 2 written"), std::string::npos) << first;
    ASSERT_NE(w.next_line().find("watching"), std::string::npos);
    EXPECT_EQ(board()["app.mpy"], sha_file(built("app.mpy")));

    auto line = save_and_wait(w, [&] { write_text_file(src() / "app.py", "X = 2\n"); }, "edit");
    EXPECT_NE(line.find("changed app.py"), std::string::npos) << line;
    EXPECT_NE(line.find("deploy 1 written"), std::string::npos) << line;
    auto files = board();
    EXPECT_EQ(files["app.mpy"], sha_file(built("app.mpy")));

    line = save_and_wait(w, [&] { write_text_file(src() / "lib" / "extra.py", "def f():\n    return 3\n"); }, "add");
    EXPECT_NE(line.find("added lib/extra.py"), std::string::npos) << line;
    files = board();
    EXPECT_EQ(files["lib/extra.mpy"], sha_file(built("lib/extra.mpy")));
    std::string good = files["lib/extra.mpy"];

    line = save_and_wait(w, [&] { write_text_file(src() / "lib" / "extra.py", "def f(:\n    return 3\n"); },
                         "syntax error");
    EXPECT_NE(line.find("1 failed, nothing deployed"), std::string::npos) << line;
    std::string errors = w.errors();
    EXPECT_NE(errors.find("src/lib/extra.py:1:"), std::string::npos) << errors;
    EXPECT_NE(errors.find("^"), std::string::npos) << errors;
    EXPECT_EQ(board()["lib/extra.mpy"], good) << "a failed build reached the board";

    line = save_and_wait(w, [&] { write_text_file(src() / "lib" / "extra.py", "def f():\n    return 4\n"); }, "fix");
    EXPECT_NE(line.find("deploy 1 written"), std::string::npos) << line;
    files = board();
    EXPECT_EQ(files["lib/extra.mpy"], sha_file(built("lib/extra.mpy")));
    EXPECT_NE(files["lib/extra.mpy"], good);

    line = save_and_wait(w, [&] { fs::remove(src() / "app.py"); }, "delete");
    EXPECT_NE(line.find("removed app.py"), std::string::npos) << line;
    EXPECT_NE(line.find("1 removed"), std::string::npos) << line;
    EXPECT_FALSE(board().contains("app.mpy"));

    // A burst of five saves is one cycle.
    line = save_and_wait(w,
                         [&] {
                             for (int i = 0; i < 5; ++i)
                                 write_text_file(src() / ("m" + std::to_string(i) + ".py"),
                                                 "V = " + std::to_string(i) + "\n");
                         },
                         "burst");
    EXPECT_NE(line.find("build 5 compiled"), std::string::npos) << line;
    EXPECT_NE(line.find("deploy 5 written"), std::string::npos) << line;
    files = board();
    for (int i = 0; i < 5; ++i) {
        std::string rel = "m" + std::to_string(i) + ".mpy";
        EXPECT_EQ(files[rel], sha_file(built(rel))) << rel;
    }
    for (const auto& [path, sha] : files)
        EXPECT_EQ(path.find("~mps"), std::string::npos) << path;
    EXPECT_EQ(w.stop(), 0) << w.errors();
}

INSTANTIATE_TEST_SUITE_P(Transports, WatchCli, ::testing::Values("drive", "vm"),
                         [](const auto& p) { return p.param; });

} // namespace
} // namespace mpyship::test
