// The native emitter (@micropython.native) against mpy-cross v1.28.0 -march=x64: every case of
// tests/data/native/native_x64_cases.txt compiled as `t.py` must give the golden .mpy byte for byte
// (native_x64_goldens.tsv, made by make_goldens.sh with the official mpy-cross). A case whose header
// says "unsupported" must fail with mpyship's "not implemented yet" error instead (and fails the test
// once it compiles, so the list stays true). On a mismatch both files are disassembled and the first
// differing lines printed.
//
// With MPYSHIP_MICROPYTHON_SRC set, each supported case's "#> EXPR" lines are also run on that tree's
// unix port: importing our .mpy must print what importing the source prints.
#include "native_cases.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace mpyship::compiler {
namespace {

namespace fs = std::filesystem;
using namespace native_cases;

std::expected<mpy::Module, CompileError> compile_x64(const std::string& source) {
    return compile_for(source, mpy::NativeArch::x64);
}

TEST(NativeX64, EveryCaseMatchesMpyCross) {
    check_all(read_x64_cases(), read_goldens("native_x64_goldens.tsv"), mpy::NativeArch::x64, "x64", 1);
}

TEST(NativeX64, UnsupportedConstructNamesItselfAndTheLine) {
    auto m = compile_x64("x = 1\n@micropython.native\ndef f(a):\n    try:\n        a()\n    except:\n        raise\n");
    ASSERT_FALSE(m.has_value());
    EXPECT_EQ(m.error().kind, "NotImplementedError");
    EXPECT_EQ(m.error().message, "mpyship: native code for RAISE_LAST is not implemented yet");
    EXPECT_EQ(m.error().pos.line, 7u);
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
    for (const Case& c : read_x64_cases()) {
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
