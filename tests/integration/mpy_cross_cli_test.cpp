// The drop-in mode: the binary invoked through a symlink named mpy-cross behaves like mpy-cross.
#include "../support/test_support.h"

#include <gtest/gtest.h>

namespace mpyship::test {
namespace {

namespace fs = std::filesystem;

struct MpyCross {
    TempDir dir;
    fs::path link;
    explicit MpyCross(const std::string& name = "mpy-cross") : link(dir.path() / name) {
        fs::create_symlink(mpyship_binary(), link);
    }
    RunResult run(std::vector<std::string> args, const std::string& input = "") {
        args.insert(args.begin(), link.string());
        return run_program(args, input);
    }
};

TEST(MpyCrossMode, UsageAndMessagesAsMpyCross) {
    MpyCross m;
    auto none = m.run({});
    EXPECT_EQ(none.exit_code, 1);
    EXPECT_EQ(none.err, "no input file\n");
    auto bad = m.run({"--help"});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_TRUE(bad.out.starts_with("usage: " + m.link.string() +
                                    " [<opts>] [-X <implopt>] [--] <input filename>\n"));
    auto version = m.run({"--version"});
    EXPECT_EQ(version.exit_code, 0);
    EXPECT_NE(version.out.find("mpy-cross emitting mpy v6.3"), std::string::npos);
}

TEST(MpyCrossMode, FileErrorsAsOSError) {
    MpyCross m;
    auto missing = m.run({(m.dir.path() / "nope.py").string()});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_EQ(missing.err, "OSError: (2, \"can't open " + (m.dir.path() / "nope.py").string() + "\")\n");
    auto dir = m.run({m.dir.path().string()});
    EXPECT_EQ(dir.exit_code, 1);
    EXPECT_EQ(dir.err, "OSError: 21\n");
}

TEST(MpyCrossMode, LexerErrorsPrintTheTraceback) {
    MpyCross m;
    auto r = m.run({"-"}, "if x:\n        y = 1\n    z = 2\n");
    EXPECT_EQ(r.exit_code, 1);
    // mpy-cross v1.28.0 reports line 2 for this input.
    EXPECT_EQ(r.err, "Traceback (most recent call last):\n  File \"<stdin>\", line 2\n"
                     "IndentationError: unindent doesn't match any outer indent level\n");
}

// A parse error names the input path (as the reference's lexer does); an error found while compiling
// names the -s source name.
TEST(MpyCrossMode, ErrorsNameTheInputOrTheSourceName) {
    MpyCross m;
    const fs::path parse_bad = m.dir.path() / "p.py";
    const fs::path compile_bad = m.dir.path() / "c.py";
    write_bytes(parse_bad, {'x', ' ', '=', ' ', '(', '\n'});
    write_bytes(compile_bad, {'b', 'r', 'e', 'a', 'k', '\n'});
    auto p = m.run({"-s", "lib/p.py", parse_bad.string()});
    EXPECT_EQ(p.exit_code, 1);
    EXPECT_EQ(p.err, "Traceback (most recent call last):\n  File \"" + parse_bad.string() +
                         "\", line 2\nSyntaxError: invalid syntax\n");
    auto c = m.run({"-s", "lib/c.py", compile_bad.string()});
    EXPECT_EQ(c.exit_code, 1);
    EXPECT_EQ(c.err, "Traceback (most recent call last):\n  File \"lib/c.py\", line 1, in <module>\n"
                     "SyntaxError: 'break'/'continue' outside loop\n");
}

// The ports pass -march=ARCH for every frozen module: bytecode-only code compiles to the same bytes as
// without it (as mpy-cross v1.28.0 does), a viper decorator compiles for xtensawin, and for an
// architecture without a viper emitter yet (armv6) says what is missing.
TEST(MpyCrossMode, MarchKeepsBytecodeAndRefusesNativeCode) {
    MpyCross m;
    const std::string code = "def f(x):\n    return x + 1\n";
    auto plain = m.run({"-s", "f.py", "-o", "-", "-"}, code);
    auto arm = m.run({"-march=armv7m", "-s", "f.py", "-o", "-", "-"}, code);
    ASSERT_EQ(plain.exit_code, 0) << plain.err;
    ASSERT_EQ(arm.exit_code, 0) << arm.err;
    EXPECT_EQ(arm.out, plain.out);
    const std::string viper_code = "@micropython.viper\ndef f():\n    pass\n";
    auto esp32 = m.run({"-march=xtensawin", "-s", "n.py", "-o", "-", "-"}, viper_code);
    EXPECT_EQ(esp32.exit_code, 0) << esp32.err;
    auto viper = m.run({"-march=armv6", "-s", "n.py", "-"}, viper_code);
    EXPECT_EQ(viper.exit_code, 1);
    EXPECT_EQ(viper.err,
              "Traceback (most recent call last):\n  File \"n.py\", line 1, in <module>\n"
              "SyntaxError: mpyship: native code generation (@micropython.viper) is not implemented yet\n");
}

// CircuitPython 10.2.1's native emitters differ from MicroPython 1.28's on every arch (measured): its
// native code is refused rather than written wrong, while inline assembler stays; its mpy-cross has no
// xtensawin inline assembler, so asm_xtensa there is "invalid arch" as it says, while xtensa keeps it.
TEST(MpyCrossMode, CircuitPythonNativeCodeIsRefusedAndAsmKept) {
    MpyCross m("mpy-cross-circuitpython");
    const std::string native = "@micropython.native\ndef f(x):\n    return x + 1\n";
    for (const char* arch : {"-march=x64", "-march=x86", "-march=armv7m", "-march=rv32imc", "-march=xtensawin"}) {
        auto r = m.run({arch, "-s", "n.py", "-"}, native);
        EXPECT_EQ(r.exit_code, 1) << arch;
        EXPECT_NE(r.err.find("mpyship: native code generation (@micropython.native) is not implemented yet"),
                  std::string::npos)
            << arch << r.err;
    }
    const std::string asm_code = "@micropython.asm_xtensa\ndef f(a2):\n    addi(a2, a2, 1)\n";
    auto win = m.run({"-march=xtensawin", "-s", "a.py", "-"}, asm_code);
    EXPECT_EQ(win.exit_code, 1);
    EXPECT_NE(win.err.find("SyntaxError: invalid arch"), std::string::npos) << win.err;
    auto lx = m.run({"-march=xtensa", "-s", "a.py", "-o", "-", "-"}, asm_code);
    EXPECT_EQ(lx.exit_code, 0) << lx.err;
    EXPECT_TRUE(lx.out.starts_with("C\x06")) << lx.out;
}

} // namespace
} // namespace mpyship::test
