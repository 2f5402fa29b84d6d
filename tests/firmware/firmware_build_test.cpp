// Firmware orchestration against the generated MicroPython-shaped tree (fake_micropython.h): cache key,
// source preparation and patches, manifest generation, make arguments, outputs, and failures.
#include "../support/test_support.h"
#include "fake_micropython.h"

#include "mpyship/firmware/cache_clean.h"
#include "mpyship/firmware/cache_key.h"
#include "mpyship/firmware/cache_lock.h"
#include "mpyship/firmware/firmware_build.h"
#include "mpyship/firmware/port_info.h"
#include "mpyship/firmware/source_prep.h"
#include "mpyship/util/sha256.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <thread>

namespace mpyship::firmware {
namespace {

namespace fs = std::filesystem;
using test::read_text;
using test::write_text;

class FirmwareBuild : public ::testing::Test {
  protected:
    void SetUp() override {
        test::write_fake_micropython(mp());
        write_project("port = \"fake\"\nboard = \"BOARD_A\"\nmicropython = \"../mp\"\n");
    }
    fs::path mp() const { return m_dir.path() / "mp"; }
    fs::path proj() const { return m_dir.path() / "proj"; }
    fs::path cache() const { return m_dir.path() / "cache"; }
    void write_project(const std::string& section) { test::write_fake_project(proj(), section); }

    FirmwareConfig config() {
        auto c = load_firmware_config(proj());
        EXPECT_TRUE(c) << c.error().to_string();
        return *c;
    }
    FirmwareBuildOptions options(unsigned jobs = 2) {
        FirmwareBuildOptions o;
        o.cache_root = cache();
        o.mpyship_exe = test::mpyship_binary();
        o.jobs = jobs;
        o.path_env = std::getenv("PATH");
        return o;
    }
    std::string key() {
        auto k = compute_cache_key(config(), "test");
        EXPECT_TRUE(k) << k.error().to_string();
        return k->key;
    }
    FirmwareBuildResult build() {
        auto r = build_firmware(config(), options());
        EXPECT_TRUE(r) << r.error().to_string();
        return r ? *r : FirmwareBuildResult{};
    }
    fs::path build_dir(const FirmwareBuildResult& r, const std::string& name = "build-BOARD_A") {
        return r.cache_dir / "tree/ports/fake" / name;
    }

    test::TempDir m_dir;
};

TEST_F(FirmwareBuild, KeyChangesWithEveryInputAndNothingElse) {
    std::string base = key();
    EXPECT_EQ(key(), base);
    write_text(proj() / "src/app.py",
               "print('changed')\n"); // frozen sources are make's business, not the key's
    EXPECT_EQ(key(), base);
    std::vector<std::string> seen{base};
    auto expect_new = [&](const std::string& what) {
        std::string k = key();
        for (const auto& s : seen)
            EXPECT_NE(k, s) << what;
        seen.push_back(k);
    };
    write_text(mp() / "py/obj.c", "// new file\n");
    expect_new("source content");
    write_text(proj() / "p1.patch", test::level_patch(1, 2));
    write_project(
        "port = \"fake\"\nboard = \"BOARD_A\"\nmicropython = \"../mp\"\npatches = [\"p1.patch\"]\n");
    expect_new("a patch");
    write_text(proj() / "p1.patch", test::level_patch(1, 3));
    expect_new("patch content");
    write_project(
        "port = \"fake\"\nboard = \"BOARD_B\"\nmicropython = \"../mp\"\npatches = [\"p1.patch\"]\n");
    expect_new("board");
    write_project("port = \"fake\"\nboard = \"BOARD_B\"\nvariant = \"SPIRAM\"\nmicropython = \"../mp\"\n"
                  "patches = [\"p1.patch\"]\n");
    expect_new("variant");
    write_project("port = \"fake\"\nboard = \"BOARD_B\"\nvariant = \"SPIRAM\"\nmicropython = \"../mp\"\n"
                  "patches = [\"p1.patch\"]\nmake_vars = { EXTRA = \"1\" }\n");
    expect_new("make_vars");
    write_project("port = \"fake\"\nboard = \"BOARD_B\"\nvariant = \"SPIRAM\"\nmicropython = \"../mp\"\n"
                  "patches = [\"p1.patch\"]\nmake_vars = { EXTRA = \"1\" }\nmanifest = \"module('a.py')\"\n");
    expect_new("manifest text");
    write_text(proj() / "cmod/blink/micropython.mk", "# c module\n");
    write_project("port = \"fake\"\nboard = \"BOARD_B\"\nvariant = \"SPIRAM\"\nmicropython = \"../mp\"\n"
                  "patches = [\"p1.patch\"]\nmake_vars = { EXTRA = \"1\" }\nmanifest = \"module('a.py')\"\n"
                  "user_c_modules = [\"cmod/blink\"]\n");
    expect_new("a C module");
    write_text(proj() / "cmod/blink/blink.c", "int x;\n");
    expect_new("C module content");
    std::string last = key();
    write_text(mp() / "ports/fake/build-BOARD_A/junk.o", "build output\n");
    write_text(mp() / ".git/HEAD", "ref\n");
    EXPECT_EQ(key(), last) << "build folders and .git are not source";
    EXPECT_NE(compute_cache_key(config(), "other-version")->key, last);
}

TEST_F(FirmwareBuild, BuildsCollectsAndRebuildsInstantly) {
    auto r = build();
    ASSERT_TRUE(r.ok) << r.log;
    EXPECT_TRUE(r.prepared_now);
    EXPECT_FALSE(r.up_to_date);
    EXPECT_EQ(r.cache_dir, cache() / "firmware" / r.key.key);
    EXPECT_TRUE(fs::exists(r.cache_dir / "prepared"));
    fs::path out = proj() / "build/firmware";
    std::vector<std::string> names;
    for (const auto& o : r.outputs)
        names.push_back(o.name);
    EXPECT_EQ(names, (std::vector<std::string>{"bootloader/bootloader.bin", "firmware.bin", "firmware.elf",
                                               "firmware.uf2", "flash_args"}));
    EXPECT_EQ(read_text(out / "firmware.bin"), "bin\n");
    EXPECT_FALSE(fs::exists(out / "main.o"));
    auto m = nlohmann::json::parse(read_text(out / "firmware-manifest.json"));
    EXPECT_EQ(m["inputs"]["key"], r.key.key);
    EXPECT_EQ(m["inputs"]["port"], "fake");
    EXPECT_EQ(m["inputs"]["board"], "BOARD_A");
    EXPECT_TRUE(m["inputs"]["toolchain"].contains("make"));
    EXPECT_EQ(m["inputs"]["target"]["method"], "none") << "the fake port has no known way to flash";
    EXPECT_NE(
        m["inputs"]["target"]["why_none"].get<std::string>().find("for the fake port use its own tools"),
        std::string::npos);
    EXPECT_EQ(m["outputs"][1]["name"], "firmware.bin");
    EXPECT_EQ(m["outputs"][1]["size"], 4);
    EXPECT_EQ(m["outputs"][1]["sha256"], sha256_hex(std::vector<std::uint8_t>{'b', 'i', 'n', '\n'}));
    EXPECT_TRUE(fs::exists(build_dir(r) / "frozen_hello.mpy"))
        << "make compiled a module with MICROPY_MPYCROSS";
    EXPECT_EQ(read_text(build_dir(r) / "frozen_hello.mpy").substr(0, 2), "M\x06");

    auto again = build();
    EXPECT_TRUE(again.ok);
    EXPECT_TRUE(again.up_to_date);
    EXPECT_FALSE(again.prepared_now);
    EXPECT_EQ(read_text(build_dir(r) / "calls.txt"), "call\n") << "make did not run again";
}

TEST_F(FirmwareBuild, MakeArgumentsAndEnvironment) {
    write_text(proj() / "cmod/blink/micropython.mk", "# c module\n");
    write_project("port = \"fake\"\nboard = \"BOARD_B\"\nvariant = \"SPIRAM\"\nmicropython = \"../mp\"\n"
                  "user_c_modules = [\"cmod/blink\"]\nmake_vars = { EXTRA = \"a b\" }\njobs = 5\n");
    auto r = build_firmware(config(), options(0));
    ASSERT_TRUE(r && r->ok);
    fs::path d = r->cache_dir;
    EXPECT_EQ(
        r->make_argv,
        (std::vector<std::string>{
            "make", "-C", (d / "tree/ports/fake").string(), "BOARD=BOARD_B", "BOARD_VARIANT=SPIRAM",
            "FROZEN_MANIFEST=" + (d / "manifest.py").string(), "USER_C_MODULES=" + (d / "c_modules").string(),
            "MICROPY_MPYCROSS=" + (d / "bin/mpy-cross").string(),
            "MICROPY_MPYCROSS_DEPENDENCY=" + (d / "bin/mpy-cross").string(), "EXTRA=a b", "-j5"}));
    std::string args = read_text(build_dir(*r, "build-BOARD_B-SPIRAM") / "make-args.txt");
    EXPECT_NE(args.find("BOARD=BOARD_B\n"), std::string::npos) << args;
    EXPECT_NE(args.find("BOARD_VARIANT=SPIRAM\n"), std::string::npos) << args;
    EXPECT_NE(args.find("EXTRA=a b\n"), std::string::npos) << args;
    EXPECT_NE(args.find("-j5"), std::string::npos) << args;
    EXPECT_NE(args.find("LC_ALL=C\n"), std::string::npos) << args;
    EXPECT_NE(args.find("USER_C_MODULES=" + (d / "c_modules").string()), std::string::npos) << args;
    EXPECT_TRUE(fs::exists(d / "c_modules/blink/micropython.mk"));
    EXPECT_EQ(fs::read_symlink(d / "bin/mpy-cross"), test::mpyship_binary());
}

TEST_F(FirmwareBuild, UnixPortHasNoBoard) {
    write_project("port = \"unix\"\nmicropython = \"../mp\"\n");
    auto r = build();
    ASSERT_TRUE(r.ok);
    ASSERT_EQ(r.outputs.size(), 1u);
    EXPECT_EQ(r.outputs[0].name, "micropython");
    EXPECT_TRUE(fs::exists(r.cache_dir / "tree/ports/unix/build-standard/micropython"));
    EXPECT_EQ(read_text(r.cache_dir / "manifest.py"),
              "# Generated by mpyship from [firmware] in mpyship.toml; do not edit.\n"
              "include(\"$(PORT_DIR)/variants/standard/manifest.py\")\n");
    write_project("port = \"unix\"\nvariant = \"minimal\"\nmicropython = \"../mp\"\n");
    auto minimal = build();
    ASSERT_TRUE(minimal.ok);
    EXPECT_NE(read_text(minimal.cache_dir / "tree/ports/unix/build-minimal/make-args.txt")
                  .find("VARIANT=minimal\n"),
              std::string::npos);
}

TEST_F(FirmwareBuild, ManifestIncludesPortManifestUserManifestAndProject) {
    write_text(proj() / "fw/manifest.py", "require('aioble')\n");
    write_project(
        "port = \"fake\"\nboard = \"BOARD_B\"\nmicropython = \"../mp\"\nmanifest = \"fw/manifest.py\"\n"
        "freeze_project = true\n");
    auto r = build();
    ASSERT_TRUE(r.ok);
    std::string src = (proj() / "src").string();
    EXPECT_EQ(read_text(r.cache_dir / "manifest.py"),
              "# Generated by mpyship from [firmware] in mpyship.toml; do not edit.\n"
              "include(\"$(BOARD_DIR)/manifest.py\")\n"
              "include(\"" +
                  (proj() / "fw/manifest.py").string() +
                  "\")\n"
                  "# freeze_project: the project's src/ folder\n"
                  "module(\"app.py\", base_path=\"" +
                  src +
                  "\")\n"
                  "module(\"lib/util.py\", base_path=\"" +
                  src + "\")\n");
    write_project(
        "port = \"fake\"\nboard = \"BOARD_A\"\nmicropython = \"../mp\"\ninclude_port_manifest = false\n"
        "manifest = \"\"\"\nmodule('x.py')\n\"\"\"\n");
    auto inline_text = build();
    ASSERT_TRUE(inline_text.ok);
    EXPECT_EQ(read_text(inline_text.cache_dir / "manifest.py"),
              "# Generated by mpyship from [firmware] in mpyship.toml; do not edit.\nmodule('x.py')\n");
}

TEST_F(FirmwareBuild, FrozenSourceChangeRebuildsInTheSameTree) {
    write_project("port = \"fake\"\nboard = \"BOARD_A\"\nmicropython = \"../mp\"\nfreeze_project = true\n");
    auto first = build();
    ASSERT_TRUE(first.ok);
    write_text(proj() / "src/app.py", "print('v2')\n");
    auto second = build();
    ASSERT_TRUE(second.ok);
    EXPECT_EQ(second.key.key, first.key.key);
    EXPECT_FALSE(second.up_to_date);
    EXPECT_FALSE(second.prepared_now);
    EXPECT_EQ(read_text(build_dir(second) / "calls.txt"), "call\ncall\n");
}

TEST_F(FirmwareBuild, PatchesApplyInOrder) {
    write_text(proj() / "patches/1.patch", test::level_patch(1, 2));
    write_text(proj() / "patches/2.patch", test::level_patch(2, 3));
    write_project("port = \"fake\"\nboard = \"BOARD_A\"\nmicropython = \"../mp\"\n"
                  "patches = [\"patches/1.patch\", \"patches/2.patch\"]\n");
    auto r = build();
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(read_text(r.cache_dir / "tree/py/mpconfig.h"), "// fake mpconfig\n#define FAKE_LEVEL 3\n");
    EXPECT_EQ(read_text(mp() / "py/mpconfig.h"), "// fake mpconfig\n#define FAKE_LEVEL 1\n")
        << "source untouched";
}

TEST_F(FirmwareBuild, FailingPatchIsNamedAndLeavesNoTree) {
    write_text(proj() / "patches/1.patch", test::level_patch(1, 2));
    write_text(proj() / "patches/2.patch", test::level_patch(2, 3));
    write_project("port = \"fake\"\nboard = \"BOARD_A\"\nmicropython = \"../mp\"\n"
                  "patches = [\"patches/2.patch\", \"patches/1.patch\"]\n");
    auto r = build_firmware(config(), options());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().path, (proj() / "patches/2.patch").string());
    EXPECT_EQ(r.error().message, "patch 1 of 2 does not apply to " + (mp()).string() +
                                     ":\npatching file py/mpconfig.h\nHunk #1 FAILED at 1.\n"
                                     "1 out of 1 hunk FAILED\n");
    EXPECT_FALSE(fs::exists(cache() / "firmware" / key()));
    EXPECT_TRUE(fs::is_empty(cache() / "firmware"));
}

TEST_F(FirmwareBuild, UnknownPortAndBoardListTheAvailableOnes) {
    write_project("port = \"esp99\"\nmicropython = \"../mp\"\n");
    auto port = build_firmware(config(), options());
    ASSERT_FALSE(port);
    EXPECT_EQ(port.error().message, "unknown port 'esp99'; available ports: fake, qemu, unix");
    write_project("port = \"fake\"\nboard = \"BOARD_C\"\nmicropython = \"../mp\"\n");
    auto board = build_firmware(config(), options());
    ASSERT_FALSE(board);
    EXPECT_EQ(board.error().message,
              "unknown board 'BOARD_C' for port fake; available boards: BOARD_A, BOARD_B");
    write_project("port = \"fake\"\nmicropython = \"../mp\"\n");
    auto none = build_firmware(config(), options());
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().message, "port fake needs a board; available boards: BOARD_A, BOARD_B");
}

TEST_F(FirmwareBuild, MissingToolchainNamesProgramAndDocs) {
    fs::path bin = m_dir.path() / "bin";
    fs::create_directories(bin);
    fs::create_symlink(*find_on_path("make", std::getenv("PATH")), bin / "make");
    auto missing = check_toolchain("qemu", bin.string());
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message,
              "'arm-none-eabi-gcc' not found on PATH: the qemu port needs make, arm-none-eabi-gcc; setup: "
              "https://github.com/micropython/micropython/blob/master/ports/qemu/README.md");
    EXPECT_TRUE(check_toolchain("fake", bin.string()));
    // qemu's RISC-V boards build with the RISC-V toolchain instead
    auto rv = check_toolchain("qemu", bin.string(), "VIRT_RV32");
    ASSERT_FALSE(rv);
    EXPECT_EQ(rv.error().message,
              "'riscv64-unknown-elf-gcc' not found on PATH: the qemu port's board VIRT_RV32 needs make, "
              "riscv64-unknown-elf-gcc; setup: https://github.com/micropython/micropython/blob/master/ports/qemu/README.md");
    EXPECT_EQ(check_toolchain("qemu", bin.string(), "MPS2_AN385").error().message, missing.error().message);
    write_project("port = \"qemu\"\nboard = \"MPS2_AN385\"\nmicropython = \"../mp\"\n");
    auto o = options();
    o.path_env = bin.string();
    auto r = build_firmware(config(), o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, missing.error().message);
    EXPECT_FALSE(fs::exists(proj() / "build/firmware-build.log")) << "checked before running";
}

TEST_F(FirmwareBuild, FailureShowsErrorLinesAndKeepsPreviousOutputs) {
    ASSERT_TRUE(build().ok);
    std::string manifest_before = read_text(proj() / "build/firmware/firmware-manifest.json");
    write_project(
        "port = \"fake\"\nboard = \"BOARD_A\"\nmicropython = \"../mp\"\nmake_vars = { FAIL = \"1\" }\n");
    std::vector<std::string> streamed;
    auto o = options();
    o.on_line = [&](std::string_view l) { streamed.emplace_back(l); };
    auto r = build_firmware(config(), o);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->make_exit, 2);
    EXPECT_EQ(r->error_tail, (std::vector<std::string>{
                                 "main.c:12:5: error: 'foo' undeclared", "main.c:13:1: error: expected ';'",
                                 "make: *** [main.o] Error 1", "make: *** [Makefile:24: all] Error 2"}));
    EXPECT_EQ(r->log, proj() / "build/firmware-build.log");
    std::string log = read_text(r->log);
    EXPECT_TRUE(log.starts_with("$ make -C ")) << log;
    EXPECT_NE(log.find("CC main.c\n"), std::string::npos);
    EXPECT_FALSE(streamed.empty());
    EXPECT_EQ(read_text(proj() / "build/firmware/firmware-manifest.json"), manifest_before);
    EXPECT_EQ(read_text(proj() / "build/firmware/firmware.bin"), "bin\n");
    for (const auto& e : fs::directory_iterator(proj() / "build"))
        EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
}

TEST_F(FirmwareBuild, GitSourceAtRevision) {
    auto git = [&](const std::vector<std::string>& args) {
        std::vector<std::string> argv{"git",         "-C", mp().string(),   "-c",
                                      "user.name=t", "-c", "user.email=t@t"};
        argv.insert(argv.end(), args.begin(), args.end());
        auto r = test::run_program(argv);
        ASSERT_EQ(r.exit_code, 0) << r.err;
    };
    git({"init", "-q"});
    git({"add", "-A"});
    git({"commit", "-q", "-m", "v1"});
    git({"tag", "v1"});
    write_text(mp() / "py/mpconfig.h", "// fake mpconfig\n#define FAKE_LEVEL 9\n");
    git({"commit", "-q", "-am", "v2"});
    write_project("port = \"fake\"\nboard = \"BOARD_A\"\nmicropython = { git = \"../mp\", rev = \"v1\" }\n");
    auto r = build();
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(read_text(r.cache_dir / "tree/py/mpconfig.h"), "// fake mpconfig\n#define FAKE_LEVEL 1\n");
    write_project(
        "port = \"fake\"\nboard = \"BOARD_A\"\nmicropython = { git = \"../mp\", rev = \"v1\", sha256 = \"" +
        std::string(64, '0') + "\" }\n");
    auto pinned = build_firmware(config(), options());
    ASSERT_FALSE(pinned);
    EXPECT_NE(pinned.error().message.find("does not match its pinned sha256: expected 000"),
              std::string::npos)
        << pinned.error().message;
}

TEST_F(FirmwareBuild, GitSourceGetsThePortsSubmodules) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"init", "-q"}, {"add", "-A"}, {"commit", "-q", "-m", "v1"}}) {
        std::vector<std::string> argv{"git",         "-C", mp().string(),   "-c",
                                      "user.name=t", "-c", "user.email=t@t"};
        argv.insert(argv.end(), args.begin(), args.end());
        ASSERT_EQ(test::run_program(argv).exit_code, 0);
    }
    const std::string source =
        "port = \"fake\"\nboard = \"BOARD_B\"\nmicropython = { git = \"../mp\", rev = \"HEAD\" }\n";
    write_project(source);
    auto r = build();
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(read_text(r.cache_dir / "tree/lib/fake-submodule/fetched.txt"), "BOARD=BOARD_B VARIANT=\n")
        << "`make submodules` ran in the clone for the configured board";

    write_project(source + "submodules = false\n");
    auto off = build();
    ASSERT_TRUE(off.ok);
    EXPECT_NE(off.key.key, r.key.key);
    EXPECT_FALSE(fs::exists(off.cache_dir / "tree/lib/fake-submodule"));

    write_project(source + "make_vars = { SUBMODULES_FAIL = \"1\" }\n");
    auto failed = build_firmware(config(), options());
    ASSERT_FALSE(failed);
    EXPECT_NE(failed.error().message.find(
                  "cannot fetch the git submodules the fake port needs (`make submodules` in "
                  "a clone of " +
                  mp().string() + "@HEAD failed; offline?):\n"),
              std::string::npos)
        << failed.error().message;
    EXPECT_NE(failed.error().message.find("Could not resolve host: github.com"), std::string::npos);
    EXPECT_NE(failed.error().message.find("Set submodules = false in [firmware]"), std::string::npos);
    auto plan = plan_firmware_build(config(), options());
    ASSERT_TRUE(plan);
    EXPECT_FALSE(fs::exists(plan->cache_dir)) << "no half-prepared tree is kept";
}

TEST_F(FirmwareBuild, LocalSourceIsUsedAsItIs) {
    auto r = build();
    ASSERT_TRUE(r.ok);
    EXPECT_FALSE(fs::exists(r.cache_dir / "tree/lib/fake-submodule"))
        << "no `make submodules` for a local folder";
}

TEST_F(FirmwareBuild, DryRunCli) {
    ::setenv("MPYSHIP_CACHE_DIR", cache().c_str(), 1);
    auto r = test::run_program(
        {test::mpyship_binary().string(), "firmware", "build", proj().string(), "--dry-run", "--jobs", "3"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("key: "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("cache: " + (cache() / "firmware").string()), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("make: make -C "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" BOARD=BOARD_A "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" -j3\n"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(cache() / "firmware")) << "a dry run prepares nothing";
}

TEST_F(FirmwareBuild, SecondBuildOfTheSameKeyWaitsForTheFirst) {
    auto plan = plan_firmware_build(config(), options());
    ASSERT_TRUE(plan) << plan.error().to_string();
    auto held = CacheLock::acquire(cache() / "locks" / (plan->key.key + ".lock"), {});
    ASSERT_TRUE(held) << held.error().to_string();
    std::atomic<bool> waited = false, finished = false;
    auto o = options();
    o.on_note = [&](std::string_view note) {
        EXPECT_NE(note.find("waiting for another `mpyship firmware build`"), std::string_view::npos);
        waited = true;
    };
    FirmwareBuildResult r;
    std::thread second([&] {
        auto b = build_firmware(config(), o);
        ASSERT_TRUE(b) << b.error().to_string();
        r = *b;
        finished = true;
    });
    for (int i = 0; i < 500 && !waited; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_TRUE(waited.load());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_FALSE(finished.load()) << "the build must not run while the key is locked";
    EXPECT_FALSE(fs::exists(plan->cache_dir)) << "nothing prepared while waiting";
    *held = CacheLock();
    second.join();
    EXPECT_TRUE(r.ok);
    EXPECT_TRUE(r.prepared_now);
}

TEST_F(FirmwareBuild, CleanRemovesOtherTreesAndSkipsOnesInUse) {
    auto current = build();
    ASSERT_TRUE(current.ok);
    write_project("port = \"fake\"\nboard = \"BOARD_B\"\nmicropython = \"../mp\"\n");
    auto other = build();
    ASSERT_TRUE(other.ok);
    write_project("port = \"fake\"\nboard = \"BOARD_A\"\nmicropython = \"../mp\"\n");
    fs::create_directories(cache() / "firmware" /
                           "abc.tmp-999999999"); // a half-prepared tree of a dead process
    write_text(cache() / "firmware" / "abc.tmp-999999999" / "x", std::string(1000, 'x'));
    fs::create_directories(cache() / "firmware" / "busy");
    auto held = CacheLock::acquire(cache() / "locks" / "busy.lock", {});
    ASSERT_TRUE(held);

    std::vector<std::string> gone{other.key.key, "abc.tmp-999999999"};
    std::sort(gone.begin(), gone.end());
    auto dry = clean_cache(cache(), current.key.key, true);
    ASSERT_TRUE(dry) << dry.error().to_string();
    EXPECT_EQ(dry->removed, gone);
    EXPECT_TRUE(fs::exists(other.cache_dir)) << "a dry run removes nothing";

    auto r = clean_cache(cache(), current.key.key, false);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->removed, gone);
    EXPECT_EQ(r->in_use, std::vector<std::string>{"busy"});
    EXPECT_EQ(r->kept, current.key.key);
    EXPECT_GT(r->freed_bytes, 1000u);
    EXPECT_EQ(r->freed_bytes, dry->freed_bytes);
    EXPECT_FALSE(fs::exists(other.cache_dir));
    EXPECT_FALSE(fs::exists(cache() / "locks" / (other.key.key + ".lock")));
    EXPECT_TRUE(fs::exists(current.cache_dir / "prepared"));
    EXPECT_TRUE(fs::exists(cache() / "firmware" / "busy"));
    auto again = build();
    EXPECT_TRUE(again.ok);
    EXPECT_FALSE(again.prepared_now) << "the kept tree still serves the project";
}

TEST_F(FirmwareBuild, CleanCli) {
    ::setenv("MPYSHIP_CACHE_DIR", cache().c_str(), 1);
    auto first = build();
    ASSERT_TRUE(first.ok);
    auto keep = test::run_program({test::mpyship_binary().string(), "firmware", "clean", proj().string()});
    ASSERT_EQ(keep.exit_code, 0) << keep.err;
    EXPECT_EQ(keep.out, "firmware cache: " + cache().string() + "\nremoved 0 cached trees (0 bytes)\nkept " +
                            first.key.key + ": this project's current firmware\n");
    auto all = test::run_program({test::mpyship_binary().string(), "firmware", "clean", "--all"});
    ASSERT_EQ(all.exit_code, 0) << all.err;
    EXPECT_NE(all.out.find("removed 1 cached tree ("), std::string::npos) << all.out;
    EXPECT_FALSE(fs::exists(first.cache_dir));
    test::TempDir empty;
    auto none =
        test::run_program({test::mpyship_binary().string(), "firmware", "clean", empty.path().string()});
    EXPECT_EQ(none.exit_code, 1);
    EXPECT_NE(none.err.find("(pass --all to clean the whole firmware cache)"), std::string::npos) << none.err;
}

TEST_F(FirmwareBuild, FailureCliPrintsTailAndLogPath) {
    ::setenv("MPYSHIP_CACHE_DIR", cache().c_str(), 1);
    write_project(
        "port = \"fake\"\nboard = \"BOARD_A\"\nmicropython = \"../mp\"\nmake_vars = { FAIL = \"1\" }\n");
    auto r = test::run_program({test::mpyship_binary().string(), "firmware", "build", proj().string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "error: firmware build failed (make exited with 2); last error lines:\n"
                     "  main.c:12:5: error: 'foo' undeclared\n"
                     "  main.c:13:1: error: expected ';'\n"
                     "  make: *** [main.o] Error 1\n"
                     "  make: *** [Makefile:24: all] Error 2\n"
                     "full log: " +
                         (proj() / "build/firmware-build.log").string() + "\n" +
                         (proj() / "build/firmware").string() + " was left unchanged\n");
    EXPECT_FALSE(fs::exists(proj() / "build/firmware"));
    auto ok =
        test::run_program({test::mpyship_binary().string(), "firmware", "build", proj().string(), "-j", "1"});
    EXPECT_EQ(ok.exit_code, 1) << "FAIL is still set";
}

// A plain clone leaves git submodules as empty folders. lib/micropython-lib is needed by every build with
// a frozen manifest (make checks its README.md), so it is checked before make; micropython_lib or make_vars
// MPY_LIB_DIR replace it.
TEST_F(FirmwareBuild, EmptyMicroPythonLibIsRefusedBeforeMake) {
    fs::remove_all(mp() / "lib/micropython-lib");
    fs::create_directories(mp() / "lib/micropython-lib");
    auto r = build_firmware(config(), options());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "lib/micropython-lib of " + mp().string() +
                  " is empty: it is a git submodule that was not checked out, and the port's build of frozen "
                  "modules needs it. Run `git submodule update --init lib/micropython-lib` (or `make -C "
                  "ports/fake submodules`) there, or set micropython_lib = \"PATH\" in [firmware] to a "
                  "micropython-lib checkout");
    EXPECT_FALSE(fs::exists(proj() / "build/firmware-build.log")) << "checked before running make";
    write_text(m_dir.path() / "mplib/README.md", "micropython-lib\n");
    write_project(
        "port = \"fake\"\nboard = \"BOARD_A\"\nmicropython = \"../mp\"\nmicropython_lib = \"../mplib\"\n");
    EXPECT_TRUE(build().ok);
    write_project("port = \"fake\"\nboard = \"BOARD_A\"\nmicropython = \"../mp\"\n"
                  "make_vars = { MPY_LIB_DIR = \"/elsewhere\" }\n");
    EXPECT_TRUE(build().ok);
}

// Other submodules are needed or not depending on the port's features, which only make knows: a failed
// build counts the empty ones and names those its error lines name; the CLI prints them as a note.
TEST_F(FirmwareBuild, FailureListsEmptySubmodules) {
    write_text(mp() / ".gitmodules", "[submodule \"lib/mbedtls\"]\n\tpath = lib/mbedtls\n\turl = x\n"
                                     "[submodule \"lib/micropython-lib\"]\n\tpath = lib/micropython-lib\n"
                                     "[submodule \"lib/libffi\"]\n    path=lib/libffi\n");
    fs::create_directories(mp() / "lib/mbedtls");
    write_project(
        "port = \"fake\"\nboard = \"BOARD_A\"\nmicropython = \"../mp\"\nmake_vars = { FAIL = \"1\" }\n");
    auto r = build_firmware(config(), options());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->empty_submodule_count, 2u);
    EXPECT_EQ(r->empty_submodules, std::vector<std::string>{}) << "the fake's errors name none";
    EXPECT_EQ(
        submodules_named_in({"lib/mbedtls", "lib/libffi", "lib/berkeley-db-1.xx"},
                            {"../../extmod/modhashlib.c:35:10: fatal error: mbedtls/version.h: No such file",
                             "gcc -I../../lib/berkeley-db-1.xx/include -c x.c"}),
        (std::vector<std::string>{"lib/mbedtls", "lib/berkeley-db-1.xx"}));
    ::setenv("MPYSHIP_CACHE_DIR", cache().c_str(), 1);
    auto cli = test::run_program({test::mpyship_binary().string(), "firmware", "build", proj().string()});
    EXPECT_EQ(cli.exit_code, 1);
    EXPECT_NE(
        cli.err.find("note: 2 git submodules of the source are not checked out; run `make submodules` in "
                     "the port's folder of the source, or turn the feature that needs them off with "
                     "make_vars\n"),
        std::string::npos)
        << cli.err;
}

} // namespace
} // namespace mpyship::firmware
