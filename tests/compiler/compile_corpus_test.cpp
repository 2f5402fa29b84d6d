// The compiler against the corpus: every compile/ program must give the reference's .mpy byte for byte
// (NAME.mp.mpy for micropython, NAME.cp.mpy for circuitpython) and every rejected program the reference's
// exact error text (.mp.err / .cp.err). Mismatches are reported as a disassembly diff (- reference,
// + ours). The tests/data/corpus subset always runs; the shared corpus when present.
// Environment: MPYSHIP_CORPUS_ONLY=NAME limits the run to programs whose name contains NAME;
// MPYSHIP_CORPUS_DIFFS=N prints at most N diffs per test (default 3); MPYSHIP_CORPUS_WRITE=DIR
// writes our .mpy files there; MPYSHIP_CORPUS_LIST=1 lists the programs that differ.
//
// Known mismatches: tests/data/compile_known_mismatches.txt lists, as "part target name", every program
// we do not match yet. A mismatch not on the list fails (a regression), and so does a listed program that
// now matches (the list must shrink with the compiler's progress). To rewrite the list after a change:
// MPYSHIP_CORPUS_UPDATE_KNOWN=1 ./mpyship_compiler_tests --gtest_filter='CompileCorpus*:Parts/*'
// (one process, so the tests run in sequence).
#include "../support/test_support.h"
#include "mpyship/compiler/compiler.h"
#include "mpyship/compiler/error_text.h"
#include "mpyship/mpy/disassembler.h"
#include "mpyship/mpy/reader.h"
#include "mpyship/mpy/writer.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

namespace mpyship::compiler {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& p) {
    const auto bytes = test::read_bytes(p);
    return {bytes.begin(), bytes.end()};
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

// A unified-style line diff (longest common subsequence), only changed lines with 2 lines of context.
std::string line_diff(const std::string& expected, const std::string& actual) {
    const auto a = split_lines(expected), b = split_lines(actual);
    if (a.size() * b.size() > 40'000'000)
        return "(too large to diff)\n";
    std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
    for (std::size_t i = a.size(); i-- > 0;)
        for (std::size_t j = b.size(); j-- > 0;)
            lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    std::vector<std::string> out;
    std::vector<bool> changed;
    std::size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        if (i < a.size() && j < b.size() && a[i] == b[j]) {
            out.push_back("  " + a[i++]);
            changed.push_back(false);
            ++j;
        } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
            out.push_back("+ " + b[j++]);
            changed.push_back(true);
        } else {
            out.push_back("- " + a[i++]);
            changed.push_back(true);
        }
    }
    std::string text;
    for (std::size_t k = 0; k < out.size(); ++k) {
        bool near = false;
        for (std::size_t d = k >= 2 ? k - 2 : 0; d < std::min(out.size(), k + 3); ++d)
            near = near || changed[d];
        if (near)
            text += out[k] + "\n";
    }
    return text;
}

struct Tally {
    int identical = 0;
    int total = 0;
    int diffs_shown = 0;
    std::vector<std::string> failed;
    std::vector<std::string> now_identical; // listed as known mismatches but identical now
};

fs::path known_mismatch_file() {
    return test::data_dir() / "compile_known_mismatches.txt";
}

std::set<std::string> load_known() {
    std::set<std::string> known;
    std::ifstream in(known_mismatch_file());
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] != '#')
            known.insert(line);
    return known;
}

const std::set<std::string>& known_mismatches() {
    static const std::set<std::string> known = load_known();
    return known;
}

std::string target_tag(Target target) {
    return target == Target::micropython ? "mp" : "cp";
}

// Replaces the list's lines for one part and target with the current mismatches.
void update_known(const std::string& part, Target target, const std::vector<std::string>& failed) {
    std::string prefix = part + " " + target_tag(target) + " ";
    std::set<std::string> lines = load_known();
    std::erase_if(lines, [&](const std::string& l) { return l.starts_with(prefix); });
    for (const auto& name : failed)
        lines.insert(prefix + name);
    std::ofstream out(known_mismatch_file());
    out << "# Corpus programs the compiler does not match yet: part target name (see "
           "compile_corpus_test.cpp).\n";
    for (const auto& l : lines)
        out << l << "\n";
}

int max_diffs() {
    const char* env = std::getenv("MPYSHIP_CORPUS_DIFFS");
    return env ? std::atoi(env) : 3;
}

bool selected(const fs::path& py) {
    const char* only = std::getenv("MPYSHIP_CORPUS_ONLY");
    return only == nullptr || py.stem().string().find(only) != std::string::npos;
}

Options options_for(const fs::path& py, Target target) {
    Options o;
    o.target = target;
    o.source_name = py.filename().string();
    return o;
}

// Compares one program with its golden for one target; returns a description of the difference or "".
std::string compare(const fs::path& py, Target target) {
    const char* tag = target == Target::micropython ? ".mp" : ".cp";
    const fs::path mpy = py.parent_path() / (py.stem().string() + tag + ".mpy");
    const fs::path err = py.parent_path() / (py.stem().string() + tag + ".err");
    const auto result = compile_module(read_text(py), options_for(py, target));
    if (fs::exists(err)) {
        const std::string expected = read_text(err);
        const std::string actual = result
                                       ? std::string("(compiled)\n")
                                       : mpy_cross_error_text(result.error(), py.filename().string(), target);
        return expected == actual ? "" : "- " + expected + "+ " + actual;
    }
    if (!result)
        return "error instead of code: " +
               mpy_cross_error_text(result.error(), py.filename().string(), target);
    const auto golden = test::read_bytes(mpy);
    const mpy::Bytes bytes = mpy::write_module(*result);
    if (const char* out_dir = std::getenv("MPYSHIP_CORPUS_WRITE"))
        test::write_bytes(fs::path(out_dir) / (py.stem().string() + tag + ".mpy"),
                          {bytes.begin(), bytes.end()});
    if (bytes == mpy::Bytes(golden.begin(), golden.end()))
        return "";
    const auto expected = mpy::read_module(golden);
    if (!expected)
        return "golden unreadable";
    std::string diff = line_diff(mpy::disassemble(*expected), mpy::disassemble(*result));
    return diff.empty() ? "(bytes differ, disassembly equal)\n" : diff;
}

void run_part(const fs::path& dir, const std::string& part, Target target, Tally& tally) {
    const bool updating = std::getenv("MPYSHIP_CORPUS_UPDATE_KNOWN") != nullptr;
    for (const fs::path& py : test::files_with_suffix(dir, ".py")) {
        if (!selected(py))
            continue;
        ++tally.total;
        const std::string difference = compare(py, target);
        const bool known =
            known_mismatches().contains(part + " " + target_tag(target) + " " + py.stem().string());
        if (difference.empty()) {
            ++tally.identical;
            if (known)
                tally.now_identical.push_back(py.stem().string());
            continue;
        }
        tally.failed.push_back(py.stem().string());
        if (!known && !updating && tally.diffs_shown++ < max_diffs())
            ADD_FAILURE() << py.filename().string() << " differs (- reference, + ours):\n" << difference;
        else if (!known && !updating)
            ADD_FAILURE() << py.filename().string() << " differs and is not a known mismatch";
    }
}

void report(const std::string& what, Target target, const Tally& tally) {
    std::cout << "[  CORPUS  ] " << what << " "
              << (target == Target::micropython ? "micropython" : "circuitpython") << ": " << tally.identical
              << " of " << tally.total << " identical\n";
    if (std::getenv("MPYSHIP_CORPUS_LIST") != nullptr)
        for (const std::string& name : tally.failed)
            std::cout << "  differs: " << name << "\n";
}

void check(const fs::path& root, const std::string& part, Target target) {
    Tally tally;
    run_part(root / part, part, target, tally);
    report(root.string() + "/" + part, target, tally);
    if (std::getenv("MPYSHIP_CORPUS_UPDATE_KNOWN") != nullptr && root == test::corpus_dir()) {
        update_known(part, target, tally.failed);
        return;
    }
    for (const auto& name : tally.now_identical)
        ADD_FAILURE() << name << " (" << part << ", " << target_tag(target)
                      << ") is identical now: remove it from " << known_mismatch_file();
}

TEST(CompileCorpus, SubsetMicroPython) {
    for (const char* part : {"compile", "errors", "exec", "parity"})
        if (fs::exists(test::data_dir() / "corpus" / part))
            check(test::data_dir() / "corpus", part, Target::micropython);
}

TEST(CompileCorpus, SubsetCircuitPython) {
    for (const char* part : {"compile", "errors", "exec", "parity"})
        if (fs::exists(test::data_dir() / "corpus" / part))
            check(test::data_dir() / "corpus", part, Target::circuitpython);
}

class SharedCorpus : public testing::TestWithParam<std::tuple<std::string, Target>> {};

TEST_P(SharedCorpus, Identical) {
    if (!test::have_shared_corpus())
        GTEST_SKIP() << "shared corpus absent (" << test::corpus_dir() << ")";
    check(test::corpus_dir(), std::get<0>(GetParam()), std::get<1>(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Parts, SharedCorpus,
                         testing::Combine(testing::Values("compile", "errors", "exec"),
                                          testing::Values(Target::micropython, Target::circuitpython)),
                         [](const auto& param_info) {
                             return std::get<0>(param_info.param) +
                                    (std::get<1>(param_info.param) == Target::micropython ? "_mp" : "_cp");
                         });

} // namespace
} // namespace mpyship::compiler
