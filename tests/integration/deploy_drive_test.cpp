// `mpyship deploy --to` onto real FAT12/FAT16 images mounted with fusefat, checked after unmounting with
// fsck.fat -n and mtools. Fault injection kills the deploy (SIGKILL, at a seeded step through the test-only
// MPYSHIP_FAULT_AFTER_STEPS hook, or after a seeded delay) and checks every file is old or new content.
// MPYSHIP_DEPLOY_FAULT_RUNS=100 selects the longer mode (default 20 seeded runs).
#include "../support/test_support.h"
#include "fat_image.h"

#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

namespace mpyship::test {
namespace {

namespace fs = std::filesystem;
using Files = std::map<std::string, std::string>;

constexpr const char* k_boot_out =
    "Adafruit CircuitPython 10.2.1 on 2025-10-01; Adafruit Feather RP2040 with "
    "rp2040\nBoard ID:adafruit_feather_rp2040\nUID:E6614C311B5C7A2E\n";

void write_text(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

RunResult mpyship(std::vector<std::string> args, const std::string& env = {}) {
    args.insert(args.begin(), mpyship_binary().string());
    if (!env.empty())
        args.insert(args.begin(), {"env", env});
    return run_program(args);
}

class DeployDrive : public ::testing::Test {
  protected:
    void SetUp() override {
        if (auto why = FatImage::unavailable_reason(); !why.empty())
            GTEST_SKIP() << why;
    }

    fs::path project() const { return m_dir.path() / "proj"; }
    fs::path src() const { return project() / "src"; }

    void make_project(int modules = 3) {
        write_text(project() / "mpyship.toml", "[project]\nversion = \"1.0\"\ntarget = \"circuitpython\"\n");
        write_text(src() / "code.py", "import app\napp.run()\n");
        write_text(src() / "app.py", "def run():\n    print('v1')\n");
        for (int i = 0; i < modules; ++i)
            write_text(src() / "lib" / ("mod" + std::to_string(i) + ".py"),
                       "X = " + std::to_string(i) + "\n");
        write_text(src() / "assets" / "big.bin", std::string(20000, 'a'));
    }

    void build() {
        auto r = mpyship({"build", project().string()});
        ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }

    FatImage& image(int fat_bits = 16, int kib = 16384) {
        m_image = std::make_unique<FatImage>(m_dir.path() / "img", fat_bits, kib);
        return *m_image;
    }

    void mount_board(FatImage& img, const std::string& boot_out = k_boot_out) {
        ASSERT_TRUE(img.mount()) << img.error();
        if (!boot_out.empty())
            write_text(img.mount_point() / "boot_out.txt", boot_out);
    }

    nlohmann::json deploy(FatImage& img, std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"deploy", project().string(), "--to", img.mount_point().string(),
                                      "--json"};
        args.insert(args.end(), extra.begin(), extra.end());
        auto r = mpyship(args);
        auto j = nlohmann::json::parse(r.out, nullptr, false);
        EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
        j["exit_code"] = r.exit_code;
        j["stderr"] = r.err;
        return j;
    }

    // Adds a file to build/mpy and the manifest behind the builder's back.
    void add_to_build(const std::string& path, const std::string& bytes) {
        fs::path manifest = project() / "build" / "manifest.json";
        auto j = nlohmann::json::parse(std::ifstream(manifest));
        write_text(project() / "build" / "mpy" / path, bytes);
        std::vector<unsigned char> data(bytes.begin(), bytes.end());
        auto r = run_program({"sha256sum", (project() / "build" / "mpy" / path).string()});
        j["files"].push_back({{"path", path},
                              {"download_path", "mpy/" + path},
                              {"sha256", r.out.substr(0, 64)},
                              {"size", bytes.size()}});
        std::ofstream(manifest) << j.dump(2);
    }

    Files build_files() const {
        Files out;
        fs::path mpy = project() / "build" / "mpy";
        for (auto& e : fs::recursive_directory_iterator(mpy))
            if (e.is_regular_file()) {
                std::ifstream in(e.path(), std::ios::binary);
                out[e.path().lexically_relative(mpy).generic_string()] = {std::istreambuf_iterator<char>(in),
                                                                          {}};
            }
        return out;
    }

    void expect_clean_and_holding(FatImage& img, const Files& expected) {
        ASSERT_TRUE(img.unmount());
        EXPECT_EQ(img.fsck_problems(), "");
        Files on_image = img.files();
        for (const auto& [path, bytes] : expected)
            EXPECT_EQ(on_image[path], bytes) << path;
    }

    TempDir m_dir;
    std::unique_ptr<FatImage> m_image;
};

int counter(const nlohmann::json& j, const char* name) {
    return j["counters"][name].get<int>();
}

TEST_F(DeployDrive, FirstDeployThenNothingChangedThenOneFileChanged) {
    make_project();
    build();
    FatImage& img = image();
    mount_board(img);
    auto first = deploy(img);
    ASSERT_EQ(first["exit_code"], 0) << first["stderr"];
    std::size_t files = build_files().size();
    EXPECT_EQ(counter(first, "written"), int(files));
    EXPECT_EQ(counter(first, "verified"), int(files));
    EXPECT_EQ(first["actions"].back()["path"], "code.py"); // the entry point goes last
    auto again = deploy(img);
    EXPECT_EQ(counter(again, "written"), 0);
    EXPECT_EQ(counter(again, "unchanged"), int(files));
    EXPECT_EQ(again["counters"]["record_written"], false);
    write_text(src() / "app.py", "def run():\n    print('v2')\n");
    build();
    auto one = deploy(img);
    EXPECT_EQ(counter(one, "written"), 1);
    EXPECT_EQ(one["actions"][0]["path"], "app.mpy");
    Files expected = build_files();
    expected["boot_out.txt"] = k_boot_out;
    expect_clean_and_holding(img, expected);
    EXPECT_EQ(img.type("code.py"), "import app\napp.run()\n");
    EXPECT_NE(img.list().find("::/.mpyship/deployed.json"), std::string::npos) << img.list();
}

TEST_F(DeployDrive, ShadowingPyIsRemovedAndReported) {
    make_project();
    build();
    FatImage& img = image(12, 4096);
    mount_board(img);
    write_text(img.mount_point() / "app.py", "print('stale')\n");
    write_text(img.mount_point() / "lib" / "mod1.py", "X = 'stale'\n");
    auto j = deploy(img);
    ASSERT_EQ(j["exit_code"], 0) << j["stderr"];
    EXPECT_EQ(counter(j, "removed"), 2);
    std::string text = j["actions"].dump();
    EXPECT_NE(text.find("shadows app.mpy: .py is imported first"), std::string::npos) << text;
    ASSERT_TRUE(img.unmount());
    EXPECT_EQ(img.fsck_problems(), "");
    Files on_image = img.files();
    EXPECT_FALSE(on_image.contains("app.py"));
    EXPECT_FALSE(on_image.contains("lib/mod1.py"));
    EXPECT_TRUE(on_image.contains("lib/mod1.mpy"));
}

TEST_F(DeployDrive, DeleteRemovesOnlyWhatAnEarlierDeployWrote) {
    make_project();
    build();
    FatImage& img = image();
    mount_board(img);
    write_text(img.mount_point() / "settings.toml", "WIFI = \"x\"\n");
    write_text(img.mount_point() / "lib" / "user_lib.mpy", "installed by hand");
    ASSERT_EQ(deploy(img)["exit_code"], 0);
    fs::remove(src() / "lib" / "mod2.py");
    build();
    EXPECT_EQ(counter(deploy(img), "removed"), 0); // deleting is opt-in
    auto j = deploy(img, {"--delete"});
    EXPECT_EQ(counter(j, "removed"), 1);
    EXPECT_EQ(j["actions"][0]["path"], "lib/mod2.mpy");
    auto all = deploy(img, {"--delete=all", "--keep", "lib/user_*", "--dry-run"});
    EXPECT_EQ(all["actions"].size(), 0u) << all.dump(); // the kept library and settings.toml stay
    ASSERT_TRUE(img.unmount());
    EXPECT_EQ(img.fsck_problems(), "");
    Files on_image = img.files();
    EXPECT_FALSE(on_image.contains("lib/mod2.mpy"));
    EXPECT_EQ(on_image["lib/user_lib.mpy"], "installed by hand");
    EXPECT_EQ(on_image["settings.toml"], "WIFI = \"x\"\n");
    EXPECT_EQ(on_image["boot_out.txt"], k_boot_out);
}

TEST_F(DeployDrive, TooSmallImageFailsBeforeWritingAndKeepsOldFiles) {
    make_project();
    for (int i = 0; i < 3; ++i)
        write_text(src() / "assets" / ("photo" + std::to_string(i) + ".bmp"),
                   std::string(400000, char('p' + i)));
    build();
    FatImage& img = image(12, 1024);
    mount_board(img);
    write_text(img.mount_point() / "code.py", "print('old code')\n");
    write_text(img.mount_point() / "lib" / "mod0.mpy", "old module");
    ASSERT_TRUE(img.unmount());
    Files before = img.files();
    ASSERT_TRUE(img.mount());
    auto j = deploy(img);
    EXPECT_EQ(j["exit_code"], 1);
    std::string err = j["error"];
    EXPECT_NE(err.find("not enough space: the deploy needs "), std::string::npos) << err;
    EXPECT_NE(err.find("nothing was written"), std::string::npos) << err;
    ASSERT_TRUE(img.unmount());
    EXPECT_EQ(img.fsck_problems(), "");
    EXPECT_EQ(img.files(), before);
}

// FAT16's root folder is a fixed table (512 entries from mkfs.fat): 200 long names at the root fit by bytes
// but not by entries. Refused before the first write; the same files in a folder deploy.
TEST_F(DeployDrive, RootFolderEntryLimitIsCheckedBeforeWriting) {
    write_text(project() / "mpyship.toml", "[project]\nversion = \"1.0\"\ntarget = \"circuitpython\"\n");
    write_text(src() / "code.py", "print('hi')\n");
    for (int i = 0; i < 200; ++i)
        write_text(src() / ("sensor_calibration_table_" + std::to_string(1000 + i) + ".txt"), "x");
    build();
    FatImage& img = image(16, 16384);
    mount_board(img);
    ASSERT_TRUE(img.unmount());
    Files before = img.files();
    ASSERT_TRUE(img.mount());
    auto j = deploy(img);
    EXPECT_EQ(j["exit_code"], 1) << j.dump();
    std::string err = j.value("error", "");
    EXPECT_NE(err.find("the drive's root folder is full: FAT12/16 keeps it in a fixed table of 512 entries"),
              std::string::npos)
        << err;
    EXPECT_NE(err.find("nothing was written"), std::string::npos) << err;
    ASSERT_TRUE(img.unmount());
    EXPECT_EQ(img.files(), before);
    EXPECT_EQ(img.fsck_problems(), "");

    // The same files one folder down: folders grow, so the deploy goes through.
    fs::remove_all(src());
    write_text(src() / "code.py", "print('hi')\n");
    for (int i = 0; i < 200; ++i)
        write_text(src() / "tables" / ("sensor_calibration_table_" + std::to_string(1000 + i) + ".txt"), "x");
    build();
    ASSERT_TRUE(img.mount());
    auto ok = deploy(img);
    EXPECT_EQ(ok["exit_code"], 0) << ok.dump();
    ASSERT_TRUE(img.unmount());
    EXPECT_EQ(img.fsck_problems(), "");
    EXPECT_EQ(img.files().count("tables/sensor_calibration_table_1199.txt"), 1u);
}

TEST_F(DeployDrive, FullDriveMakesRoomFirstWhenThatIsEnough) {
    // A 1 MiB FAT12 drive holding a 600 KB asset; the new build replaces it with another 600 KB asset.
    make_project();
    write_text(src() / "assets" / "old.bmp", std::string(600000, 'o'));
    build();
    FatImage& img = image(12, 1024);
    mount_board(img);
    ASSERT_EQ(deploy(img)["exit_code"], 0);
    fs::remove(src() / "assets" / "old.bmp");
    write_text(src() / "assets" / "new.bmp", std::string(600000, 'n'));
    build();
    // Without --delete the old asset stays, and both cannot fit: refused, nothing written.
    auto keep = deploy(img);
    EXPECT_EQ(keep["exit_code"], 1);
    EXPECT_NE(keep["error"].get<std::string>().find("not enough space"), std::string::npos) << keep.dump();
    // With --delete the old asset goes first (it is no longer in the build), which makes room.
    auto plan = deploy(img, {"--delete", "--dry-run"});
    ASSERT_EQ(plan["exit_code"], 0) << plan.dump();
    ASSERT_GE(plan["actions"].size(), 2u);
    EXPECT_EQ(plan["actions"][0]["action"], "remove");
    EXPECT_EQ(plan["actions"][0]["path"], "assets/old.bmp");
    EXPECT_NE(plan["actions"][0]["detail"].get<std::string>().find("first, to make room"), std::string::npos);
    EXPECT_EQ(plan["actions"][1]["path"], "assets/new.bmp");
    auto j = deploy(img, {"--delete"});
    ASSERT_EQ(j["exit_code"], 0) << j.dump();
    EXPECT_EQ(counter(j, "removed"), 1);
    Files expected = build_files();
    ASSERT_TRUE(img.unmount());
    EXPECT_EQ(img.fsck_problems(), "");
    Files on_image = img.files();
    EXPECT_FALSE(on_image.contains("assets/old.bmp"));
    for (const auto& [path, bytes] : expected)
        EXPECT_EQ(on_image[path], bytes) << path;
}

TEST_F(DeployDrive, MismatchedBootOutIsRefusedUnlessForced) {
    make_project();
    build();
    FatImage& img = image();
    mount_board(img, "Adafruit CircuitPython 8.2.7 on 2023-10-19; Adafruit QT Py M0 with samd21e18\n");
    auto refused = deploy(img);
    EXPECT_EQ(refused["exit_code"], 1);
    EXPECT_EQ(refused["error"],
              img.mount_point().string() +
                  ": refusing to deploy: the drive runs CircuitPython 8.2.7 and it loads .mpy v5; "
                  "the build has CircuitPython .mpy v6 files (--force deploys anyway)");
    EXPECT_FALSE(fs::exists(img.mount_point() / "code.py"));
    auto forced = deploy(img, {"--force"});
    EXPECT_EQ(forced["exit_code"], 0);
    EXPECT_EQ(forced["warnings"].size(), 1u);
}

TEST_F(DeployDrive, MicroPythonBuildIsRefusedOnACircuitPythonDrive) {
    make_project();
    write_text(project() / "mpyship.toml", "[project]\ntarget = \"micropython\"\n");
    build();
    FatImage& img = image();
    mount_board(img);
    auto j = deploy(img);
    EXPECT_EQ(j["exit_code"], 1);
    EXPECT_NE(j["error"].get<std::string>().find("the build is for MicroPython .mpy v6"), std::string::npos);
}

TEST_F(DeployDrive, BadInputGivesClearErrorsAndWritesNothing) {
    make_project();
    FatImage& img = image();
    mount_board(img, "");
    auto never_built = deploy(img, {"--no-build"});
    EXPECT_EQ(never_built["error"], (project() / "build" / "manifest.json").string() +
                                        ": no build found (run `mpyship build` first)");
    build();
    auto not_board = deploy(img);
    EXPECT_NE(not_board["error"].get<std::string>().find("not a board drive: no boot_out.txt"),
              std::string::npos);
    auto missing = mpyship({"deploy", project().string(), "--to", (m_dir.path() / "nope").string()});
    EXPECT_EQ(missing.err, "error: " + (m_dir.path() / "nope").string() + ": no such drive or folder\n");
    auto file = mpyship({"deploy", project().string(), "--to", (project() / "mpyship.toml").string()});
    EXPECT_NE(file.err.find("not a folder"), std::string::npos);
    add_to_build("we:ird.txt", "x"); // the builder refuses such names too; deploy checks on its own
    auto bad_name = deploy(img, {"--force", "--no-build"});
    EXPECT_NE(bad_name["error"].get<std::string>().find("we:ird.txt: character ':' is not allowed on FAT"),
              std::string::npos);
    EXPECT_TRUE(fs::is_empty(img.mount_point()));
    ASSERT_TRUE(img.unmount());
    ASSERT_TRUE(img.mount(false)) << img.error();
    auto read_only = deploy(img, {"--force", "--no-build"});
    EXPECT_NE(read_only["error"].get<std::string>().find("the drive is read-only"), std::string::npos)
        << read_only.dump();
}

TEST(DeployCli, OneTargetIsRequired) {
    EXPECT_EQ(mpyship({"deploy", "--port", "x", "--to", "y"}).exit_code, 2);
    EXPECT_EQ(mpyship({"deploy"}).err,
              "error: deploy needs --to PATH (the board's mounted drive, or 'auto') or --port "
              "DEV (a serial device, or 'auto')\n");
    auto baud = mpyship({"deploy", "--port", "/dev/ttyACM0", "--baud", "12345"});
    EXPECT_EQ(baud.exit_code, 1);
    EXPECT_EQ(baud.err, "error: unsupported baud rate 12345\n");
}

// --- Fault injection -------------------------------------------------------------------------------------

int fault_runs() {
    const char* env = std::getenv("MPYSHIP_DEPLOY_FAULT_RUNS");
    return env ? std::max(1, std::atoi(env)) : 20;
}

// Runs the deploy and SIGKILLs it after `delay_us`; returns the wait status.
int run_and_kill_after(const std::vector<std::string>& args, int delay_us) {
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
        return -1;
    ::usleep(useconds_t(delay_us));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return status;
}

class DeployFaults : public DeployDrive {
  protected:
    // v1 deployed onto a fresh image, saved as base.img; v2 built; old/new contents remembered.
    void prepare() {
        make_project(8);
        write_text(src() / "lib" / "gone.py", "G = 1\n");
        build();
        FatImage& img = image();
        mount_board(img);
        ASSERT_EQ(deploy(img)["exit_code"], 0);
        write_text(img.mount_point() / "lib" / "mod3.py", "X = 'shadow'\n");
        ASSERT_TRUE(img.unmount());
        m_old = img.files();
        img.copy_image_to(m_dir.path() / "base.img");
        write_text(src() / "app.py", "def run():\n    print('v2 ' * 50)\n");
        write_text(src() / "assets" / "big.bin", std::string(30000, 'b'));
        for (int i = 0; i < 8; i += 2)
            write_text(src() / "lib" / ("mod" + std::to_string(i) + ".py"),
                       "X = 'new " + std::to_string(i) + "'\n");
        write_text(src() / "lib" / "fresh" / "thing.py", "T = 2\n");
        write_text(src() / "code.py", "import app\napp.run()\n# v2\n");
        fs::remove(src() / "lib" / "gone.py");
        build();
        m_new = build_files();
    }

    std::vector<std::string> deploy_args() {
        return {mpyship_binary().string(),       "deploy",  project().string(), "--to",
                m_image->mount_point().string(), "--delete"};
    }

    // Every path is old or new content (absent only where old or new lacks it); extras are temp files.
    void check_old_or_new(const Files& on_image, const std::string& what) {
        std::set<std::string> paths;
        for (const Files* set : std::initializer_list<const Files*>{&m_old, &m_new, &on_image})
            for (auto& [p, b] : *set)
                paths.insert(p);
        for (const auto& p : paths) {
            if (p.starts_with(".mpyship/") || p == "boot_out.txt")
                continue;
            bool in_old = m_old.contains(p), in_new = m_new.contains(p);
            auto it = on_image.find(p);
            if (it == on_image.end()) {
                EXPECT_FALSE(in_old && in_new) << what << ": " << p << " vanished";
                continue;
            }
            if (!in_old && !in_new) {
                EXPECT_TRUE(p.find("~mps") != std::string::npos && p.ends_with(".tmp"))
                    << what << ": unexpected file " << p;
                continue;
            }
            bool ok = (in_old && it->second == m_old.at(p)) || (in_new && it->second == m_new.at(p));
            EXPECT_TRUE(ok) << what << ": " << p << " is neither old nor new (" << it->second.size()
                            << " bytes)";
        }
    }

    void restore_base() {
        ASSERT_TRUE(m_image->unmount());
        m_image->copy_image_from(m_dir.path() / "base.img");
        ASSERT_TRUE(m_image->mount()) << m_image->error();
    }

    void check_after_kill(const std::string& what, bool redeploy) {
        ASSERT_TRUE(m_image->unmount());
        EXPECT_EQ(m_image->fsck_problems(), "") << what;
        check_old_or_new(m_image->files(), what);
        if (!redeploy)
            return;
        ASSERT_TRUE(m_image->mount());
        auto j = deploy(*m_image, {"--delete"});
        EXPECT_EQ(j["exit_code"], 0) << what << j["stderr"];
        ASSERT_TRUE(m_image->unmount());
        EXPECT_EQ(m_image->fsck_problems(), "") << what;
        Files final_files = m_image->files();
        final_files.erase("boot_out.txt");
        final_files.erase(".mpyship/deployed.json");
        for (const auto& [path, bytes] : final_files)
            EXPECT_TRUE(m_new.contains(path) && m_new.at(path) == bytes)
                << what << ": after a redeploy " << path;
        EXPECT_EQ(final_files.size(), m_new.size())
            << what << ": a redeploy after the kill did not finish the job";
    }

    Files m_old, m_new;
};

std::size_t count_steps(const std::string& err) {
    auto at = err.find("fault hook: ");
    return at == err.npos ? 0 : std::stoul(err.substr(at + 12));
}

TEST_F(DeployFaults, KilledAtSeededStepsEveryFileIsOldOrNew) {
    prepare();
    ASSERT_FALSE(HasFatalFailure());
    restore_base();
    auto args = deploy_args();
    args.insert(args.begin(), {"env", "MPYSHIP_FAULT_AFTER_STEPS=-1"});
    auto full = run_program(args);
    ASSERT_EQ(full.exit_code, 0) << full.err;
    std::size_t steps = count_steps(full.err);
    ASSERT_GT(steps, 20u) << full.err;
    std::mt19937 rng(20261121);
    int runs = fault_runs();
    for (int run = 0; run < runs; ++run) {
        std::size_t kill_at = std::uniform_int_distribution<std::size_t>(0, steps - 1)(rng);
        if (const char* at = std::getenv("MPYSHIP_DEPLOY_FAULT_AT")) // replay one failing kill point
            kill_at = std::stoul(at);
        restore_base();
        args[1] = "MPYSHIP_FAULT_AFTER_STEPS=" + std::to_string(kill_at);
        auto r = run_program(args);
        std::string what = "run " + std::to_string(run) + ", killed before step " + std::to_string(kill_at) +
                           "\n" + r.err.substr(r.err.size() > 300 ? r.err.size() - 300 : 0);
        EXPECT_EQ(r.exit_code, 128 + SIGKILL) << what << r.err;
        check_after_kill(what, run % 4 == 0);
    }
}

TEST_F(DeployFaults, KilledAfterSeededDelaysEveryFileIsOldOrNew) {
    prepare();
    ASSERT_FALSE(HasFatalFailure());
    std::mt19937 rng(7);
    for (int run = 0; run < std::max(5, fault_runs() / 4); ++run) {
        restore_base();
        int delay = std::uniform_int_distribution<int>(0, 60000)(rng);
        run_and_kill_after(deploy_args(), delay);
        check_after_kill("timed run " + std::to_string(run) + " (" + std::to_string(delay) + " us)",
                         run % 2 == 0);
    }
}

} // namespace
} // namespace mpyship::test
