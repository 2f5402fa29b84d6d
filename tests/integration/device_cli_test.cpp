// `mpyship device` verbs against both transports, each a real component: a FAT16 image mounted with
// fusefat (--to) and the official MicroPython WebAssembly VM behind a pseudo-terminal (--port). Every test
// runs on both; what the board holds afterwards is checked outside mpyship (mtools on the unmounted image,
// a hash script inside the VM). Skipped, with the reason, when a part is missing.
#include "../support/test_support.h"
#include "fat_image.h"
#include "mpyship/util/sha256.h"
#include "vm_device.h"

#include <csignal>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <pty.h>
#include <spawn.h>
#include <termios.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace mpyship::test {
namespace {

namespace fs = std::filesystem;

std::string noise(std::size_t n, unsigned seed) {
    std::string out(n, '\0');
    unsigned x = seed;
    for (auto& c : out) {
        x = x * 1103515245u + 12345u;
        c = char(x >> 16);
    }
    return out;
}

std::string sha_of(const std::string& text) {
    return sha256_hex(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

class DeviceCli : public ::testing::TestWithParam<std::string> {
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
        }
    }

    bool vm() const { return GetParam() == "vm"; }

    std::vector<std::string> where() {
        if (vm())
            return {"--port", m_vm->link()};
        return {"--to", m_image->mount_point().string()};
    }

    RunResult device(std::vector<std::string> args, std::vector<std::string> env = {}) {
        std::vector<std::string> argv;
        if (!env.empty()) {
            argv.push_back("env");
            argv.insert(argv.end(), env.begin(), env.end());
        }
        argv.push_back(mpyship_binary().string());
        argv.push_back("device");
        argv.insert(argv.end(), args.begin(), args.end());
        auto w = where();
        argv.insert(argv.end(), w.begin(), w.end());
        return run_program(argv);
    }

    nlohmann::json device_json(std::vector<std::string> args) {
        args.push_back("--json");
        auto r = device(args);
        EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
        auto j = nlohmann::json::parse(r.out, nullptr, false);
        EXPECT_FALSE(j.is_discarded()) << r.out;
        return j.is_discarded() ? nlohmann::json::object() : j;
    }

    void ok(std::vector<std::string> args) {
        auto r = device(args);
        ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }

    // path -> SHA-256 of every file on the board, read without mpyship (mtools, or Python in the VM), paths
    // relative to the drive's root / the VM's /flash.
    std::map<std::string, std::string> board_files() {
        std::map<std::string, std::string> out;
        if (vm())
            return m_vm->file_hashes();
        m_image->unmount();
        EXPECT_EQ(m_image->fsck_problems(), "");
        for (const auto& [path, bytes] : m_image->files())
            out[path] = sha_of(bytes);
        EXPECT_TRUE(m_image->mount()) << m_image->error();
        return out;
    }

    fs::path local(const std::string& name, const std::string& content) {
        fs::path p = m_dir.path() / "local" / name;
        write_text_file(p, content);
        return p;
    }

    TempDir m_dir;
    std::unique_ptr<VmDevice> m_vm;
    std::unique_ptr<FatImage> m_image;
};

TEST_P(DeviceCli, PutGetRoundTripOf200KBCheckedByHash) {
    std::string big = noise(200 * 1024, 7);
    auto src = local("big.bin", big);
    ok({"mkdir", "data"});
    auto put = device_json({"put", src.string(), "data/"});
    EXPECT_EQ(put["path"], "data/big.bin");
    EXPECT_EQ(put["size"], big.size());
    EXPECT_EQ(board_files()["data/big.bin"], sha_of(big));
    auto hash = device_json({"hash", "data/big.bin"});
    EXPECT_EQ(hash["sha256"], sha_of(big));
    fs::path back = m_dir.path() / "back.bin";
    auto get = device_json({"get", "data/big.bin", back.string()});
    EXPECT_EQ(get["size"], big.size());
    auto bytes = read_bytes(back);
    EXPECT_EQ(sha256_hex(bytes), sha_of(big));
    auto ls = device_json({"ls", "data"});
    ASSERT_EQ(ls["entries"].size(), 1u);
    EXPECT_EQ(ls["entries"][0]["size"], big.size());
}

// fusefat refuses names outside ASCII and with quotes ("fat_create(): illegal file name", and it loses the
// temporary file's clusters doing so), so on the drive the name has spaces only; the VM takes the rest.
TEST_P(DeviceCli, NamesWithSpacesAndNonAscii) {
    std::string name = vm() ? "my dir/\xc3\xa9t\xc3\xa9 \xe2\x82\xac 'q'.txt" // été € 'q'.txt
                            : "my dir/two words here.txt";
    auto src = local("a.txt", "caf\xc3\xa9\n");
    ok({"mkdir", "my dir"});
    ok({"put", src.string(), name});
    auto ls = device_json({"ls", "-r"});
    bool found = false;
    for (const auto& e : ls["entries"])
        found = found || (e["path"] == name && e["type"] == "file" && e["size"] == 6);
    EXPECT_TRUE(found) << ls.dump();
    auto cat = device({"cat", name});
    EXPECT_EQ(cat.exit_code, 0) << cat.err;
    EXPECT_EQ(cat.out, "caf\xc3\xa9\n");
    EXPECT_EQ(board_files()[name], sha_of("caf\xc3\xa9\n"));
    ok({"rm", "-r", "my dir"});
    EXPECT_FALSE(board_files().contains(name));
}

TEST_P(DeviceCli, ListsRecursivelyAndTextShowsFolders) {
    ok({"mkdir", "lib"});
    ok({"mkdir", "lib/sub"});
    ok({"put", local("x.py", "X = 1\n").string(), "lib/sub/x.py"});
    ok({"put", local("main.py", "import x\n").string()});
    auto flat = device_json({"ls"});
    std::set<std::string> top;
    for (const auto& e : flat["entries"])
        top.insert(e["path"].get<std::string>());
    EXPECT_TRUE(top.contains("lib") && top.contains("main.py"));
    EXPECT_FALSE(top.contains("lib/sub/x.py"));
    auto deep = device({"ls", "-r", "lib"});
    ASSERT_EQ(deep.exit_code, 0) << deep.err;
    EXPECT_NE(deep.out.find("sub/\n"), std::string::npos) << deep.out;
    EXPECT_NE(deep.out.find("         6  sub/x.py\n"), std::string::npos) << deep.out;
}

TEST_P(DeviceCli, MissingPathsAndWrongKindsAreClearErrors) {
    auto ls = device({"ls", "nope"});
    EXPECT_EQ(ls.exit_code, 1);
    EXPECT_NE(ls.err.find("nope: no such file or folder"), std::string::npos) << ls.err;
    auto get = device({"get", "nope.txt", (m_dir.path() / "x").string()});
    EXPECT_EQ(get.exit_code, 1);
    EXPECT_FALSE(fs::exists(m_dir.path() / "x"));
    ok({"mkdir", "d"});
    auto again = device({"mkdir", "d"});
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
    auto rm = device({"rm", "d"});
    EXPECT_EQ(rm.exit_code, 1);
    EXPECT_NE(rm.err.find("is a folder (rm needs -r"), std::string::npos) << rm.err;
    auto cat = device({"cat", "d"});
    EXPECT_EQ(cat.exit_code, 1);
    auto put = device({"put", local("p.txt", "p").string(), "no/such/dir/p.txt"});
    EXPECT_EQ(put.exit_code, 1) << put.out;
    auto root = device({"rm", "-r", "/"});
    EXPECT_EQ(root.exit_code, 1);
    EXPECT_NE(root.err.find("root folder"), std::string::npos) << root.err;
    auto json = device({"hash", "nope", "--json"});
    EXPECT_EQ(json.exit_code, 1);
    EXPECT_EQ(nlohmann::json::parse(json.out)["ok"], false);
}

TEST_P(DeviceCli, ProtectedFilesNeedForce) {
    ok({"put", local("boot_out.txt", "Adafruit CircuitPython 10.2.1 on 2025-01-01; Board with chip\n").string()});
    ok({"put", local("settings.toml", "A = 1\n").string()});
    ok({"mkdir", ".mpyship"});
    ok({"put", local("deployed.json", "{}").string(), ".mpyship/deployed.json"});
    for (const char* path : {"boot_out.txt", "settings.toml", ".mpyship/deployed.json"}) {
        auto r = device({"rm", path});
        EXPECT_EQ(r.exit_code, 1) << path;
        EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
    }
    auto folder = device({"rm", "-r", ".mpyship"});
    EXPECT_EQ(folder.exit_code, 1);
    auto files = board_files();
    EXPECT_TRUE(files.contains("boot_out.txt") && files.contains("settings.toml") &&
                files.contains(".mpyship/deployed.json"));
    ok({"rm", "settings.toml", "--force"});
    ok({"rm", "-r", ".mpyship", "--force"});
    files = board_files();
    EXPECT_FALSE(files.contains("settings.toml"));
    EXPECT_FALSE(files.contains(".mpyship/deployed.json"));
    EXPECT_TRUE(files.contains("boot_out.txt"));
}

TEST_P(DeviceCli, PutReplacesAFileAndLeavesNoTemporaryFile) {
    ok({"put", local("code.py", "print('v1')\n").string()});
    ok({"put", local("code.py", "print('version 2')\n").string()});
    auto files = board_files();
    EXPECT_EQ(files["code.py"], sha_of("print('version 2')\n"));
    for (const auto& [path, sha] : files)
        EXPECT_EQ(path.find("~mps"), std::string::npos) << path;
}

// A put that dies half-way (the process killed on the drive, the link dropped to the VM) leaves the old file.
TEST_P(DeviceCli, FailureMidTransferLeavesTheOldFile) {
    std::string old_text = "OLD = True\n", new_text = noise(20000, 3);
    ok({"put", local("app.py", old_text).string()});
    auto src = local("new/app.py", new_text);
    RunResult r;
    if (vm()) {
        m_vm->drop_next_after(6000);
        r = device({"put", src.string(), "app.py"});
    } else {
        r = device({"put", src.string(), "app.py"}, {"MPYSHIP_FAULT_AFTER_STEPS=3"});
    }
    EXPECT_NE(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(board_files()["app.py"], sha_of(old_text));
    auto cat = device({"cat", "app.py"});
    EXPECT_EQ(cat.out, old_text) << cat.err;
}

TEST_P(DeviceCli, DfReportsSpace) {
    auto j = device_json({"df"});
    EXPECT_GT(j["total"].get<std::uint64_t>(), 0u);
    EXPECT_LE(j["free"].get<std::uint64_t>(), j["total"].get<std::uint64_t>());
    EXPECT_EQ(j["used"].get<std::uint64_t>(), j["total"].get<std::uint64_t>() - j["free"].get<std::uint64_t>());
}

TEST_P(DeviceCli, ResetIsSerialOnly) {
    auto r = device({"reset"});
    if (!vm()) {
        EXPECT_EQ(r.exit_code, 1);
        EXPECT_NE(r.err.find("cannot reset"), std::string::npos) << r.err;
        return;
    }
    // The WebAssembly VM answers Ctrl-D in raw mode with "OK" but never reboots (its port has no soft
    // reset), so the reset is reported as failed, with the reason, instead of hanging.
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("soft reboot"), std::string::npos) << r.err;
    EXPECT_EQ(m_vm->run("print(6*7)\n"), "42\n"); // the device still answers
    auto hard = device({"reset", "--hard"}); // the VM has no machine module: a clear error
    EXPECT_EQ(hard.exit_code, 1);
    EXPECT_NE(hard.err.find("cannot hard-reset"), std::string::npos) << hard.err;
}

INSTANTIATE_TEST_SUITE_P(Transports, DeviceCli, ::testing::Values("drive", "vm"),
                         [](const auto& p) { return p.param; });

// The VM working from / (its /flash beside the VM's other file systems: /dev, /proc, /tmp, /home).
class DeviceVmRoot : public ::testing::Test {
  protected:
    void SetUp() override {
        if (auto why = VmDevice::unavailable_reason(); !why.empty())
            GTEST_SKIP() << why;
        m_vm = std::make_unique<VmDevice>(m_dir.path() / "vm");
        ASSERT_TRUE(m_vm->started()) << m_vm->error();
    }
    RunResult device(std::vector<std::string> args) {
        std::vector<std::string> argv{mpyship_binary().string(), "device"};
        argv.insert(argv.end(), args.begin(), args.end());
        argv.insert(argv.end(), {"--port", m_vm->link()});
        return run_program(argv);
    }
    TempDir m_dir;
    std::unique_ptr<VmDevice> m_vm;
};

TEST_F(DeviceVmRoot, WorksFromTheRootBesideOtherMounts) {
    ASSERT_EQ(m_vm->run("import os\nos.chdir('/')\nprint(os.getcwd())\n"), "/\n");
    fs::path src = m_dir.path() / "hello.txt";
    write_text_file(src, "hello\n");
    auto put = device({"put", src.string(), "/flash/hello.txt"});
    ASSERT_EQ(put.exit_code, 0) << put.err;
    auto ls = device({"ls"});
    ASSERT_EQ(ls.exit_code, 0) << ls.err;
    for (const char* dir : {"flash/", "dev/", "proc/"})
        EXPECT_NE(ls.out.find(dir), std::string::npos) << ls.out;
    auto deep = device({"ls", "-r", "flash"});
    EXPECT_NE(deep.out.find("         6  hello.txt\n"), std::string::npos) << deep.out;
    auto cat = device({"cat", "flash/hello.txt"});
    EXPECT_EQ(cat.out, "hello\n");
    auto hash = device({"hash", "/flash/hello.txt"});
    EXPECT_EQ(hash.out.substr(0, 64), sha_of("hello\n"));
    // From /, boot_out.txt at the root is the protected one.
    write_text_file(src, "x");
    ASSERT_EQ(device({"put", src.string(), "/boot_out.txt"}).exit_code, 0);
    EXPECT_EQ(device({"rm", "/boot_out.txt"}).exit_code, 1);
    EXPECT_EQ(device({"rm", "-r", "flash"}).exit_code, 0);
    EXPECT_EQ(m_vm->run("import os\nprint('flash' in os.listdir('/'))\n"), "False\n");
}

// `device run` on the VM: output streamed while the script runs, the exit code after a traceback, and Ctrl-C
// (SIGINT to mpyship) stopping a script that never ends.
TEST_F(DeviceVmRoot, RunStreamsOutputAndReportsATraceback) {
    fs::path script = m_dir.path() / "job.py";
    write_text_file(script, "for i in range(3):\n    print('line', i)\nraise ValueError('bad value')\n");
    auto r = device({"run", script.string()});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(r.out, "line 0\nline 1\nline 2\n");
    EXPECT_NE(r.err.find("ValueError: bad value"), std::string::npos) << r.err;
    write_text_file(script, "print(sum(range(10)))\n");
    auto ok = device({"run", script.string()});
    EXPECT_EQ(ok.exit_code, 0) << ok.err;
    EXPECT_EQ(ok.out, "45\n");
    auto ls = device({"ls"});
    EXPECT_EQ(ls.out.find("job.py"), std::string::npos) << "run copied the script: " << ls.out;
    auto drive = run_program({mpyship_binary().string(), "device", "run", script.string(), "--to", "/tmp"});
    EXPECT_EQ(drive.exit_code, 1);
    EXPECT_NE(drive.err.find("run needs the serial REPL"), std::string::npos) << drive.err;
}

TEST_F(DeviceVmRoot, InterruptStopsALoopingScript) {
    fs::path script = m_dir.path() / "loop.py";
    write_text_file(script, "import time\ni = 0\nwhile True:\n    print('tick', i)\n    i += 1\n"
                            "    time.sleep(0.02)\n");
    int out[2], err[2];
    ASSERT_EQ(::pipe(out), 0);
    ASSERT_EQ(::pipe(err), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    std::string binary = mpyship_binary().string(), port = m_vm->link();
    std::vector<std::string> args{binary, "device", "run", script.string(), "--port", port};
    std::vector<char*> argv;
    for (auto& x : args)
        argv.push_back(x.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    ASSERT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    ::close(err[1]);
    // Wait for the fifth line: the script is still running, so its output was streamed. (A safety limit of
    // 2000 polls keeps a broken build from hanging the suite; it is not a timing assertion.)
    std::string seen;
    for (int i = 0; i < 2000 && seen.find("tick 5\n") == std::string::npos; ++i) {
        struct pollfd p {
            out[0], POLLIN, 0
        };
        if (::poll(&p, 1, 50) <= 0)
            continue;
        char buf[256];
        ssize_t n = ::read(out[0], buf, sizeof buf);
        if (n <= 0)
            break;
        seen.append(buf, std::size_t(n));
    }
    EXPECT_NE(seen.find("tick 5\n"), std::string::npos) << seen;
    ::kill(pid, SIGINT);
    // Read both pipes until mpyship closes them; if it never stops (the interrupt lost), kill it after
    // 600 quiet polls so the test fails instead of hanging.
    std::string rest, errors;
    bool open_out = true, open_err = true;
    for (int quiet = 0; (open_out || open_err) && quiet < 600;) {
        struct pollfd p[2] = {{open_out ? out[0] : -1, POLLIN, 0}, {open_err ? err[0] : -1, POLLIN, 0}};
        if (::poll(p, 2, 50) <= 0) {
            ++quiet;
            continue;
        }
        char buf[4096];
        for (int k = 0; k < 2; ++k) {
            if (!(p[k].revents & (POLLIN | POLLHUP)))
                continue;
            ssize_t n = ::read(p[k].fd, buf, sizeof buf);
            if (n <= 0)
                (k == 0 ? open_out : open_err) = false;
            else
                (k == 0 ? rest : errors).append(buf, std::size_t(n));
        }
    }
    if (open_out || open_err)
        ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(out[0]);
    ::close(err[0]);
    ASSERT_TRUE(WIFEXITED(status)) << "mpyship died of a signal: " << status;
    EXPECT_EQ(WEXITSTATUS(status), 130) << errors;
    EXPECT_NE(errors.find("KeyboardInterrupt"), std::string::npos) << errors;
    EXPECT_EQ(m_vm->run("print(6*7)\n"), "42\n"); // the board is back at its prompt
}

// `device repl` on a pseudo-terminal, as a user's terminal: what is typed reaches the VM's REPL, Ctrl-] leaves,
// and the terminal's settings are restored after Ctrl-] and after SIGTERM.
TEST_F(DeviceVmRoot, ReplPassesTheTerminalThroughAndRestoresIt) {
    int master = -1, slave = -1;
    ASSERT_EQ(::openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
    termios before{};
    ASSERT_EQ(::tcgetattr(slave, &before), 0);
    ASSERT_TRUE(before.c_lflag & ICANON);
    auto session = [&](bool leave_with_key) {
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, slave, 0);
        posix_spawn_file_actions_adddup2(&actions, slave, 1);
        posix_spawn_file_actions_adddup2(&actions, slave, 2);
        std::string binary = mpyship_binary().string(), port = m_vm->link();
        std::vector<std::string> args{binary, "device", "repl", "--port", port};
        std::vector<char*> argv;
        for (auto& x : args)
            argv.push_back(x.data());
        argv.push_back(nullptr);
        pid_t pid = -1;
        EXPECT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
        posix_spawn_file_actions_destroy(&actions);
        // Type once the program is reading (its banner is out), then read until the answer shows (a safety
        // limit of 400 polls keeps a broken build from hanging the suite).
        std::string screen;
        auto read_until = [&](const std::string& want) {
            for (int i = 0; i < 400 && screen.find(want) == std::string::npos; ++i) {
                struct pollfd p {
                    master, POLLIN, 0
                };
                if (::poll(&p, 1, 50) <= 0)
                    continue;
                char buf[512];
                ssize_t n = ::read(master, buf, sizeof buf);
                if (n > 0)
                    screen.append(buf, std::size_t(n));
            }
            return screen.find(want) != std::string::npos;
        };
        EXPECT_TRUE(read_until("Ctrl-] leaves")) << screen;
        std::string typed = "print(6*7)\r";
        EXPECT_EQ(::write(master, typed.data(), typed.size()), ssize_t(typed.size()));
        EXPECT_TRUE(read_until("42")) << screen;
        if (leave_with_key)
            EXPECT_EQ(::write(master, "\x1d", 1), 1);
        else
            ::kill(pid, SIGTERM);
        EXPECT_TRUE(read_until("Left the REPL")) << screen;
        int status = 0;
        ::waitpid(pid, &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status << screen;
        termios after{};
        EXPECT_EQ(::tcgetattr(slave, &after), 0);
        EXPECT_EQ(after.c_lflag, before.c_lflag) << "terminal left in raw mode";
        EXPECT_EQ(after.c_iflag, before.c_iflag);
        EXPECT_EQ(after.c_oflag, before.c_oflag);
    };
    session(true);
    session(false);
    ::close(master);
    ::close(slave);
    EXPECT_EQ(m_vm->run("print(6*7)\n"), "42\n");
}

} // namespace
} // namespace mpyship::test
