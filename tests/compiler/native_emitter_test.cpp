// The native emitter (@micropython.native) against mpy-cross v1.28.0 -march=x64: every case of
// tests/data/native/native_x64_cases.txt compiled as `t.py` must give the golden .mpy byte for byte
// (native_x64_goldens.tsv, made by make_goldens.sh with the official mpy-cross). A case whose header
// says "unsupported" must fail with mpyship's "not implemented yet" error instead (and fails the test
// once it compiles, so the list stays true). On a mismatch both files are disassembled and the first
// differing lines printed.
//
// With MPYSHIP_MICROPYTHON_SRC set, each supported case's "#> EXPR" lines are also run on that tree's
// unix port: importing our .mpy must print what importing the source prints.
#include "../support/test_support.h"
#include "mpyship/compiler/compiler.h"
#include "mpyship/mpy/disassembler.h"
#include "mpyship/mpy/reader.h"
#include "mpyship/mpy/writer.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <sstream>

namespace mpyship::compiler {
namespace {

namespace fs = std::filesystem;

struct Case {
    std::string name;
    bool unsupported = false;
    std::string source;
    std::vector<std::string> runs; // expressions after "#> "
};

std::string read_text(const fs::path& p) {
    const auto bytes = test::read_bytes(p);
    return {bytes.begin(), bytes.end()};
}

std::vector<Case> read_cases() {
    std::vector<Case> cases;
    std::istringstream in(read_text(test::data_dir() / "native" / "native_x64_cases.txt"));
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("### ")) {
            std::istringstream header(line.substr(4));
            Case c;
            std::string flag;
            header >> c.name >> flag;
            c.unsupported = flag == "unsupported";
            cases.push_back(std::move(c));
            continue;
        }
        if (cases.empty())
            continue;
        cases.back().source += line + "\n";
        if (line.starts_with("#> "))
            cases.back().runs.push_back(line.substr(3));
    }
    return cases;
}

// name -> hex of the golden .mpy ("" when mpy-cross failed)
std::map<std::string, std::string> read_goldens() {
    std::map<std::string, std::string> goldens;
    std::istringstream in(read_text(test::data_dir() / "native" / "native_x64_goldens.tsv"));
    std::string line;
    while (std::getline(in, line)) {
        const std::vector<std::string> f = test::tab_fields(line);
        if (f.size() == 4)
            goldens[f[0]] = f[2] == "mpy" ? f[3] : "";
    }
    return goldens;
}

mpy::Bytes from_hex(const std::string& hex) {
    mpy::Bytes out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(std::uint8_t(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

std::expected<mpy::Module, CompileError> compile_x64(const std::string& source) {
    Options o;
    o.arch = mpy::NativeArch::x64;
    o.march_given = true;
    o.source_name = "t.py";
    return compile_module(source, o);
}

std::string disassembly(const mpy::Bytes& bytes) {
    auto m = mpy::read_module(bytes);
    return m ? mpy::disassemble(*m) : std::string("(unreadable .mpy)");
}

// The first lines where the two disassemblies differ, with a little context.
std::string disassembly_diff(const mpy::Bytes& golden, const mpy::Bytes& ours) {
    std::istringstream a(disassembly(golden)), b(disassembly(ours));
    std::string la, lb, out;
    int shown = 0;
    while (shown < 6 && (std::getline(a, la) || std::getline(b, lb))) {
        if (!b.eof() && lb.empty())
            std::getline(b, lb);
        if (la != lb) {
            out += "  golden: " + la + "\n  ours:   " + lb + "\n";
            ++shown;
        }
        la.clear();
        lb.clear();
    }
    return out;
}

TEST(NativeX64, EveryCaseMatchesMpyCross) {
    const auto cases = read_cases();
    const auto goldens = read_goldens();
    ASSERT_GT(cases.size(), 40u);
    ASSERT_EQ(goldens.size(), cases.size()) << "native_x64_goldens.tsv is out of date: run make_goldens.sh";
    int identical = 0, unsupported = 0, failures = 0;
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        auto m = compile_x64(c.source);
        if (c.unsupported) {
            ++unsupported;
            ASSERT_FALSE(m.has_value()) << c.name << " compiles now: drop 'unsupported' from its header";
            EXPECT_TRUE(m.error().needs_native_arch);
            EXPECT_NE(m.error().message.find("is not implemented yet"), std::string::npos) << m.error().message;
            continue;
        }
        ASSERT_TRUE(m.has_value()) << c.name << ": " << m.error().message;
        const mpy::Bytes ours = mpy::write_module(*m);
        const mpy::Bytes golden = from_hex(goldens.at(c.name));
        if (ours == golden) {
            ++identical;
        } else if (++failures <= 10) {
            ADD_FAILURE() << c.name << " differs from mpy-cross -march=x64\n" << c.source
                          << disassembly_diff(golden, ours);
        }
    }
    std::cout << "[ native x64 ] " << identical << "/" << (cases.size() - std::size_t(unsupported))
              << " supported cases identical; " << unsupported << " of " << cases.size()
              << " cases listed as not supported yet\n";
    EXPECT_EQ(failures, 0);
}

TEST(NativeX64, UnsupportedConstructNamesItselfAndTheLine) {
    auto m = compile_x64("x = 1\n@micropython.native\ndef f(a):\n    def g():\n        return a\n    del a\n");
    ASSERT_FALSE(m.has_value());
    EXPECT_EQ(m.error().kind, "NotImplementedError");
    EXPECT_EQ(m.error().message, "mpyship: native code for DELETE_DEREF is not implemented yet");
    EXPECT_EQ(m.error().pos.line, 6u);
    EXPECT_EQ(m.error().scope_name, "f");
    EXPECT_TRUE(m.error().needs_native_arch);
}

TEST(NativeX64, OutputReadsBackAsNativeCode) {
    auto m = compile_x64("@micropython.native\ndef f(a):\n    return a + 1\n");
    ASSERT_TRUE(m.has_value());
    auto back = mpy::read_module(mpy::write_module(*m));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->header.arch, mpy::NativeArch::x64);
    ASSERT_EQ(back->root.children.size(), 1u);
    EXPECT_EQ(back->root.children[0].kind, mpy::CodeKind::native_py);
    EXPECT_EQ(back->constants.at(0).kind, mpy::ObjKind::fun_table);
}

// Runs the "#> " expressions of a case after importing t from `dir` on the unix port.
test::RunResult run_on_unix_port(const fs::path& micropython, const fs::path& dir, const Case& c) {
    std::string script = "import sys\nsys.path.insert(0, '" + dir.string() + "')\nfrom t import *\n";
    for (const std::string& expr : c.runs)
        script += "print(repr(" + expr + "))\n";
    test::write_text_file(dir / "run_case.py", script);
    return test::run_program({micropython.string(), (dir / "run_case.py").string()});
}

TEST(NativeX64, ImportedMpyBehavesAsTheSourceOnTheUnixPort) {
    const char* src = std::getenv("MPYSHIP_MICROPYTHON_SRC");
    if (!src || !*src)
        GTEST_SKIP() << "MPYSHIP_MICROPYTHON_SRC is not set: native code is run on the unix port of a "
                        "MicroPython v1.28.0 tree (ports/unix/build-standard/micropython) only when it is";
    const fs::path micropython = fs::path(src) / "ports/unix/build-standard/micropython";
    if (!fs::exists(micropython))
        GTEST_SKIP() << micropython << " is not built";
    int ran = 0;
    for (const Case& c : read_cases()) {
        if (c.unsupported || c.runs.empty())
            continue;
        SCOPED_TRACE(c.name);
        auto m = compile_x64(c.source);
        ASSERT_TRUE(m.has_value());
        test::TempDir as_mpy, as_source;
        test::write_bytes(as_mpy.path() / "t.mpy", mpy::write_module(*m));
        test::write_text_file(as_source.path() / "t.py", c.source);
        const auto ours = run_on_unix_port(micropython, as_mpy.path(), c);
        const auto reference = run_on_unix_port(micropython, as_source.path(), c);
        EXPECT_EQ(reference.exit_code, 0) << reference.err;
        EXPECT_EQ(ours.exit_code, 0) << ours.err;
        EXPECT_EQ(ours.out, reference.out) << c.source;
        ++ran;
    }
    std::cout << "[ native x64 ] " << ran << " cases run from .mpy on the unix port, output as from source\n";
    EXPECT_GT(ran, 20);
}

} // namespace
} // namespace mpyship::compiler
