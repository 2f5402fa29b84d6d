// Corpus checks for the front end: every accepted program parses, and every program whose golden error
// is a lexer/parser error (no ", in scope" on the File line) gets exactly that kind, message and line.
#include "../support/test_support.h"
#include "frontend_test_util.h"

#include <gtest/gtest.h>

#include <regex>

namespace mpyship::compiler {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
    auto bytes = mpyship::test::read_bytes(p);
    return {bytes.begin(), bytes.end()};
}

std::vector<fs::path> programs(const std::string& part) {
    std::vector<fs::path> out;
    std::vector<fs::path> roots{mpyship::test::data_dir() / "corpus" / part};
    if (mpyship::test::have_shared_corpus()) {
        roots.push_back(mpyship::test::corpus_dir() / part);
    }
    for (const auto& root : roots) {
        if (fs::exists(root)) {
            auto files = mpyship::test::files_with_suffix(root, ".py");
            out.insert(out.end(), files.begin(), files.end());
        }
    }
    return out;
}

// The expected front-end error from a golden .err, or "" when it is a compiler (scope) error.
std::string expected_error(const std::string& err) {
    static const std::regex k_traceback(R"(File "[^"]*", line (\d+)\r?\n([A-Za-z]+): (.*)\n)");
    std::smatch m;
    if (std::regex_search(err, m, k_traceback)) {
        return m[2].str() + ": " + m[3].str() + " @" + m[1].str();
    }
    if (err.find("in ") != std::string::npos && err.find("Traceback") != std::string::npos) {
        return "";
    }
    auto colon = err.find(": ");
    std::string line = err.substr(0, err.find('\n'));
    return colon == std::string::npos ? "" : line;
}

void check_compile_part(Target target, const char* golden_suffix) {
    auto files = programs("compile");
    if (!mpyship::test::have_shared_corpus()) {
        std::cout << "[  NOTE    ] shared corpus absent; using tests/data/corpus only\n";
    }
    int parsed = 0;
    int total = 0;
    for (const auto& py : files) {
        fs::path golden = py;
        golden.replace_extension(golden_suffix);
        if (!fs::exists(golden)) {
            continue; // the reference rejected it for this target
        }
        ++total;
        std::string err = test::error_of(read_text(py), target);
        EXPECT_EQ(err, "ok") << py;
        parsed += err == "ok";
    }
    std::cout << "[  COUNT   ] parsed " << parsed << " of " << total << " programs\n";
}

TEST(FrontendCorpus, CompilePartParsesMicroPython) {
    check_compile_part(Target::micropython, ".mp.mpy");
}
TEST(FrontendCorpus, CompilePartParsesCircuitPython) {
    check_compile_part(Target::circuitpython, ".cp.mpy");
}

void check_error_part(Target target, const char* golden_suffix) {
    int matched = 0;
    int total = 0;
    int accepted = 0;
    int scope_errors = 0;
    for (const auto& py : programs("errors")) {
        fs::path golden = py;
        golden.replace_extension(golden_suffix);
        if (!fs::exists(golden)) {
            continue;
        }
        std::string want = expected_error(read_text(golden));
        std::string got = test::error_of(read_text(py), target);
        if (want.empty()) {
            // a compiler (scope) error: the front end must accept the program
            ++scope_errors;
            EXPECT_EQ(got, "ok") << py;
            accepted += got == "ok";
            continue;
        }
        ++total;
        EXPECT_EQ(got, want) << py;
        matched += got == want;
    }
    std::cout << "[  COUNT   ] front-end errors matched " << matched << " of " << total
              << "; programs with compiler errors accepted " << accepted << " of " << scope_errors << "\n";
}

TEST(FrontendCorpus, ParserErrorsMatchMicroPython) {
    check_error_part(Target::micropython, ".mp.err");
}
TEST(FrontendCorpus, ParserErrorsMatchCircuitPython) {
    check_error_part(Target::circuitpython, ".cp.err");
}

} // namespace
} // namespace mpyship::compiler
