// The compiler against the exec corpus, by behaviour: every corpus/exec program NAME.py is compiled by
// mpyship and run in the official MicroPython v1.28.0 WebAssembly VM (tests/node/run_mpy.mjs, as
// `micropython -m NAME`); its stdout must equal NAME.out exactly and it must exit with status 0. The
// reference's own NAME.mp.mpy files go through the same runner as a check of the harness: all must pass.
// The tests/data/corpus subset always runs; the shared corpus when present. Skipped when node or the
// npm package is missing (scripts/dev.sh test installs both).
//
// Known failures: tests/data/exec_known_failures.txt lists the programs whose compiled form does not
// behave yet. A failure not on the list fails the test, and so does a listed program that passes now.
// To rewrite the list: MPYSHIP_EXEC_UPDATE_KNOWN=1 ./mpyship_exec_tests --gtest_filter='*SharedOurs'.
// Environment: MPYSHIP_CORPUS_ONLY=NAME limits the run to programs whose name contains NAME;
// MPYSHIP_CORPUS_DIFFS=N prints at most N output diffs per test (default 3); MPYSHIP_CORPUS_LIST=1 lists
// the failing programs; MPYSHIP_NODE names the node binary.
#include "../support/test_support.h"
#include "known_failures.h"
#include "line_diff.h"
#include "mpyship/compiler/compiler.h"
#include "mpyship/compiler/error_text.h"
#include "mpyship/mpy/writer.h"
#include "vm_runner.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <expected>
#include <iostream>
#include <map>
#include <set>

namespace mpyship::test {
namespace {

namespace fs = std::filesystem;

struct Program {
    std::string name;
    fs::path dir;
    fs::path py() const { return dir / (name + ".py"); }
    fs::path golden_mpy() const { return dir / (name + ".mp.mpy"); }
    fs::path expected_out() const { return dir / (name + ".out"); }
};

// How one program fared: passed, or the kind of failure and what to show for it.
struct Outcome {
    bool passed = false;
    std::string kind; // compile-error, exception, timeout, output-limit, vm-error, wrong-output
    std::string detail;
};

std::string read_text(const fs::path& p) {
    const auto bytes = read_bytes(p);
    return {bytes.begin(), bytes.end()};
}

bool updating() {
    return std::getenv("MPYSHIP_EXEC_UPDATE_KNOWN") != nullptr;
}

int max_diffs() {
    const char* env = std::getenv("MPYSHIP_CORPUS_DIFFS");
    return env ? std::atoi(env) : 3;
}

std::vector<Program> programs_in(const fs::path& dir) {
    const char* only = std::getenv("MPYSHIP_CORPUS_ONLY");
    std::vector<Program> programs;
    for (const fs::path& py : files_with_suffix(dir, ".py")) {
        const std::string name = py.stem().string();
        if (only == nullptr || name.find(only) != std::string::npos)
            programs.push_back({name, py.parent_path()});
    }
    return programs;
}

// Compiles a program as `mpy-cross -s NAME.py NAME.py` would; the .mpy or the compiler's error text.
std::expected<fs::path, std::string> compile_into(const Program& p, const fs::path& out_dir) {
    compiler::Options options;
    options.source_name = p.name + ".py";
    const auto module = compiler::compile_module(read_text(p.py()), options);
    if (!module)
        return std::unexpected(compiler::mpy_cross_error_text(module.error(), options.source_name,
                                                              compiler::Target::micropython));
    const mpy::Bytes bytes = mpy::write_module(*module);
    const fs::path mpy = out_dir / (p.name + ".mpy");
    write_bytes(mpy, {bytes.begin(), bytes.end()});
    return mpy;
}

Outcome judge(const Program& p, const VmRun& run) {
    const std::string expected = read_text(p.expected_out());
    if (run.status == "ok" && run.exit_code == 0 && run.out == expected)
        return {true, "", ""};
    if (run.status != "ok" || run.exit_code != 0)
        return {false, run.status == "ok" ? "exit-status" : run.status,
                "exit status " + std::to_string(run.exit_code) + ", stderr:\n" + run.err +
                    "stdout (- golden, + run):\n" + line_diff(expected, run.out)};
    return {false, "wrong-output", "stdout (- golden, + run):\n" + line_diff(expected, run.out)};
}

// Runs each program's .mpy (an error instead: it did not compile, and that is its failure) and judges it.
std::vector<Outcome> run_and_judge(const std::vector<Program>& programs,
                                   const std::vector<std::expected<fs::path, std::string>>& mpys) {
    std::vector<fs::path> to_run;
    for (const auto& m : mpys)
        if (m)
            to_run.push_back(*m);
    const std::vector<VmRun> runs = run_in_vm(to_run);
    std::vector<Outcome> outcomes;
    std::size_t next_run = 0;
    for (std::size_t i = 0; i < programs.size(); ++i)
        outcomes.push_back(mpys[i]
                               ? judge(programs[i], runs[next_run++])
                               : Outcome{false, "compile-error", "does not compile:\n" + mpys[i].error()});
    return outcomes;
}

void report(const fs::path& dir, const std::string& whose, const std::vector<Program>& programs,
            const std::vector<Outcome>& outcomes) {
    int passed = 0;
    for (const Outcome& o : outcomes)
        passed += o.passed ? 1 : 0;
    std::cout << "[   EXEC   ] " << dir.string() << ", " << whose << ": " << passed << " of "
              << programs.size() << " programs print their golden output\n";
    if (std::getenv("MPYSHIP_CORPUS_LIST") != nullptr)
        for (std::size_t i = 0; i < programs.size(); ++i)
            if (!outcomes[i].passed)
                std::cout << "  fails: " << programs[i].name << " " << outcomes[i].kind << "\n";
}

// The reference's own .mpy files: every one must print its golden output, or the harness is wrong.
void check_reference(const fs::path& dir) {
    const auto programs = programs_in(dir);
    std::vector<std::expected<fs::path, std::string>> mpys;
    for (const Program& p : programs)
        mpys.emplace_back(p.golden_mpy());
    const auto outcomes = run_and_judge(programs, mpys);
    report(dir, "reference goldens (.mp.mpy)", programs, outcomes);
    int shown = 0;
    for (std::size_t i = 0; i < programs.size(); ++i)
        if (!outcomes[i].passed && shown++ < max_diffs())
            ADD_FAILURE() << programs[i].name << ".mp.mpy (reference) fails in the VM, " << outcomes[i].kind
                          << ": " << outcomes[i].detail;
        else if (!outcomes[i].passed)
            ADD_FAILURE() << programs[i].name << ".mp.mpy (reference) fails in the VM, " << outcomes[i].kind;
}

// Flags failures that are not on the known list, and listed programs that pass now.
void check_against_known(const std::vector<Program>& programs, const std::vector<Outcome>& outcomes) {
    int shown = 0;
    for (std::size_t i = 0; i < programs.size(); ++i) {
        const bool known = known_failures().contains(programs[i].name);
        if (outcomes[i].passed && known)
            ADD_FAILURE() << programs[i].name << " prints its golden output now: remove it from "
                          << known_failures_file();
        else if (!outcomes[i].passed && !known && shown++ < max_diffs())
            ADD_FAILURE() << programs[i].name << ".py compiled by mpyship fails, " << outcomes[i].kind << " ("
                          << programs[i].py().string() << "):\n"
                          << outcomes[i].detail;
        else if (!outcomes[i].passed && !known)
            ADD_FAILURE() << programs[i].name << ".py compiled by mpyship fails (" << outcomes[i].kind
                          << ") and is not a known failure";
    }
}

void update_known(const std::vector<Program>& programs, const std::vector<Outcome>& outcomes) {
    std::set<std::string> ran;
    std::map<std::string, std::string> failed;
    for (std::size_t i = 0; i < programs.size(); ++i) {
        ran.insert(programs[i].name);
        if (!outcomes[i].passed)
            failed[programs[i].name] = outcomes[i].kind;
    }
    update_known_failures(ran, failed);
    std::cout << "[   EXEC   ] rewrote " << known_failures_file().string() << " (" << failed.size()
              << " failing)\n";
}

// Listed names that are not in the corpus at all would never be flagged as passing: they must go too.
void check_no_stale_names(const std::vector<Program>& programs) {
    if (std::getenv("MPYSHIP_CORPUS_ONLY") != nullptr)
        return;
    std::set<std::string> names;
    for (const Program& p : programs)
        names.insert(p.name);
    for (const std::string& listed : known_failures())
        if (!names.contains(listed))
            ADD_FAILURE() << listed << " is not in the exec corpus: remove it from " << known_failures_file();
}

// Our compiler's output; `full` is true for the whole shared corpus (the list is updated only from it).
void check_ours(const fs::path& dir, bool full) {
    const auto programs = programs_in(dir);
    TempDir tmp;
    std::vector<std::expected<fs::path, std::string>> mpys;
    for (const Program& p : programs)
        mpys.push_back(compile_into(p, tmp.path()));
    const auto outcomes = run_and_judge(programs, mpys);
    report(dir, "mpyship", programs, outcomes);
    if (full && updating()) {
        update_known(programs, outcomes);
        return;
    }
    check_against_known(programs, outcomes);
    if (full)
        check_no_stale_names(programs);
}

fs::path subset_dir() {
    return data_dir() / "corpus" / "exec";
}
fs::path shared_dir() {
    return corpus_dir() / "exec";
}

// Every test needs node and the VM package; without them it is skipped, saying what to install.
class ExecCorpus : public testing::Test {
  protected:
    void SetUp() override {
        if (const std::string why = vm_unavailable_reason(); !why.empty())
            GTEST_SKIP() << why << "; `bash scripts/dev.sh test` installs it";
    }
};

TEST_F(ExecCorpus, SubsetReference) {
    check_reference(subset_dir());
}

TEST_F(ExecCorpus, SubsetOurs) {
    check_ours(subset_dir(), false);
}

TEST_F(ExecCorpus, SharedReference) {
    if (!have_shared_corpus())
        GTEST_SKIP() << "shared corpus absent (" << corpus_dir() << ")";
    check_reference(shared_dir());
}

TEST_F(ExecCorpus, SharedOurs) {
    if (!have_shared_corpus())
        GTEST_SKIP() << "shared corpus absent (" << corpus_dir() << ")";
    check_ours(shared_dir(), true);
}

} // namespace
} // namespace mpyship::test
