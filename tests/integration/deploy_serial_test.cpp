// `mpyship deploy --port` against the official MicroPython WebAssembly VM behind a pseudo-terminal
// (vm_device.h): the real raw REPL, no mock of the protocol. After each deploy the files are hashed inside
// the VM and compared with the build. Skipped, with the reason, when node, socat or the npm package is
// missing.
#include "../support/test_support.h"
#include "mpyship/deploy/deploy_inputs.h"
#include "mpyship/deploy/device_snapshot.h"
#include "mpyship/util/sha256.h"
#include "vm_device.h"

#include <chrono>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pty.h>
#include <unistd.h>

namespace mpyship::test {
namespace {

namespace fs = std::filesystem;

void write_text(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

std::string file_sha(const fs::path& p) {
    auto bytes = read_bytes(p);
    return sha256_hex(bytes);
}

// A binary asset that compresses (deflate path) and one that does not (base64 path).
std::string asset(std::size_t n, unsigned seed, bool compressible) {
    std::string out(n, '\0');
    unsigned x = seed;
    for (auto& c : out) {
        x = x * 1103515245u + 12345u;
        c = compressible ? char('a' + (x >> 16) % 4) : char(x >> 16);
    }
    return out;
}

class DeploySerial : public ::testing::Test {
  protected:
    void SetUp() override {
        if (auto why = VmDevice::unavailable_reason(); !why.empty())
            GTEST_SKIP() << why;
        m_vm = std::make_unique<VmDevice>(m_dir.path() / "vm");
        ASSERT_TRUE(m_vm->started()) << m_vm->error();
    }

    fs::path project() const { return m_dir.path() / "proj"; }
    fs::path src() const { return project() / "src"; }
    fs::path out() const { return project() / "build" / "mpy"; }

    void make_project(const std::string& target = "micropython") {
        write_text(project() / "mpyship.toml", "[project]\nversion = \"1.0\"\ntarget = \"" + target + "\"\n");
        write_text(src() / "main.py", "import app\napp.run()\n");
        write_text(src() / "app.py", "def run():\n    print('v1')\n");
        for (int i = 0; i < 3; ++i)
            write_text(src() / "lib" / ("mod" + std::to_string(i) + ".py"),
                       "X = " + std::to_string(i) + "\n");
        write_text(src() / "assets" / "noise.bin", asset(12000, 1, false));
        write_text(src() / "assets" / "text.bin", asset(9000, 2, true));
    }

    void build() {
        auto r = run_program({mpyship_binary().string(), "build", project().string()});
        ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }

    RunResult deploy_raw(std::vector<std::string> extra = {}) {
        std::vector<std::string> args{
            mpyship_binary().string(), "deploy", project().string(), "--port", m_vm->link(), "--json"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_program(args);
    }

    nlohmann::json deploy(std::vector<std::string> extra = {}) {
        auto r = deploy_raw(std::move(extra));
        auto j = nlohmann::json::parse(r.out, nullptr, false);
        EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
        return j.is_discarded() ? nlohmann::json::object() : j;
    }

    // Every build file is on the device with the build's content; no temporary file is left.
    void expect_device_matches_build() {
        auto device = m_vm->file_hashes();
        for (const auto& entry : fs::recursive_directory_iterator(out())) {
            if (!entry.is_regular_file())
                continue;
            std::string rel = fs::relative(entry.path(), out()).generic_string();
            ASSERT_TRUE(device.contains(rel)) << rel << " is missing on the device";
            EXPECT_EQ(device[rel], file_sha(entry.path())) << rel << " differs on the device";
        }
        for (const auto& [path, sha] : device)
            EXPECT_EQ(path.find("~mps"), std::string::npos) << "temporary file left: " << path;
    }

    TempDir m_dir;
    std::unique_ptr<VmDevice> m_vm;
};

TEST_F(DeploySerial, FirstDeployWritesEveryFileAndChecksIt) {
    make_project();
    build();
    auto j = deploy();
    EXPECT_EQ(j["counters"]["written"], 7);
    EXPECT_EQ(j["counters"]["content_checked"], true);
    EXPECT_EQ(j["link"]["mode"], "raw"); // the bridge answers R\x00: the plain raw-REPL fallback
    EXPECT_EQ(j["device"]["name"], "micropython");
    EXPECT_EQ(j["device"]["mpy"]["version"], 6);
    EXPECT_GE(j["link"]["compressed_files"], 1); // text.bin compresses
    expect_device_matches_build();
    auto device = m_vm->file_hashes();
    EXPECT_TRUE(device.contains(".mpyship/deployed.json"));
}

// A device with raw-paste (the bridge plays the board's side of the flow control): every file arrives
// through windows of 128 bytes, a second deploy writes nothing and a one-file change writes one file.
TEST_F(DeploySerial, RawPasteDeviceGetsEveryFileThroughTheWindow) {
    m_vm = std::make_unique<VmDevice>(m_dir.path() / "vm-paste", VmDeviceOptions{.raw_paste = true});
    ASSERT_TRUE(m_vm->started()) << m_vm->error();
    make_project();
    build();
    auto j = deploy();
    EXPECT_EQ(j["link"]["mode"], "raw-paste");
    EXPECT_EQ(j["counters"]["written"], 7);
    expect_device_matches_build();
    EXPECT_EQ(deploy()["counters"]["written"], 0);
    write_text(src() / "app.py", "def run():\n    print('v2')\n");
    build();
    EXPECT_EQ(deploy()["counters"]["written"], 1);
    expect_device_matches_build();
}

// The same over a link paced like a 115200-baud UART, with each device kind: what arrives is still the
// build, byte for byte (the pacing shows timing problems such as a reply read before it was sent).
TEST_F(DeploySerial, PacedLinkDeliversTheBuildWithAndWithoutRawPaste) {
    make_project();
    build();
    for (bool paste : {true, false}) {
        m_vm = std::make_unique<VmDevice>(m_dir.path() / (paste ? "vm-paced-paste" : "vm-paced-raw"),
                                          VmDeviceOptions{.raw_paste = paste, .baud = 115200});
        ASSERT_TRUE(m_vm->started()) << m_vm->error();
        auto j = deploy();
        EXPECT_EQ(j["link"]["mode"], paste ? "raw-paste" : "raw");
        EXPECT_EQ(j["counters"]["written"], 7);
        expect_device_matches_build();
    }
}

TEST_F(DeploySerial, UnchangedRedeploySendsNoFileContent) {
    make_project();
    build();
    deploy();
    auto j = deploy();
    EXPECT_EQ(j["counters"]["written"], 0);
    EXPECT_EQ(j["counters"]["unchanged"], 7);
    EXPECT_EQ(j["counters"]["bytes_written"], 0);
    EXPECT_EQ(j["link"]["commands"], 0); // only the probe and the listing ran
    EXPECT_EQ(j["link"]["payload_bytes"], 0);
    EXPECT_LT(j["link"]["bytes_sent"].get<int>(), 3000);
    expect_device_matches_build();
}

TEST_F(DeploySerial, OneChangedFileIsTheOnlyWrite) {
    make_project();
    build();
    deploy();
    write_text(src() / "app.py", "def run():\n    print('v2')\n");
    build();
    auto j = deploy();
    EXPECT_EQ(j["counters"]["written"], 1);
    EXPECT_EQ(j["counters"]["unchanged"], 6);
    ASSERT_EQ(j["actions"].size(), 1u);
    EXPECT_EQ(j["actions"][0]["path"], "app.mpy");
    EXPECT_EQ(j["actions"][0]["action"], "update");
    expect_device_matches_build();
}

TEST_F(DeploySerial, DeleteRemovesOnlyRecordedFiles) {
    make_project();
    build();
    deploy();
    ASSERT_EQ(m_vm->run("open('user.txt','w').write('mine')\n"), "");
    fs::remove(src() / "lib" / "mod2.py");
    build();
    auto j = deploy({"--delete"});
    EXPECT_EQ(j["counters"]["removed"], 1);
    auto device = m_vm->file_hashes();
    EXPECT_FALSE(device.contains("lib/mod2.mpy"));
    EXPECT_TRUE(device.contains("user.txt")) << "a file mpyship did not write must survive --delete";
    expect_device_matches_build();
    j = deploy({"--delete=all"});
    EXPECT_FALSE(m_vm->file_hashes().contains("user.txt"));
}

// The record comes back on one line whatever its layout (the device re-encodes an indented one); one that is
// not JSON comes back as it is and is reported, and the deploy goes on without it.
TEST_F(DeploySerial, IndentedAndDamagedRecordsOnTheDevice) {
    make_project();
    build();
    deploy();
    ASSERT_EQ(m_vm->run("print(open('.mpyship/deployed.json').read().count(chr(10)) > 3)\n"), "True\n");
    auto manifest = deploy::load_build(project() / "build");
    ASSERT_TRUE(manifest) << manifest.error().to_string();
    std::string listing = "\n" + m_vm->run(deploy::snapshot_script(*manifest, true));
    EXPECT_NE(listing.find("\nJ {"), std::string::npos) << listing;
    EXPECT_EQ(listing.find("\nR "), std::string::npos) << listing;
    fs::remove(src() / "lib" / "mod2.py");
    build();
    auto j = deploy({"--delete"});
    EXPECT_EQ(j["counters"]["removed"], 1) << "the indented record was read: mod2 was known as mpyship's";
    EXPECT_TRUE(j["warnings"].empty()) << j["warnings"].dump();
    ASSERT_EQ(m_vm->run("open('.mpyship/deployed.json','w').write('{not json\\n')\n"), "");
    j = deploy();
    ASSERT_EQ(j["warnings"].size(), 1u) << j.dump();
    EXPECT_NE(j["warnings"][0].get<std::string>().find("ignoring the deploy record"), std::string::npos)
        << j["warnings"][0];
    expect_device_matches_build();
}

TEST_F(DeploySerial, ShadowingPyIsRemoved) {
    make_project();
    build();
    ASSERT_EQ(m_vm->run("import os\nos.mkdir('lib')\nopen('lib/mod0.py','w').write('X = -1\\n')\n"), "");
    auto j = deploy();
    bool removed = false;
    for (const auto& a : j["actions"])
        removed |= a["action"] == "remove" && a["path"] == "lib/mod0.py";
    EXPECT_TRUE(removed) << j.dump(2);
    EXPECT_FALSE(m_vm->file_hashes().contains("lib/mod0.py"));
    EXPECT_EQ(m_vm->run("import sys\nsys.path.insert(0,'lib')\nimport mod0\nprint(mod0.X)\n"), "0\n");
    expect_device_matches_build();
}

TEST_F(DeploySerial, CircuitPythonBuildIsRefused) {
    make_project("circuitpython");
    build();
    auto r = deploy_raw();
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("refusing to deploy: the device runs MicroPython 1.28.0"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("'C' .mpy v6"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
    EXPECT_TRUE(m_vm->file_hashes().empty()) << "nothing may be written";
}

TEST_F(DeploySerial, LinkClosedMidTransferKeepsOldFilesAndRerunConverges) {
    make_project();
    build();
    deploy();
    auto old_hashes = m_vm->file_hashes();
    write_text(src() / "assets" / "noise.bin", asset(30000, 7, false));
    write_text(src() / "app.py", "def run():\n    print('v2')\n");
    build();
    auto dry = deploy({"--dry-run"});
    std::size_t planning = dry["link"]["bytes_sent"].get<std::size_t>();
    m_vm->drop_next_after(planning + 9000); // inside noise.bin's transfer
    auto r = deploy_raw();
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("closed the connection"), std::string::npos) << r.err;
    auto after = m_vm->file_hashes();
    for (const auto& [path, sha] : old_hashes)
        if (path != ".mpyship/deployed.json") {
            ASSERT_TRUE(after.contains(path)) << path;
            bool is_new = path == "app.mpy" && after[path] == file_sha(out() / path);
            EXPECT_TRUE(after[path] == sha || is_new) << path << " is neither the old nor the new content";
        }
    EXPECT_EQ(after["assets/noise.bin"], old_hashes["assets/noise.bin"]);
    auto j = deploy();
    EXPECT_GE(j["counters"]["removed"], 1); // the interrupted temporary file
    expect_device_matches_build();
}

TEST_F(DeploySerial, DeviceWithoutHashlibIsComparedBySizeAndSaysSo) {
    m_vm = std::make_unique<VmDevice>(m_dir.path() / "vm-nohash", true);
    ASSERT_TRUE(m_vm->started()) << m_vm->error();
    make_project();
    build();
    auto j = deploy();
    EXPECT_EQ(j["device"]["sha256"], false);
    EXPECT_EQ(j["counters"]["written"], 7);
    EXPECT_EQ(j["counters"]["content_checked"], false);
    ASSERT_EQ(j["warnings"].size(), 1u);
    EXPECT_NE(j["warnings"][0].get<std::string>().find("content was not checked"), std::string::npos);
    expect_device_matches_build();
    EXPECT_EQ(deploy()["counters"]["written"], 0);
    write_text(src() / "app.py", "def run():\n    print('version 2')\n"); // a different size
    build();
    EXPECT_EQ(deploy()["counters"]["written"], 1);
    expect_device_matches_build();
}

// A device working from / with an SD card mounted at /sd beside the app (an esp32 or rp2 shape): the walk
// lists sd/ but never enters it, and --delete=all leaves it alone. The "card" is a Python VFS that records
// every call made to it.
TEST_F(DeploySerial, RootWorkingFolderWithAnotherMountBesideIt) {
    make_project();
    build();
    std::string setup = R"(import os
class Card:
    calls = []
    def _log(self, what):
        Card.calls.append(what)
    def mount(self, readonly, mkfs):
        pass
    def umount(self):
        pass
    def ilistdir(self, path):
        self._log('ilistdir ' + path)
        return iter([('photo.jpg', 0x8000, 0, 5)])
    def stat(self, path):
        self._log('stat ' + path)
        return (0x8000, 0, 0, 0, 0, 0, 5, 0, 0, 0)
    def statvfs(self, path):
        return (512, 512, 100, 50, 50, 0, 0, 0, 0, 255)
    def open(self, path, mode):
        self._log('open ' + path)
        raise OSError(1)
    def remove(self, path):
        self._log('remove ' + path)
        raise OSError(1)
    def rmdir(self, path):
        self._log('rmdir ' + path)
        raise OSError(1)
    def mkdir(self, path):
        self._log('mkdir ' + path)
        raise OSError(1)
    def rename(self, a, b):
        self._log('rename ' + a)
        raise OSError(1)
    def chdir(self, path):
        pass
os.mkdir('/sd')
os.mount(Card(), '/sd')
os.chdir('/')
print('ok')
)";
    ASSERT_EQ(m_vm->run(setup), "ok\n");
    auto j = deploy({"--delete=all"});
    EXPECT_EQ(j["counters"]["written"], 7) << j.dump();
    std::string after = m_vm->run("print(sorted(os.listdir('/')))\nprint(Card.calls)\nprint(os.getcwd())");
    EXPECT_NE(after.find("'app.mpy'"), std::string::npos) << after;
    EXPECT_NE(after.find("'main.py'"), std::string::npos) << after;
    EXPECT_NE(after.find("'sd'"), std::string::npos) << after;
    EXPECT_NE(after.find("'flash'"), std::string::npos) << after; // a folder outside the build: kept
    EXPECT_NE(after.find("\n[]\n"), std::string::npos) << "the card was touched: " << after;
    auto again = deploy({"--delete=all"});
    EXPECT_EQ(again["counters"]["written"], 0) << again.dump();
    EXPECT_EQ(again["counters"]["removed"], 0) << again.dump();
}

// An entry that lists but cannot be stat'ed (a dangling link here; on a board, a damaged FAT entry) is skipped
// with a warning instead of aborting the deploy with the device's traceback.
TEST_F(DeploySerial, UnreadableEntryIsSkippedWithAWarning) {
    make_project();
    build();
    ASSERT_EQ(m_vm->run("import os\nos.mkdir('lib')\nprint('ok')"), "ok\n");
    m_vm->symlink("/nowhere/at/all", "/flash/lib/broken.mpy");
    auto r = deploy_raw();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["counters"]["written"], 7);
    bool warned = false;
    for (const auto& w : j["warnings"])
        warned = warned || w.get<std::string>().find("could not read: lib/broken.mpy (OSError ") != std::string::npos;
    EXPECT_TRUE(warned) << j["warnings"].dump();
    EXPECT_EQ(m_vm->run("os.remove('/flash/lib/broken.mpy')\nprint('ok')"), "ok\n"); // file_hashes() stats all
    expect_device_matches_build();
}

TEST(DeploySerialTimeout, SilentDeviceTimesOutCleanly) {
    int master = -1, slave = -1;
    char name[256];
    ASSERT_EQ(::openpty(&master, &slave, name, nullptr, nullptr), 0);
    ::close(slave);
    TempDir dir;
    write_text(dir.path() / "mpyship.toml", "[project]\nversion = \"1.0\"\ntarget = \"micropython\"\n");
    write_text(dir.path() / "src" / "app.py", "X = 1\n");
    auto b = run_program({mpyship_binary().string(), "build", dir.path().string()});
    ASSERT_EQ(b.exit_code, 0) << b.err;
    auto start = std::chrono::steady_clock::now();
    auto r = run_program({mpyship_binary().string(), "deploy", dir.path().string(), "--port", name});
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ::close(master);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("device did not answer raw REPL within 5 s"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("is a program busy? press reset"), std::string::npos) << r.err;
    EXPECT_LT(seconds, 30);
}

} // namespace
} // namespace mpyship::test
