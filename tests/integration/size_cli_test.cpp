// `mpyship size` on real builds: the sections of each .mpy cross-checked against `mpyship inspect --json` (the
// qstr and constant tables re-encoded from its listing), sections adding up to the file, shared strings,
// the flash budget (over it is exit 1) and a drive folder's free space.
#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace mpyship::test {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::uint64_t vuint_size(std::uint64_t v) {
    std::uint64_t n = 1;
    while (v >>= 7)
        ++n;
    return n;
}

// The qstr table's bytes as the format lays them out, from inspect's listing.
std::uint64_t qstr_table_bytes(const json& qstrs) {
    std::uint64_t n = vuint_size(qstrs.size());
    for (const auto& q : qstrs) {
        if (q.contains("static_index")) {
            n += vuint_size(q["static_index"].get<std::uint64_t>() << 1 | 1);
        } else {
            auto len = q["text"].get<std::string>().size();
            n += vuint_size(len << 1) + len + 1;
        }
    }
    return n;
}

// One object's bytes; the tests' strings need no escapes, so a str's length is its repr's minus the quotes.
std::uint64_t object_bytes(const json& c) {
    std::string kind = c["kind"], repr = c.value("repr", "");
    if (kind == "str") {
        auto len = repr.size() - 2;
        return 1 + vuint_size(len) + len + 1;
    }
    if (kind == "int" || kind == "float")
        return 1 + vuint_size(repr.size()) + repr.size();
    if (kind == "tuple") {
        std::uint64_t n = 1 + vuint_size(c["items"].size());
        for (const auto& item : c["items"])
            n += object_bytes(item);
        return n;
    }
    ADD_FAILURE() << "kind not covered by this test: " << kind;
    return 0;
}

std::uint64_t code_bytes(const json& code) {
    std::uint64_t n = code["code_size"].get<std::uint64_t>();
    for (const auto& child : code.value("children", json::array()))
        n += code_bytes(child);
    return n;
}

class SizeCli : public ::testing::Test {
  protected:
    fs::path project() const { return m_dir.path() / "proj"; }
    void make_project(const std::string& extra_toml = "") {
        write_text_file(project() / "mpyship.toml",
                        "[project]\ntarget = \"micropython\"\nversion = \"1\"\n" + extra_toml);
        write_text_file(project() / "src" / "main.py", "import app\napp.run()\n");
        write_text_file(project() / "src" / "app.py",
                        "GREETING = 'shared greeting text'\ndef run():\n    print(GREETING, 1.5, 10 ** 30)\n"
                        "    return (1, 2, 'x')\n");
        write_text_file(project() / "src" / "lib" / "other.py",
                        "def hello():\n    return 'shared greeting text'\nclass Thing:\n    def go(self, n):\n"
                        "        return [i * 2 for i in range(n)]\n");
        write_text_file(project() / "src" / "data.bin", std::string(3000, 'd'));
    }
    json size_json(std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"size", project().string(), "--json"};
        args.insert(args.end(), extra.begin(), extra.end());
        auto r = run_mpyship(args);
        auto j = json::parse(r.out, nullptr, false);
        EXPECT_FALSE(j.is_discarded()) << r.out << r.err;
        m_exit = r.exit_code;
        m_err = r.err;
        return j.is_discarded() ? json::object() : j;
    }
    TempDir m_dir;
    int m_exit = -1;
    std::string m_err;
};

TEST_F(SizeCli, SectionsMatchInspectAndAddUp) {
    make_project();
    auto j = size_json();
    ASSERT_EQ(m_exit, 0) << m_err;
    ASSERT_EQ(j["files"].size(), 4u);
    int mpys = 0;
    for (const auto& f : j["files"]) {
        std::string path = f["path"];
        auto on_disk = fs::file_size(project() / "build" / "mpy" / path);
        EXPECT_EQ(f["size"], on_disk) << path;
        if (!path.ends_with(".mpy")) {
            EXPECT_TRUE(f["sections"].is_null());
            continue;
        }
        ++mpys;
        const auto& s = f["sections"];
        std::uint64_t sum = 0;
        for (const char* k : {"header", "qstrs", "constants", "bytecode", "native"})
            sum += s[k].get<std::uint64_t>();
        EXPECT_EQ(sum, on_disk) << path;
        auto inspect = run_mpyship({"inspect", "--json", (project() / "build" / "mpy" / path).string()});
        ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
        auto ij = json::parse(inspect.out);
        EXPECT_EQ(s["header"], 4u) << path;
        EXPECT_EQ(s["qstrs"], qstr_table_bytes(ij["qstrs"])) << path;
        std::uint64_t objects = vuint_size(ij["constants"].size());
        for (const auto& c : ij["constants"])
            objects += object_bytes(c);
        EXPECT_EQ(s["constants"], objects) << path;
        EXPECT_GE(s["bytecode"].get<std::uint64_t>(), code_bytes(ij["code"])) << path;
        EXPECT_EQ(s["native"], 0u);
        std::string source = f["source"];
        EXPECT_EQ(f["source_size"], fs::file_size(project() / "src" / source)) << path;
    }
    EXPECT_EQ(mpys, 2);
    std::uint64_t total = 0;
    for (const auto& f : j["files"])
        total += f["size"].get<std::uint64_t>();
    EXPECT_EQ(j["totals"]["size"], total);
}

TEST_F(SizeCli, FlagsTheLargestAndSharedStrings) {
    make_project();
    auto j = size_json({"--top", "1"});
    ASSERT_EQ(m_exit, 0) << m_err;
    for (const auto& f : j["files"])
        EXPECT_EQ(f["largest"], f["path"] == "data.bin") << f.dump();
    bool shared = false;
    for (const auto& s : j["shared_strings"])
        if (s["text"] == "shared greeting text") {
            shared = true;
            EXPECT_EQ(s["files"], json::array({"app.mpy", "lib/other.mpy"}));
            EXPECT_EQ(s["extra_bytes"], 21);
        }
    EXPECT_TRUE(shared) << j["shared_strings"].dump();
    auto text = run_mpyship({"size", project().string(), "--no-build", "--top", "1"});
    EXPECT_NE(text.out.find("'shared greeting text': 2 files (app.mpy, lib/other.mpy), 21 extra bytes"),
              std::string::npos)
        << text.out;
    EXPECT_NE(text.out.find("<- largest"), std::string::npos);
}

TEST_F(SizeCli, FlashBudgetGatesTheExitCode) {
    make_project("[build]\nflash_budget = 1000\n");
    auto j = size_json();
    EXPECT_EQ(m_exit, 1);
    EXPECT_EQ(j["ok"], false);
    EXPECT_EQ(j["budget"]["bytes"], 1000);
    EXPECT_EQ(j["budget"]["fits"], false);
    write_text_file(project() / "mpyship.toml",
                    "[project]\ntarget = \"micropython\"\nversion = \"1\"\n[build]\nflash_budget = 100000\n");
    auto ok = size_json();
    EXPECT_EQ(m_exit, 0) << m_err;
    EXPECT_EQ(ok["budget"]["fits"], true);
    write_text_file(project() / "mpyship.toml", "[build]\nflash_budget = -5\n");
    auto bad = run_mpyship({"size", project().string()});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.err.find("mpyship.toml"), std::string::npos) << bad.err;
    EXPECT_NE(bad.err.find("'flash_budget' must be a byte count above 0"), std::string::npos) << bad.err;
}

TEST_F(SizeCli, ComparesWithADriveFolder) {
    make_project();
    fs::path drive = m_dir.path() / "drive";
    fs::create_directories(drive);
    write_text_file(drive / "data.bin", std::string(3000, 'o')); // replaced by the build: credited
    auto j = size_json({"--to", drive.string()});
    ASSERT_EQ(m_exit, 0) << m_err;
    EXPECT_EQ(j["drive"]["path"], drive.string());
    auto cluster = j["drive"]["cluster"].get<std::uint64_t>();
    EXPECT_GT(cluster, 0u);
    EXPECT_EQ(j["drive"]["already_there"], (3000 + cluster - 1) / cluster * cluster);
    EXPECT_GE(j["drive"]["needed"].get<std::uint64_t>(), j["totals"]["size"].get<std::uint64_t>());
}

TEST_F(SizeCli, BrokenBuildOutputIsAClearError) {
    make_project();
    ASSERT_EQ(run_mpyship({"build", project().string()}).exit_code, 0);
    write_text_file(project() / "build" / "mpy" / "app.mpy", "garbage");
    auto r = run_mpyship({"size", project().string(), "--no-build"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("app.mpy"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("manifest says"), std::string::npos) << r.err;
}

} // namespace
} // namespace mpyship::test
