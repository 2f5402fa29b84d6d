// Issue 12's hardening items, through the real binary: what ships, damaged outputs, the project layout,
// links on the target, messages and JSON. Each test failed before its fix.
#include "../support/test_support.h"

#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace mpyship::test {
namespace {

namespace fs = std::filesystem;

RunResult mpyship(std::vector<std::string> args) { return run_mpyship(std::move(args)); }
void write_text(const fs::path& p, const std::string& text) { write_text_file(p, text); }

std::string read_text(const fs::path& p) {
    auto b = read_bytes(p);
    return {b.begin(), b.end()};
}

nlohmann::json json_of(const RunResult& r) {
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "stdout: " << r.out << "\nstderr: " << r.err;
    return j;
}

std::vector<std::string> manifest_paths(const fs::path& project) {
    auto j = nlohmann::json::parse(read_text(project / "build" / "manifest.json"));
    std::vector<std::string> out;
    for (const auto& f : j["files"])
        out.push_back(f["path"]);
    return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

// Item 1: with no mpyship.toml (and with one whose [build] sets its own exclude), hidden files, caches and
// secrets stay home; a secret is reported; naming it in include ships it.
TEST(Hardening, HiddenFilesCachesAndSecretsNeverShipByDefault) {
    TempDir dir;
    write_text(dir.path() / "src" / "app.py", "x = 1\n");
    write_text(dir.path() / "src" / ".git" / "HEAD", "ref: refs/heads/main\n");
    write_text(dir.path() / "src" / "sub" / ".env", "WIFI_PASSWORD=hunter2\n");
    write_text(dir.path() / "src" / "__pycache__" / "app.cpython-311.pyc", "junk");
    write_text(dir.path() / "src" / "certs" / "device.pem", "-----BEGIN PRIVATE KEY-----\n");
    write_text(dir.path() / "src" / "ota.key", "secret");
    auto r = mpyship({"build", dir.path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto paths = manifest_paths(dir.path());
    EXPECT_EQ(paths, (std::vector<std::string>{"app.mpy"}));
    EXPECT_NE(r.out.find("note: src/sub/.env: not shipped: it looks like a secret"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("note: src/certs/device.pem: not shipped"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("note: src/ota.key: not shipped"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(".git"), std::string::npos) << r.out; // hidden files are skipped silently

    write_text(dir.path() / "mpyship.toml", "[build]\nexclude = [\"*.bak\"]\ninclude = [\"**\", \"certs/device.pem\"]\n");
    r = mpyship({"build", dir.path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    paths = manifest_paths(dir.path());
    EXPECT_TRUE(contains(paths, "certs/device.pem"));
    EXPECT_FALSE(contains(paths, "sub/.env"));
    EXPECT_FALSE(contains(paths, ".git/HEAD"));
    EXPECT_FALSE(contains(paths, "ota.key"));
}

// Item 3: a damaged output is noticed by a no-op build (size or mtime changed) and rebuilt.
TEST(Hardening, DamagedOutputIsRebuilt) {
    TempDir dir;
    write_text(dir.path() / "src" / "x.py", "def f():\n    return 42\n");
    write_text(dir.path() / "src" / "y.py", "y = 2\n");
    ASSERT_EQ(mpyship({"build", dir.path().string()}).exit_code, 0);
    auto good = read_bytes(dir.path() / "build" / "mpy" / "x.mpy");
    write_bytes(dir.path() / "build" / "mpy" / "x.mpy", {'M', 6, 0, 31, 0xff}); // corrupted
    auto r = mpyship({"build", dir.path().string(), "--json"});
    auto j = json_of(r);
    EXPECT_EQ(j["counters"]["compiled"], 1) << r.out;
    EXPECT_EQ(j["counters"]["up_to_date"], 1) << r.out;
    EXPECT_EQ(read_bytes(dir.path() / "build" / "mpy" / "x.mpy"), good);
    EXPECT_EQ(mpyship({"verify", (dir.path() / "build").string()}).exit_code, 0);

    // Same size, different bytes (and so a new mtime): also noticed.
    auto same_size = good;
    same_size.back() ^= 0xff;
    write_bytes(dir.path() / "build" / "mpy" / "x.mpy", same_size);
    j = json_of(mpyship({"build", dir.path().string(), "--json"}));
    EXPECT_EQ(j["counters"]["compiled"], 1);
    EXPECT_EQ(read_bytes(dir.path() / "build" / "mpy" / "x.mpy"), good);

    // A damaged manifest is rewritten too.
    write_text(dir.path() / "build" / "manifest.json", "{");
    j = json_of(mpyship({"build", dir.path().string(), "--json"}));
    EXPECT_EQ(j["manifest_written"], true);
    EXPECT_EQ(mpyship({"verify", (dir.path() / "build").string()}).exit_code, 0);

    // A no-op build after all that is a no-op.
    j = json_of(mpyship({"build", dir.path().string(), "--json"}));
    EXPECT_EQ(j["counters"]["up_to_date"], 2);
    EXPECT_EQ(j["manifest_written"], false);
}

// Item 3: `mpyship clean` removes the outputs and only them.
TEST(Hardening, CleanRemovesOutputsOnly) {
    TempDir dir;
    write_text(dir.path() / "src" / "x.py", "x = 1\n");
    ASSERT_EQ(mpyship({"package", dir.path().string()}).exit_code, 0);
    write_text(dir.path() / "build" / "notes.txt", "mine");
    auto dry = mpyship({"clean", dir.path().string(), "--dry-run"});
    EXPECT_EQ(dry.exit_code, 0);
    EXPECT_NE(dry.out.find("would remove"), std::string::npos);
    EXPECT_TRUE(fs::exists(dir.path() / "build" / "mpy" / "x.mpy"));
    auto r = mpyship({"clean", dir.path().string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (const char* gone : {"mpy", "manifest.json", ".mpyship", "mpy-files.tar.gz", "mpy-files.zip"})
        EXPECT_FALSE(fs::exists(dir.path() / "build" / gone)) << gone;
    EXPECT_EQ(read_text(dir.path() / "build" / "notes.txt"), "mine");
    fs::remove(dir.path() / "build" / "notes.txt");
    ASSERT_EQ(mpyship({"build", dir.path().string()}).exit_code, 0);
    EXPECT_EQ(mpyship({"clean", dir.path().string()}).exit_code, 0);
    EXPECT_FALSE(fs::exists(dir.path() / "build")); // empty afterwards, so removed
    EXPECT_TRUE(fs::exists(dir.path() / "src" / "x.py"));

    write_text(dir.path() / "build", "not a folder");
    auto bad = mpyship({"clean", dir.path().string()});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.err.find("build: the output folder is not a folder"), std::string::npos) << bad.err;
    EXPECT_TRUE(fs::is_regular_file(dir.path() / "build"));
}

// Item 6: src and out must stay inside the project, and neither inside the other.
TEST(Hardening, ProjectCannotReachOutsideItself) {
    TempDir dir;
    write_text(dir.path() / "src" / "x.py", "x = 1\n");
    struct Case {
        std::string toml, message;
    };
    for (const auto& c : std::vector<Case>{
             {"src = \"../\"", "'src' (../) is outside the project folder"},
             {"out = \"../out\"", "'out' (../out) must be a folder inside the project folder"},
             {"out = \"src\"", "'out' (src) is inside 'src' (src)"},
             {"out = \"src/build\"", "'out' (src/build) is inside 'src' (src)"},
             {"src = \".\"", "'out' (build) is inside 'src' (.)"},
             {"src = \"build/src\"", "'src' (build/src) is inside 'out' (build)"},
         }) {
        write_text(dir.path() / "mpyship.toml", "[project]\n" + c.toml + "\n");
        auto r = mpyship({"build", dir.path().string()});
        EXPECT_EQ(r.exit_code, 1) << c.toml;
        EXPECT_NE(r.err.find("mpyship.toml:1:1: error: " + c.message), std::string::npos) << c.toml << "\n" << r.err;
        EXPECT_FALSE(fs::exists(dir.path() / "build")) << c.toml;
    }
}

// Item 11: a folder link inside the project is followed; one out of it is refused.
TEST(Hardening, FolderLinksFollowedInsideTheProjectOnly) {
    TempDir dir;
    write_text(dir.path() / "src" / "main.py", "import shared\n");
    write_text(dir.path() / "shared_lib" / "shared.py", "VALUE = 7\n");
    fs::create_directory_symlink("../shared_lib", dir.path() / "src" / "lib");
    auto r = mpyship({"build", dir.path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(contains(manifest_paths(dir.path()), "lib/shared.mpy"));

    TempDir outside;
    write_text(outside.path() / "other.py", "x = 1\n");
    fs::create_directory_symlink(outside.path(), dir.path() / "src" / "elsewhere");
    r = mpyship({"build", dir.path().string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("elsewhere: symbolic link leads outside the project folder"), std::string::npos) << r.err;
}

// Item 6: deploy never writes through a link on the target.
TEST(Hardening, DeployRefusesToWriteThroughALinkOnTheTarget) {
    TempDir project, drive, elsewhere;
    write_text(project.path() / "mpyship.toml", "[project]\ntarget = \"circuitpython\"\n");
    write_text(project.path() / "src" / "code.py", "print('hi')\n");
    write_text(project.path() / "src" / "lib" / "util.py", "x = 1\n");
    ASSERT_EQ(mpyship({"build", project.path().string()}).exit_code, 0);
    write_text(drive.path() / "boot_out.txt",
               "Adafruit CircuitPython 10.2.1 on 2025-01-01; Raspberry Pi Pico with rp2040\n");
    fs::create_directory_symlink(elsewhere.path(), drive.path() / "lib");
    auto r = mpyship({"deploy", project.path().string(), "--to", drive.path().string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("mpyship never writes through a link"), std::string::npos) << r.err << r.out;
    EXPECT_TRUE(fs::is_empty(elsewhere.path()));
    EXPECT_FALSE(fs::exists(drive.path() / "code.py"));
}

// Item 7: --strict names what failed instead of claiming nothing compiled.
TEST(Hardening, StrictFailureSaysWhatFailed) {
    TempDir dir;
    write_text(dir.path() / "src" / "good.py", "x = 1\n");
    write_text(dir.path() / "src" / "bad.py", "def (:\n");
    auto r = mpyship({"build", dir.path().string(), "--strict"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("build failed: 1 file failed (--strict)"), std::string::npos) << r.err;
    fs::remove(dir.path() / "src" / "good.py");
    r = mpyship({"build", dir.path().string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("build failed: no module compiled"), std::string::npos) << r.err;
}

// Item 2: a non-ASCII source name packages (in the C locale too), verifies, and tar/unzip list it.
TEST(Hardening, NonAsciiNamesPackageAndVerify) {
    TempDir dir;
    write_text(dir.path() / "src" / "\xc3\xa9 mod.py", "x = 1\n");
    write_text(dir.path() / "src" / "main.py", "import x\n");
    for (const char* locale : {"C", "C.UTF-8"}) {
        auto r = run_program({"/usr/bin/env", std::string("LC_ALL=") + locale, mpyship_binary().string(), "package",
                              dir.path().string()});
        ASSERT_EQ(r.exit_code, 0) << locale << ": " << r.err;
        for (const char* archive : {"mpy-files.tar.gz", "mpy-files.zip"}) {
            auto v = run_program({"/usr/bin/env", std::string("LC_ALL=") + locale, mpyship_binary().string(),
                                  "verify", (dir.path() / "build" / archive).string()});
            EXPECT_EQ(v.exit_code, 0) << locale << " " << archive << ": " << v.out << v.err;
        }
    }
    auto tar = run_program({"/usr/bin/tar", "-tzf", (dir.path() / "build" / "mpy-files.tar.gz").string()});
    EXPECT_NE(tar.out.find("mpy/\xc3\xa9 mod.mpy"), std::string::npos) << tar.out;
    auto zip = run_program({"/usr/bin/unzip", "-Z1", (dir.path() / "build" / "mpy-files.zip").string()});
    EXPECT_NE(zip.out.find("mpy/\xc3\xa9 mod.mpy"), std::string::npos) << zip.out;
}

// Item 8: a member that inflates far past its manifest size is reported without being read whole.
TEST(Hardening, ArchiveMemberLargerThanItsManifestEntry) {
    TempDir dir;
    write_text(dir.path() / "src" / "x.txt", "abcd");
    ASSERT_EQ(mpyship({"build", dir.path().string()}).exit_code, 0);
    auto tree = dir.path() / "tree";
    fs::create_directories(tree / "mpy");
    fs::copy_file(dir.path() / "build" / "manifest.json", tree / "manifest.json");
    {
        std::ofstream big(tree / "mpy" / "x.txt", std::ios::binary);
        std::string zeros(1 << 20, '\0');
        for (int i = 0; i < 64; ++i)
            big << zeros;
    }
    auto tar = dir.path() / "bomb.tar.gz";
    ASSERT_EQ(run_program({"/usr/bin/tar", "-czf", tar.string(), "-C", tree.string(), "."}).exit_code, 0);
    auto r = mpyship({"verify", tar.string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE((r.out + r.err).find("expected 4 bytes, found more"), std::string::npos) << r.out << r.err;
}

// Item 5: verify DRIVE fails when a stale .py (or package folder) would be imported instead of a .mpy.
TEST(Hardening, VerifyDriveReportsShadowingSources) {
    TempDir project, drive;
    write_text(project.path() / "src" / "code.py", "import app\n");
    write_text(project.path() / "src" / "app.py", "X = 1\n");
    write_text(project.path() / "src" / "lib" / "util.py", "Y = 2\n");
    ASSERT_EQ(mpyship({"build", project.path().string()}).exit_code, 0);
    for (const char* f : {"code.py", "app.mpy", "lib/util.mpy"})
        fs::copy_file(project.path() / "build" / "mpy" / f, drive.path() / f,
                      (fs::create_directories((drive.path() / f).parent_path()), fs::copy_options::none));
    std::string manifest = (project.path() / "build" / "manifest.json").string();
    auto clean = mpyship({"verify", drive.path().string(), "--manifest", manifest});
    EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
    write_text(drive.path() / "app.py", "X = 'old'\n");
    write_text(drive.path() / "lib" / "util" / "__init__.py", "Y = 'old'\n");
    auto r = mpyship({"verify", drive.path().string(), "--manifest", manifest});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find("shadows: app.py ("), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("shadows: lib/util/ ("), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("2 problem(s)"), std::string::npos) << r.out;
}

// Item 7: messages. -j 0 names the range; a non-UTF-8 source has its line, column and a caret.
TEST(Hardening, MessagesNameTheProblemPlainly) {
    TempDir dir;
    write_text(dir.path() / "src" / "ok.py", "x = 1\n");
    write_text(dir.path() / "src" / "latin1.py", "x = 1\ns = 'caf\xe9'\n");
    auto j0 = mpyship({"build", dir.path().string(), "-j", "0"});
    EXPECT_EQ(j0.exit_code, 2) << j0.err;
    EXPECT_NE(j0.err.find("Value 0 not in range 1 to 1024"), std::string::npos) << j0.err;
    EXPECT_LT(j0.err.size(), 200u) << j0.err;
    auto r = mpyship({"build", dir.path().string()});
    EXPECT_NE(r.err.find("src/latin1.py:2:9: error: source is not valid UTF-8 (byte 0xe9)\n    s = 'caf?'\n"
                         "            ^\n"),
              std::string::npos)
        << r.err;
}

// Item 7: every --json command prints one object whose "ok" matches the exit code, with "error" when false.
TEST(Hardening, JsonOnErrorsIsOneObjectWithOkAndError) {
    TempDir dir;
    auto check = [](const RunResult& r, const std::string& what) {
        auto j = json_of(r);
        ASSERT_TRUE(j.is_object()) << what;
        EXPECT_EQ(j["ok"].get<bool>(), r.exit_code == 0) << what << ": " << r.out;
        if (r.exit_code != 0) {
            EXPECT_TRUE(j.contains("error") && !j["error"].get<std::string>().empty()) << what << ": " << r.out;
        }
    };
    // No src/ at all.
    check(mpyship({"build", dir.path().string(), "--json"}), "build, no src");
    check(mpyship({"package", dir.path().string(), "--json"}), "package, no src");
    check(mpyship({"verify", (dir.path() / "nothing").string(), "--json"}), "verify, no such path");
    check(mpyship({"inspect", (dir.path() / "nothing.mpy").string(), "--json"}), "inspect, no file");
    check(mpyship({"deploy", dir.path().string(), "--to", (dir.path() / "nodrive").string(), "--json"}),
          "deploy, no drive");
    // Only a module that fails.
    write_text(dir.path() / "src" / "bad.py", "def (:\n");
    check(mpyship({"build", dir.path().string(), "--json"}), "build, failed module");
    check(mpyship({"package", dir.path().string(), "--json"}), "package, failed module");
    // A working build: ok true, exit 0.
    write_text(dir.path() / "src" / "bad.py", "x = 1\n");
    check(mpyship({"package", dir.path().string(), "--json"}), "package, fine");
    write_bytes(dir.path() / "build" / "mpy" / "bad.mpy", {'M'});
    check(mpyship({"verify", (dir.path() / "build").string(), "--json"}), "verify, damaged");
}

// Item 7: a boot_out.txt that names no runtime, or cannot be read, is refused unless --force.
TEST(Hardening, UnknownBootOutIsRefusedUnlessForced) {
    TempDir project, drive;
    write_text(project.path() / "src" / "code.py", "print(1)\n");
    ASSERT_EQ(mpyship({"build", project.path().string()}).exit_code, 0);
    write_text(drive.path() / "boot_out.txt", "\x01\x02 garbage from a half-written flash\n");
    auto r = mpyship({"deploy", project.path().string(), "--to", drive.path().string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("boot_out.txt does not name CircuitPython or MicroPython"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(drive.path() / "code.py"));
    auto forced = mpyship({"deploy", project.path().string(), "--to", drive.path().string(), "--force"});
    EXPECT_EQ(forced.exit_code, 0) << forced.err;
    EXPECT_TRUE(fs::exists(drive.path() / "code.py"));
}

// Item 10: deploy builds first, so an edit to src/ is what reaches the board; a failed build deploys nothing;
// --no-build deploys build/ as it is.
TEST(Hardening, DeployShipsTheCurrentSources) {
    TempDir project, drive;
    write_text(project.path() / "src" / "code.py", "print('v1')\n");
    write_text(drive.path() / "boot_out.txt",
               "Adafruit CircuitPython 10.2.1 on 2025-01-01; Raspberry Pi Pico with rp2040\n");
    ASSERT_EQ(mpyship({"build", project.path().string()}).exit_code, 0);
    write_text(project.path() / "src" / "code.py", "print('v2')\n");
    auto r = mpyship({"deploy", project.path().string(), "--to", drive.path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_text(drive.path() / "code.py"), "print('v2')\n");

    write_text(project.path() / "src" / "code.py", "print('v3')\n");
    r = mpyship({"deploy", project.path().string(), "--to", drive.path().string(), "--no-build"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(read_text(drive.path() / "code.py"), "print('v2')\n");

    write_text(project.path() / "src" / "broken.py", "def (:\n");
    fs::remove(project.path() / "src" / "code.py");
    r = mpyship({"deploy", project.path().string(), "--to", drive.path().string(), "--json"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(json_of(r)["ok"], false);
    EXPECT_NE(r.err.find("the build failed, so nothing was deployed"), std::string::npos) << r.err;
    EXPECT_EQ(read_text(drive.path() / "code.py"), "print('v2')\n");
}

} // namespace
} // namespace mpyship::test
