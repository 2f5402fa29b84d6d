// mpy-cross option parsing must follow mpy-cross v1.28.0 (outputs checked against the reference binary).
#include "mpyship/cli/mpy_cross_args.h"
#include "mpyship/compiler/error_text.h"

#include <gtest/gtest.h>

namespace mpyship::cli {
namespace {

using compiler::Target;

MpyCrossParse parse(std::vector<std::string> args, bool allow_target = false) {
    return parse_mpy_cross_args("mpy-cross", args, allow_target, Target::micropython);
}

MpyCrossArgs ok(std::vector<std::string> args, bool allow_target = false) {
    auto r = parse(std::move(args), allow_target);
    EXPECT_TRUE(std::holds_alternative<MpyCrossArgs>(r));
    return std::holds_alternative<MpyCrossArgs>(r) ? std::get<MpyCrossArgs>(r) : MpyCrossArgs{};
}

MpyCrossExit stop(std::vector<std::string> args, bool allow_target = false) {
    auto r = parse(std::move(args), allow_target);
    EXPECT_TRUE(std::holds_alternative<MpyCrossExit>(r));
    return std::holds_alternative<MpyCrossExit>(r) ? std::get<MpyCrossExit>(r) : MpyCrossExit{};
}

TEST(MpyCrossArgs, ParsesTheCorpusCommandLine) {
    auto a = ok({"-o", "g1_1.mp.mpy", "-s", "g1_1.py", "g1_1.py"});
    EXPECT_EQ(a.input, "g1_1.py");
    EXPECT_EQ(a.output, "g1_1.mp.mpy");
    EXPECT_EQ(a.source_name, "g1_1.py");
    EXPECT_EQ(a.opt_level, 0);
    EXPECT_EQ(a.small_int_bits, 31);
}

TEST(MpyCrossArgs, CountsOptimisationLikeMpyCross) {
    EXPECT_EQ(ok({"-O", "a.py"}).opt_level, 1);
    EXPECT_EQ(ok({"-OO", "a.py"}).opt_level, 2);
    EXPECT_EQ(ok({"-O3", "a.py"}).opt_level, 3);
    EXPECT_EQ(ok({"-Ox", "a.py"}).opt_level, 1);
}

TEST(MpyCrossArgs, AcceptsImplementationOptionsStdinAndDoubleDash) {
    auto a = ok({"-X", "emit=bytecode", "-X", "heapsize=1M", "-v", "-v", "-msmall-int-bits=0x1f", "-"});
    EXPECT_EQ(a.input, "-");
    EXPECT_EQ(a.verbose, 2);
    EXPECT_EQ(a.small_int_bits, 31);
    EXPECT_EQ(ok({"--", "-weird.py"}).input, "-weird.py");
    EXPECT_EQ(ok({"-s", "dir\\m.py", "dir\\m.py"}).source_name, "dir/m.py");
}

TEST(MpyCrossArgs, UsageOnStdoutWithExitOneForBadOptions) {
    for (std::vector<std::string> bad : {std::vector<std::string>{"--help"},
                                         {"-q", "a.py"},
                                         {"-o"},
                                         {"-X", "foo=1", "a.py"},
                                         {"-msmall-int-bits=3x", "a.py"},
                                         {"-march=z80", "a.py"},
                                         {"a.py", "-X"}}) {
        auto e = stop(bad);
        EXPECT_EQ(e.exit_code, 1);
        EXPECT_TRUE(e.out.starts_with("usage: mpy-cross [<opts>] [-X <implopt>] [--] <input filename>\n"))
            << e.out;
        EXPECT_TRUE(e.err.empty());
    }
}

TEST(MpyCrossArgs, ShortMessagesOnStderr) {
    EXPECT_EQ(stop({}).err, "no input file\n");
    EXPECT_EQ(stop({"a.py", "b.py"}).err, "multiple input files\n");
    EXPECT_EQ(stop({"-X", "emit=native", "a.py"}).err, "arch not specified\n");
    auto v = stop({"--version"});
    EXPECT_EQ(v.exit_code, 0);
    EXPECT_NE(v.out.find("mpy-cross emitting mpy v6.3"), std::string::npos);
    EXPECT_TRUE(ok({"-march=x64", "-X", "emit=native", "a.py"}).emit_native);
    EXPECT_FALSE(ok({"-march=x64", "-X", "emit=native", "-X", "emit=bytecode", "a.py"}).emit_native);
    const auto viper = ok({"-march=x64", "-X", "emit=viper", "a.py"}); // viper is native code typed
    EXPECT_TRUE(viper.emit_viper);
    EXPECT_TRUE(viper.emit_native);
    EXPECT_FALSE(ok({"-march=x64", "-X", "emit=viper", "-X", "emit=native", "a.py"}).emit_viper);
    EXPECT_EQ(stop({"-X", "emit=viper", "a.py"}).err, "arch not specified\n");
    EXPECT_EQ(stop({"-march=x64", "-march-flags=zba", "a.py"}).err, "unrecognised arch flags\n");
}

// The ports pass -march for every frozen module; bytecode does not depend on it (checked against mpy-cross
// v1.28.0), so it is accepted and only a native decorator fails (tests/integration).
TEST(MpyCrossArgs, MarchAloneIsAccepted) {
    EXPECT_EQ(ok({"-march=armv7m", "a.py"}).march, "armv7m");
}

// -march-flags as mpy-cross v1.28.0 takes them (each row probed): names or a C-style number (0b too),
// only for rv32imc, only the zba (1) and zcmp (2) bits; ignored without -march.
TEST(MpyCrossArgs, MarchFlagsAsMpyCrossReadsThem) {
    const std::pair<const char*, std::uint32_t> accepted[] = {
        {"zba", 1},  {"zcmp", 2}, {"zba,zcmp", 3}, {"zcmp,zba", 3}, {"zba,zba", 1}, {"zba,", 1}, {"0", 0},
        {"1", 1},    {"3", 3},    {"0x3", 3},      {"0X3", 3},      {"0b11", 3},    {"0B1", 1}, {"01", 1},
        {"00", 0},   {"+1", 1},   {"-0", 0},       {"0x00000001", 1}};
    for (const auto& [flags, value] : accepted)
        EXPECT_EQ(ok({"-march=rv32imc", std::string("-march-flags=") + flags, "a.py"}).arch_flags, value) << flags;
    const char* refused[] = {"", "foo", "ZBA", " zba", ",zba", "zba,,zcmp", "zba,1", "zba,foo", "4", "7", "-1",
                             "0x", "0b", "1a", "010", "0b100", "0x4", "99999999999999999999"};
    for (const char* flags : refused)
        EXPECT_EQ(stop({"-march=rv32imc", std::string("-march-flags=") + flags, "a.py"}).err,
                  "unrecognised arch flags\n")
            << flags;
    for (const char* arch : {"-march=x64", "-march=xtensa", "-march=rv64imc", "-march=host", "-march=debug"})
        EXPECT_EQ(stop({arch, "-march-flags=0", "a.py"}).err, "unrecognised arch flags\n") << arch;
    EXPECT_EQ(stop({"-march=x64", "-march-flags=zba"}).err, "unrecognised arch flags\n"); // before "no input file"
    EXPECT_EQ(ok({"-march-flags=foo", "a.py"}).arch_flags, 0u);
    EXPECT_EQ(ok({"-march=rv32imc", "-march-flags=zba", "-march-flags=zcmp", "a.py"}).arch_flags, 2u);
}

TEST(MpyCrossArgs, TargetOptionOnlyWhereAllowed) {
    EXPECT_EQ(ok({"--target", "circuitpython", "a.py"}, true).target, Target::circuitpython);
    EXPECT_EQ(ok({"--target=micropython", "a.py"}, true).target, Target::micropython);
    EXPECT_EQ(stop({"--target=cpython", "a.py"}, true).err,
              "unknown target 'cpython': expected micropython or circuitpython\n");
    EXPECT_EQ(stop({"--target", "circuitpython", "a.py"}).exit_code, 1); // mpy-cross itself has no --target
}

TEST(MpyCrossArgs, DefaultOutputNameDropsTwoCharacters) {
    EXPECT_EQ(default_output_name("dir/mod.py"), "dir/mod.mpy");
    EXPECT_EQ(default_output_name("noext"), "noempy");
}

TEST(ErrorText, MatchesMpyCrossForBothTargets) {
    compiler::CompileError e{"SyntaxError", "can't delete expression", {12, 5}, "<module>", true};
    EXPECT_EQ(compiler::mpy_cross_error_text(e, "g10_1.py", Target::micropython),
              "Traceback (most recent call last):\n  File \"g10_1.py\", line 12, in <module>\n"
              "SyntaxError: can't delete expression\n");
    EXPECT_EQ(compiler::mpy_cross_error_text(e, "g10_1.py", Target::circuitpython),
              "Traceback (most recent call last):\r\n  File \"g10_1.py\", line 12, in <module>\r\n"
              "SyntaxError: can't delete expression\n");
    compiler::CompileError parse{"IndentationError", "unexpected indent", {34, 1}, "", true};
    EXPECT_EQ(compiler::mpy_cross_error_text(parse, "g10_0.py", Target::micropython),
              "Traceback (most recent call last):\n  File \"g10_0.py\", line 34\nIndentationError: "
              "unexpected indent\n");
    compiler::CompileError bare{"NotImplementedError", "unicode name escapes", {3, 1}, "", false};
    EXPECT_EQ(compiler::mpy_cross_error_text(bare, "x.py", Target::circuitpython),
              "NotImplementedError: unicode name escapes\n");
}

} // namespace
} // namespace mpyship::cli
