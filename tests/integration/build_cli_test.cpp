// `mpyship build / package / verify / init` on generated project trees, through the real binary.
// Counters are asserted after edits, so incremental behaviour is tested without timing.
#include "../support/test_support.h"

#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

namespace mpyship::test {
namespace {

namespace fs = std::filesystem;

RunResult mpyship(std::vector<std::string> args) {
    args.insert(args.begin(), mpyship_binary().string());
    return run_program(args);
}

void write_text(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

nlohmann::json build_json(const fs::path& project, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"build", project.string(), "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = mpyship(args);
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
    j["exit_code"] = r.exit_code;
    j["stderr"] = r.err;
    return j;
}

std::string counters(const nlohmann::json& j) {
    const auto& c = j["counters"];
    return std::to_string(c["compiled"].get<int>()) + " compiled, " +
           std::to_string(c["up_to_date"].get<int>()) + " up to date, " +
           std::to_string(c["copied"].get<int>()) + " copied, " + std::to_string(c["failed"].get<int>()) +
           " failed, " + std::to_string(c["removed"].get<int>()) + " removed";
}

// A project of entry points and assets only (no module to compile).
void make_asset_project(const fs::path& root) {
    write_text(root / "mpyship.toml",
               "[project]\nname = \"demo\"\nversion = \"1.0.0\"\ntarget = \"circuitpython\"\n");
    write_text(root / "src" / "code.py", "print('hi')\n");
    write_text(root / "src" / "settings.toml", "A = 1\n");
    write_text(root / "src" / "img" / "logo.bmp", std::string(300, 'x'));
}

// Modules to compile, entry points and an asset.
void make_module_project(const fs::path& root, const std::string& target = "micropython") {
    write_text(root / "mpyship.toml", "[project]\nversion = \"2.0\"\ntarget = \"" + target + "\"\n");
    write_text(root / "src" / "boot.py", "print('boot')\n");
    write_text(root / "src" / "main.py", "import app\napp.run()\n");
    write_text(root / "src" / "app.py", "def run():\n    print('running')\n");
    write_text(root / "src" / "lib" / "util.py", "def twice(x):\n    return 2 * x\n");
    write_text(root / "src" / "data.json", "{}\n");
}

TEST(BuildCli, CopiesEntryPointsAndAssetsAndWritesTheManifest) {
    TempDir dir;
    make_asset_project(dir.path());
    auto j = build_json(dir.path());
    EXPECT_EQ(j["exit_code"], 0) << j["stderr"];
    EXPECT_EQ(counters(j), "0 compiled, 0 up to date, 3 copied, 0 failed, 0 removed");
    EXPECT_TRUE(fs::exists(dir.path() / "build" / "mpy" / "code.py")); // entry point stays source
    auto manifest = nlohmann::json::parse(std::ifstream(dir.path() / "build" / "manifest.json"));
    EXPECT_EQ(manifest["version"], "1.0.0");
    EXPECT_EQ(manifest["target"], "circuitpython");
    ASSERT_EQ(manifest["files"].size(), 3u);
    EXPECT_EQ(manifest["files"][0]["path"], "code.py");
    EXPECT_EQ(manifest["files"][1]["path"], "img/logo.bmp");
    EXPECT_EQ(manifest["files"][1]["download_path"], "mpy/img/logo.bmp");
    EXPECT_EQ(manifest["files"][1]["size"], 300);
    EXPECT_EQ(manifest["files"][2]["path"], "settings.toml");
}

TEST(BuildCli, IncrementalCountersAfterEditAddAndDelete) {
    TempDir dir;
    make_asset_project(dir.path());
    build_json(dir.path());
    auto manifest_before = read_bytes(dir.path() / "build" / "manifest.json");
    auto again = build_json(dir.path());
    EXPECT_EQ(counters(again), "0 compiled, 3 up to date, 0 copied, 0 failed, 0 removed");
    EXPECT_EQ(again["manifest_written"], false);
    EXPECT_EQ(read_bytes(dir.path() / "build" / "manifest.json"), manifest_before);

    write_text(dir.path() / "src" / "settings.toml", "A = 2\n");
    EXPECT_EQ(counters(build_json(dir.path())), "0 compiled, 2 up to date, 1 copied, 0 failed, 0 removed");
    write_text(dir.path() / "src" / "fonts" / "f.pcf", "font");
    EXPECT_EQ(counters(build_json(dir.path())), "0 compiled, 3 up to date, 1 copied, 0 failed, 0 removed");
    fs::remove(dir.path() / "src" / "img" / "logo.bmp");
    auto removed = build_json(dir.path());
    EXPECT_EQ(counters(removed), "0 compiled, 3 up to date, 0 copied, 0 failed, 1 removed");
    EXPECT_FALSE(fs::exists(dir.path() / "build" / "mpy" / "img"));
    EXPECT_EQ(removed["manifest_files"], 3);
}

// A damaged build cache (entries out of order, a path twice, a bad digest, cut short) is an empty one: every
// file is built again, the outputs stay right, and the build after that is a no-op again.
TEST(BuildCli, ADamagedCacheIsRebuiltFromScratch) {
    TempDir dir;
    make_asset_project(dir.path());
    build_json(dir.path());
    const fs::path cache = dir.path() / "build" / ".mpyship" / "cache.tsv";
    std::string good;
    {
        std::ifstream in(cache, std::ios::binary);
        good.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::vector<std::string> lines;
    for (std::size_t at = 0; at < good.size();) {
        std::size_t nl = good.find('\n', at);
        lines.push_back(good.substr(at, nl - at));
        at = nl + 1;
    }
    ASSERT_EQ(lines.size(), 6u) << good; // magic, settings, manifest, 3 files
    auto joined = [](std::vector<std::string> l) {
        std::string out;
        for (const auto& x : l)
            out += x + "\n";
        return out;
    };
    auto swapped = lines;
    std::swap(swapped[3], swapped[4]);
    auto twice = lines;
    twice[4] = twice[3];
    auto bad_digest = lines; // the content key, the 5th field, one character short
    std::size_t key = 0;
    for (int tab = 0; tab < 4; ++tab)
        key = bad_digest[5].find('\t', key) + 1;
    bad_digest[5].erase(key, 1);
    const std::string cut = good.substr(0, good.size() - 5);
    for (const std::string& damaged : {joined(swapped), joined(twice), joined(bad_digest), cut}) {
        write_text(cache, damaged);
        EXPECT_EQ(counters(build_json(dir.path())), "0 compiled, 0 up to date, 3 copied, 0 failed, 0 removed")
            << damaged;
        EXPECT_EQ(counters(build_json(dir.path())), "0 compiled, 3 up to date, 0 copied, 0 failed, 0 removed");
    }
}

TEST(BuildCli, CompilesModulesKeepsEntryPointsAsSource) {
    TempDir dir;
    make_module_project(dir.path());
    auto j = build_json(dir.path());
    EXPECT_EQ(j["exit_code"], 0) << j["stderr"];
    EXPECT_EQ(counters(j), "2 compiled, 0 up to date, 3 copied, 0 failed, 0 removed");
    auto mpy = dir.path() / "build" / "mpy";
    EXPECT_TRUE(fs::exists(mpy / "boot.py"));
    EXPECT_TRUE(fs::exists(mpy / "main.py"));
    EXPECT_FALSE(fs::exists(mpy / "app.py"));
    auto app = read_bytes(mpy / "app.mpy");
    ASSERT_GT(app.size(), 4u);
    EXPECT_EQ(app[0], 'M');
    auto inspect = mpyship({"inspect", (mpy / "lib" / "util.mpy").string()});
    EXPECT_NE(inspect.out.find("0: 'lib/util.py'"), std::string::npos) << inspect.out; // name relative to src

    // Edit one module: exactly one recompiled. Touch without change: nothing recompiled.
    write_text(dir.path() / "src" / "app.py", "def run():\n    print('running fast')\n");
    EXPECT_EQ(counters(build_json(dir.path())), "1 compiled, 4 up to date, 0 copied, 0 failed, 0 removed");
    write_text(dir.path() / "src" / "lib" / "util.py", "def twice(x):\n    return 2 * x\n");
    EXPECT_EQ(counters(build_json(dir.path())), "0 compiled, 5 up to date, 0 copied, 0 failed, 0 removed");
    fs::remove(dir.path() / "src" / "lib" / "util.py");
    EXPECT_EQ(counters(build_json(dir.path())), "0 compiled, 4 up to date, 0 copied, 0 failed, 1 removed");
    EXPECT_FALSE(fs::exists(mpy / "lib"));
}

TEST(BuildCli, TargetDecidesTheHeaderAndEntryPoints) {
    TempDir dir;
    make_module_project(dir.path(), "circuitpython");
    write_text(dir.path() / "src" / "code.py", "import app\n");
    auto j = build_json(dir.path());
    EXPECT_EQ(j["target"], "circuitpython");
    EXPECT_EQ(read_bytes(dir.path() / "build" / "mpy" / "app.mpy")[0], 'C');
    EXPECT_TRUE(fs::exists(dir.path() / "build" / "mpy" / "code.py"));
}

TEST(BuildCli, StrictFailsOnAnyErrorOtherwiseOneCompiledModuleIsEnough) {
    TempDir dir;
    make_module_project(dir.path());
    write_text(dir.path() / "src" / "broken.py", "def f(:\n    pass\n");
    auto j = build_json(dir.path());
    EXPECT_EQ(j["exit_code"], 0);
    EXPECT_EQ(counters(j), "2 compiled, 0 up to date, 3 copied, 1 failed, 0 removed");
    EXPECT_EQ(j["failures"][0]["path"], "src/broken.py");
    EXPECT_EQ(j["failures"][0]["diagnostic"],
              "src/broken.py:1:7: error: invalid syntax\n    def f(:\n          ^\n");
    auto strict = build_json(dir.path(), {"--strict"});
    EXPECT_EQ(strict["exit_code"], 1);
}

TEST(BuildCli, NativeCodeShipsAsSourceForMicroPython) {
    TempDir dir;
    make_module_project(dir.path());
    const std::string fast = "import micropython\n\n@micropython.native\ndef f(x):\n    return x + 1\n";
    write_text(dir.path() / "src" / "lib" / "fast.py", fast);
    const std::string note =
        "src/lib/fast.py: kept as source: it uses @micropython.native, viper or asm, which need the board's "
        "architecture; set [build] arch in mpyship.toml (e.g. \"armv7m\") to compile inline assembler; the "
        "board compiles the source when it is imported";
    auto r = mpyship({"build", dir.path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("build: 2 compiled, 0 up to date, 4 copied, 0 failed, 0 removed\n"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("note: " + note + "\n"), std::string::npos) << r.out;
    fs::path mpy = dir.path() / "build" / "mpy";
    EXPECT_EQ(read_bytes(mpy / "lib" / "fast.py"), std::vector<unsigned char>(fast.begin(), fast.end()));
    EXPECT_FALSE(fs::exists(mpy / "lib" / "fast.mpy"));
    auto manifest = nlohmann::json::parse(read_bytes(dir.path() / "build" / "manifest.json"));
    bool listed = false;
    for (const auto& f : manifest["files"])
        listed = listed || f["path"] == "lib/fast.py";
    EXPECT_TRUE(listed) << manifest.dump();
    auto again = build_json(dir.path());
    EXPECT_EQ(counters(again), "0 compiled, 6 up to date, 0 copied, 0 failed, 0 removed");
    ASSERT_EQ(again["notes"].size(), 1u) << "the note is repeated while it holds";
    EXPECT_EQ(again["notes"][0]["path"], "src/lib/fast.py");
    // Once the decorator goes, the module compiles and the source copy is removed.
    write_text(dir.path() / "src" / "lib" / "fast.py", "def f(x):\n    return x + 1\n");
    auto plain = build_json(dir.path());
    EXPECT_EQ(counters(plain), "1 compiled, 5 up to date, 0 copied, 0 failed, 1 removed");
    EXPECT_TRUE(plain["notes"].empty());
    EXPECT_TRUE(fs::exists(mpy / "lib" / "fast.mpy"));
    EXPECT_FALSE(fs::exists(mpy / "lib" / "fast.py"));
}

TEST(BuildCli, NativeCodeFailsForCircuitPython) {
    TempDir dir;
    make_module_project(dir.path(), "circuitpython");
    write_text(dir.path() / "src" / "lib" / "fast.py",
               "import micropython\n@micropython.viper\ndef f():\n    pass\n");
    auto j = build_json(dir.path());
    EXPECT_EQ(j["counters"]["failed"], 1) << "CircuitPython boards have no native emitter to fall back on";
    EXPECT_TRUE(j["notes"].empty());
    ASSERT_EQ(j["failures"].size(), 1u);
    EXPECT_NE(
        j["failures"][0]["diagnostic"].get<std::string>().find(
            "src/lib/fast.py:2:2: error: invalid arch\n    @micropython.viper\n     ^\nnote: "
            "@micropython.native, viper and asm need the native emitter, which CircuitPython boards do not "
            "have: remove the decorator for this target\n"),
        std::string::npos)
        << j["failures"];
}

TEST(BuildCli, AFailingFileIsReportedWithACaretAndLeftOut) {
    TempDir dir;
    make_asset_project(dir.path());
    write_text(dir.path() / "src" / "lib" / "bad.py", "if x:\n        y = 1\n    z = 2\n");
    auto r = mpyship({"build", dir.path().string()});
    EXPECT_EQ(r.exit_code, 1); // nothing compiled, one failure
    // The reference locates this error at the end of line 2 (where the dedent is discovered).
    EXPECT_NE(
        r.err.find(
            "src/lib/bad.py:2:14: error: IndentationError: unindent doesn't match any outer indent level\n"
            "            y = 1\n"
            "                 ^\n"),
        std::string::npos)
        << r.err;
    EXPECT_NE(r.out.find("failed: src/lib/bad.py"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(dir.path() / "build" / "mpy" / "lib" / "bad.mpy"));
    auto manifest = read_bytes(dir.path() / "build" / "manifest.json");
    EXPECT_EQ(std::string(manifest.begin(), manifest.end()).find("bad"), std::string::npos);
}

TEST(BuildCli, BadInputsGiveClearErrorsAndNoOutput) {
    TempDir dir;
    auto missing = mpyship({"build", dir.path().string()});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.err.find("source folder does not exist"), std::string::npos) << missing.err;

    fs::create_directories(dir.path() / "src");
    auto empty = mpyship({"build", dir.path().string()});
    EXPECT_NE(empty.err.find("source folder has no files"), std::string::npos) << empty.err;

    write_text(dir.path() / "src" / "Readme.txt", "a");
    write_text(dir.path() / "src" / "README.txt", "b");
    auto clash = mpyship({"build", dir.path().string()});
    EXPECT_EQ(clash.exit_code, 1);
    EXPECT_NE(clash.err.find("differ only in letter case"), std::string::npos) << clash.err;
    fs::remove(dir.path() / "src" / "README.txt");

    write_text(dir.path() / "src" / "what?.txt", "a");
    auto fat = mpyship({"build", dir.path().string()});
    EXPECT_NE(fat.err.find("what?.txt: name cannot be stored on a FAT drive: it contains '?'"),
              std::string::npos)
        << fat.err;
    fs::remove(dir.path() / "src" / "what?.txt");

    fs::create_symlink("/etc", dir.path() / "src" / "etc");
    auto outside = mpyship({"build", dir.path().string()});
    EXPECT_NE(outside.err.find("symbolic link leads outside the project folder"), std::string::npos)
        << outside.err;
    fs::remove(dir.path() / "src" / "etc");

    fs::create_directories(dir.path() / "src" / "d");
    fs::create_directory_symlink("..", dir.path() / "src" / "d" / "up");
    auto loop = mpyship({"build", dir.path().string()});
    EXPECT_NE(loop.err.find("symbolic link loop"), std::string::npos) << loop.err;
    fs::remove(dir.path() / "src" / "d" / "up");
    EXPECT_FALSE(fs::exists(dir.path() / "build" / "manifest.json"));

    write_text(dir.path() / "mpyship.toml", "[project\n");
    auto config = mpyship({"build", dir.path().string()});
    EXPECT_EQ(config.exit_code, 1);
    EXPECT_NE(config.err.find("mpyship.toml:1:"), std::string::npos) << config.err;
}

TEST(BuildCli, NonUtf8SourceIsAClearError) {
    TempDir dir;
    make_asset_project(dir.path());
    write_text(dir.path() / "src" / "lib" / "latin1.py", "s = '\xe9t\xe9'\n");
    auto r = mpyship({"build", dir.path().string()});
    EXPECT_NE(r.err.find("src/lib/latin1.py:1:6: error: source is not valid UTF-8 (byte 0xe9)\n    s = '?t?'\n"
                         "         ^\n"),
              std::string::npos)
        << r.err;
}

// Two builds of the same project in different folders, time zones and umasks: identical bytes.
TEST(BuildCli, PackagesAreReproducible) {
    TempDir a, b;
    make_module_project(a.path());
    make_module_project(b.path());
    auto run = [](const fs::path& project, const char* tz, mode_t mask) {
        setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
        setenv("TZ", tz, 1);
        mode_t old = umask(mask);
        auto r = mpyship({"package", project.string()});
        umask(old);
        unsetenv("TZ");
        unsetenv("SOURCE_DATE_EPOCH");
        EXPECT_EQ(r.exit_code, 0) << r.err;
    };
    run(a.path(), "UTC", 022);
    run(b.path(), "Pacific/Auckland", 077);
    for (const char* f : {"manifest.json", "mpy-files.tar.gz", "mpy-files.zip"})
        EXPECT_EQ(read_bytes(a.path() / "build" / f), read_bytes(b.path() / "build" / f)) << f;
    const std::string listing = "manifest.json\nmpy/\nmpy/app.mpy\nmpy/boot.py\nmpy/data.json\nmpy/lib/\nmpy/"
                                "lib/util.mpy\nmpy/main.py\n";
    auto list = run_program({"/usr/bin/tar", "-tzf", (a.path() / "build" / "mpy-files.tar.gz").string()});
    EXPECT_EQ(list.out, listing);
    auto zip = run_program({"/usr/bin/unzip", "-Z1", (a.path() / "build" / "mpy-files.zip").string()});
    EXPECT_EQ(zip.out, listing);
    // The manifest lists exactly the archive's files with their sizes.
    auto manifest = nlohmann::json::parse(std::ifstream(a.path() / "build" / "manifest.json"));
    auto verbose = run_program({"/usr/bin/tar", "-tzvf", (a.path() / "build" / "mpy-files.tar.gz").string()});
    for (const auto& f : manifest["files"])
        EXPECT_NE(verbose.out.find(std::to_string(f["size"].get<int>()) + " 2023-11-14 22:13 " +
                                   f["download_path"].get<std::string>()),
                  std::string::npos)
            << f;
}

TEST(BuildCli, VerifyFolderArchivesAndDrive) {
    TempDir dir;
    make_asset_project(dir.path());
    ASSERT_EQ(mpyship({"package", dir.path().string()}).exit_code, 0);
    auto build = dir.path() / "build";
    for (const auto& target : {build, build / "mpy-files.tar.gz", build / "mpy-files.zip"}) {
        auto r = mpyship({"verify", target.string()});
        EXPECT_EQ(r.exit_code, 0) << target << r.out << r.err;
        EXPECT_NE(r.out.find("3 files checked, all match"), std::string::npos) << r.out;
    }
    write_text(build / "mpy" / "settings.toml", "A = 9\n");
    auto bad = mpyship({"verify", build.string(), "--json"});
    EXPECT_EQ(bad.exit_code, 1);
    auto j = nlohmann::json::parse(bad.out);
    ASSERT_EQ(j["problems"].size(), 1u);
    EXPECT_EQ(j["problems"][0]["kind"], "wrong hash");
    EXPECT_EQ(j["problems"][0]["path"], "settings.toml");

    TempDir drive;
    write_text(drive.path() / "boot_out.txt", "Adafruit CircuitPython 10.2.1");
    write_text(drive.path() / "code.py", "print('hi')\n");
    auto d = mpyship({"verify", drive.path().string(), "--manifest", (build / "manifest.json").string()});
    EXPECT_EQ(d.exit_code, 1);
    EXPECT_NE(d.out.find("missing: img/logo.bmp"), std::string::npos) << d.out;
    EXPECT_NE(d.out.find("missing: settings.toml"), std::string::npos) << d.out;
    auto none = mpyship({"verify", (dir.path() / "nope.zip").string()});
    EXPECT_EQ(none.exit_code, 1);
}

TEST(InitCli, WritesAStarterConfigAndWorkflow) {
    TempDir dir;
    auto r = mpyship(
        {"init", dir.path().string(), "--target", "micropython", "--name", "sensor", "--ci", "github"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto config = read_bytes(dir.path() / "mpyship.toml");
    std::string text(config.begin(), config.end());
    EXPECT_NE(text.find("name = \"sensor\""), std::string::npos);
    EXPECT_NE(text.find("target = \"micropython\""), std::string::npos);
    auto wf = read_bytes(dir.path() / ".github" / "workflows" / "mpyship.yml");
    std::string workflow(wf.begin(), wf.end());
    for (const char* needle :
         {"branches: [main, develop]", "\"src/**\"", "pull_request:", "workflow_dispatch:", "name: mpy-files",
          "name: manifest", "retention-days: 90", "refs/tags/"})
        EXPECT_NE(workflow.find(needle), std::string::npos) << needle;
    EXPECT_TRUE(fs::is_directory(dir.path() / "src"));
    auto again = mpyship({"init", dir.path().string()});
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_NE(again.err.find("already exists (use --force to overwrite)"), std::string::npos);
    write_text(dir.path() / "src" / "main.py", "print(1)\n");
    EXPECT_EQ(mpyship({"build", dir.path().string()}).exit_code, 0); // the starter config builds
}

std::string header_arch(const fs::path& mpy_file) {
    auto r = mpyship({"inspect", "--json", mpy_file.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out, nullptr, false);
    return j.is_discarded() ? "" : j["header"]["arch"].get<std::string>();
}

// [build] arch compiles inline assembler for that architecture (native code mpyship cannot compile yet,
// here a bare raise, still ships as source); a [firmware] port and board give the default; changing
// the arch rebuilds; a bad name is refused.
TEST(BuildCli, InlineAssemblerCompilesForTheBuildArch) {
    TempDir dir;
    const fs::path root = dir.path();
    write_text(root / "src" / "fast.py",
               "import micropython\n\n@micropython.asm_thumb\ndef add(r0, r1):\n    add(r0, r0, r1)\n");
    write_text(root / "src" / "nat.py",
               "import micropython\n\n@micropython.native\ndef g(f):\n    try:\n        f()\n    except:\n        raise\n");
    const std::string head = "[project]\nname = \"a\"\ntarget = \"micropython\"\n";
    write_text(root / "mpyship.toml", head + "[build]\narch = \"armv7m\"\n");
    auto r = mpyship({"build", root.string()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("build: 1 compiled, 0 up to date, 1 copied, 0 failed, 0 removed"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("note: src/nat.py: kept as source: it uses @micropython.native or viper code that "
                         "mpyship cannot compile for this arch yet (inline assembler is compiled"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(header_arch(root / "build" / "mpy" / "fast.mpy"), "armv7m");
    EXPECT_TRUE(fs::exists(root / "build" / "mpy" / "nat.py"));

    // No [build] arch: the [firmware] board's architecture (RPI_PICO: armv6m); the cache does not keep armv7m.
    write_text(root / "mpyship.toml", head + "[firmware]\nport = \"rp2\"\nboard = \"RPI_PICO\"\nmicropython = \"../mp\"\n");
    r = mpyship({"build", root.string()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(header_arch(root / "build" / "mpy" / "fast.mpy"), "armv6m");

    // Neither: the asm module ships as source, with a note that names [build] arch.
    write_text(root / "mpyship.toml", head);
    r = mpyship({"build", root.string()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(fs::exists(root / "build" / "mpy" / "fast.py"));
    EXPECT_FALSE(fs::exists(root / "build" / "mpy" / "fast.mpy"));
    EXPECT_NE(r.out.find("set [build] arch in mpyship.toml"), std::string::npos) << r.out;

    write_text(root / "mpyship.toml", head + "[build]\narch = \"armv9\"\n");
    r = mpyship({"build", root.string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("mpyship.toml:5:8: error: unknown architecture 'armv9': expected one of x86, x64, armv6, "
                         "armv6m, armv7m, armv7em, armv7emsp, armv7emdp, xtensa, xtensawin, rv32imc, rv64imc"),
              std::string::npos)
        << r.err;
}

} // namespace
} // namespace mpyship::test
