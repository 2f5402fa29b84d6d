// `mpyship keygen / publish / verify PUBDIR / serve` through the real binary: sequences, reused objects,
// compressed twins, mip's package.json, detection of a damaged tree, and HTTP with byte ranges on 127.0.0.1.
#include "../support/test_support.h"

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace mpyship::test {
namespace {

namespace fs = std::filesystem;

RunResult mpyship(std::vector<std::string> args) { return run_mpyship(std::move(args)); }
void write_text(const fs::path& p, const std::string& text) { write_text_file(p, text); }

class OtaCli : public ::testing::Test {
  protected:
    void SetUp() override {
        write_text(project() / "mpyship.toml", "[project]\nname = \"fleet\"\nversion = \"1\"\ntarget = \"micropython\"\n");
        write_text(project() / "src" / "app.py", "X = 1\n");
        for (int i = 0; i < 5; ++i)
            write_text(project() / "src" / "lib" / ("m" + std::to_string(i) + ".py"), "TABLE = " + std::string(300, '7') + "\n");
        ASSERT_EQ(mpyship({"keygen", "--out", key().string()}).exit_code, 0);
    }
    fs::path project() const { return m_dir.path() / "p"; }
    fs::path key() const { return m_dir.path() / "k.key"; }
    fs::path pub() const { return m_dir.path() / "pub"; }
    nlohmann::json publish(std::vector<std::string> extra = {}, int expect_exit = 0) {
        std::vector<std::string> args{"publish", project().string(), "--key", key().string(), "--out", pub().string(), "--json"};
        args.insert(args.end(), extra.begin(), extra.end());
        auto r = mpyship(args);
        EXPECT_EQ(r.exit_code, expect_exit) << r.out << r.err;
        auto j = nlohmann::json::parse(r.out, nullptr, false);
        return j.is_discarded() ? nlohmann::json::object() : j;
    }
    TempDir m_dir;
};

TEST_F(OtaCli, PublishKeepsReleasesReusesObjectsAndVerifies) {
    auto first = publish();
    EXPECT_EQ(first["sequence"], 1);
    EXPECT_EQ(first["files"], 6);
    EXPECT_GE(first["compressed"], 5); // the lib modules compress
    write_text(project() / "src" / "app.py", "X = 2\n");
    auto second = publish();
    EXPECT_EQ(second["sequence"], 2);
    EXPECT_EQ(second["objects_written"], 1); // only app.mpy changed
    EXPECT_TRUE(fs::exists(pub() / "stable" / "releases" / "1.json"));
    EXPECT_TRUE(fs::exists(pub() / "stable" / "releases" / "2.json"));
    auto low = publish({"--sequence", "2"}, 1);
    EXPECT_NE(low["error"].get<std::string>().find("is not above the channel's current release 2"), std::string::npos);
    EXPECT_EQ(publish({"--channel", "beta"})["sequence"], 1);

    auto mip = nlohmann::json::parse(read_bytes(pub() / "stable" / "package.json"));
    EXPECT_EQ(mip["urls"][0][0], "app.mpy");
    EXPECT_TRUE(mip["urls"][0][1].get<std::string>().starts_with("../objects/"));

    auto ok = mpyship({"verify", pub().string(), "--pubkey", key().string() + ".pub"});
    EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
    // A missing object and a damaged twin are found.
    auto release_one = read_bytes(pub() / "stable" / "releases" / "1.json");
    auto manifest = nlohmann::json::parse(std::string(release_one.begin(), release_one.end()));
    for (const auto& f : manifest["signed"]["files"]) {
        if (f.contains("z")) {
            write_bytes(pub() / (f["download_path"].get<std::string>() + ".z"), {'x', 'y'});
            break;
        }
    }
    fs::remove(pub() / "objects" / manifest["signed"]["files"][0]["sha256"].get<std::string>());
    auto bad = mpyship({"verify", pub().string(), "--pubkey", key().string() + ".pub"});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.out.find("missing: objects/"), std::string::npos) << bad.out;
    EXPECT_NE(bad.out.find(".z (compressed twin"), std::string::npos) << bad.out;
}

TEST_F(OtaCli, PublishRefusesAReadableKeyAndAFailedBuild) {
    ::chmod(key().c_str(), 0640);
    auto open = publish({}, 1);
    EXPECT_NE(open["error"].get<std::string>().find("can be read by others"), std::string::npos) << open.dump();
    ::chmod(key().c_str(), 0600);
    write_text(project() / "src" / "app.py", "def (:\n");
    write_text(project() / "mpyship.toml", "[project]\nname = \"fleet\"\ntarget = \"micropython\"\n");
    auto failed = mpyship({"publish", project().string(), "--key", key().string(), "--out", pub().string(), "--strict"});
    EXPECT_EQ(failed.exit_code, 1);
    EXPECT_FALSE(fs::exists(pub() / "stable" / "manifest.json"));
}

// Bad input to keygen and serve: clear errors, and an existing key is never replaced without --force.
TEST_F(OtaCli, KeygenAndServeRefuseBadInput) {
    auto before = read_bytes(key());
    auto again = mpyship({"keygen", "--out", key().string()});
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_NE(again.err.find("already exists (--force replaces it)"), std::string::npos) << again.err;
    EXPECT_EQ(read_bytes(key()), before);
    auto nowhere = mpyship({"keygen", "--out", (m_dir.path() / "no" / "such" / "k.key").string()});
    EXPECT_EQ(nowhere.exit_code, 1);
    EXPECT_NE(nowhere.err.find("cannot create"), std::string::npos) << nowhere.err;
    auto missing = mpyship({"serve", (m_dir.path() / "nothing").string(), "--port", "0"});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.err.find("not a folder to serve"), std::string::npos) << missing.err;
    auto port = mpyship({"serve", m_dir.path().string(), "--port", "70000"});
    EXPECT_EQ(port.exit_code, 2) << port.err;
    auto verify = mpyship({"verify", m_dir.path().string(), "--pubkey", "ed25519:short", "--json"});
    EXPECT_EQ(verify.exit_code, 1);
    auto j = nlohmann::json::parse(verify.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << verify.out;
    EXPECT_EQ(j["ok"], false);
    EXPECT_NE(j["error"].get<std::string>().find("32 bytes of base64"), std::string::npos) << verify.out;
}

// `serve` loads its server from mpyship-serve.so beside the binary or in ../lib/mpyship/: a binary with
// neither fails and names both places. (A hard link, when the temporary folder allows one: the binary is big.)
TEST_F(OtaCli, ServeWithoutItsModuleSaysWhereItLooked) {
    auto bin = m_dir.path() / "bin" / "mpyship";
    fs::create_directories(bin.parent_path());
    std::error_code ec;
    fs::create_hard_link(mpyship_binary(), bin, ec);
    if (ec)
        fs::copy_file(mpyship_binary(), bin);
    auto r = run_program({bin.string(), "serve", m_dir.path().string(), "--port", "0"});
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.err.find("needs the server module mpyship-serve.so"), std::string::npos) << r.err;
    auto dir = fs::canonical(m_dir.path()); // as /proc/self/exe names it
    EXPECT_NE(r.err.find((dir / "bin" / "mpyship-serve.so").string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find((dir / "lib" / "mpyship" / "mpyship-serve.so").string()), std::string::npos) << r.err;
}

// `serve` on 127.0.0.1 with a free port: whole files with Content-Length, and a byte range (resume).
TEST_F(OtaCli, ServeAnswersWithLengthsAndRanges) {
    publish();
    int out[2];
    ASSERT_EQ(::pipe(out), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    std::vector<std::string> args{mpyship_binary().string(), "serve", pub().string(), "--port", "0"};
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    ASSERT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
    ::close(out[1]);
    std::string line;
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n')
        line += c;
    auto at = line.find("http://127.0.0.1:");
    ASSERT_NE(at, std::string::npos) << line;
    int port = std::stoi(line.substr(at + 17));
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(5, 0);
    auto manifest_bytes = read_bytes(pub() / "stable" / "manifest.json");
    auto whole = client.Get("/stable/manifest.json");
    ASSERT_TRUE(whole);
    EXPECT_EQ(whole->status, 200);
    EXPECT_EQ(whole->get_header_value("Content-Length"), std::to_string(manifest_bytes.size()));
    EXPECT_EQ(whole->body, std::string(manifest_bytes.begin(), manifest_bytes.end()));
    auto tail = client.Get("/stable/manifest.json", {{"Range", "bytes=100-"}});
    ASSERT_TRUE(tail);
    EXPECT_EQ(tail->status, 206);
    EXPECT_EQ(tail->body, std::string(manifest_bytes.begin() + 100, manifest_bytes.end()));
    auto missing = client.Get("/stable/nothing.json");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    ::close(out[0]);
    posix_spawn_file_actions_destroy(&actions);
}

} // namespace
} // namespace mpyship::test
