// -X emit=native (Options::emit_native): every scope is native code, the module's own included, unless
// @micropython.bytecode says otherwise. Each case of tests/data/native/emit_native_cases.txt compiled as
// `t.py` for each architecture of emit_native_goldens.tsv (made by make_goldens.sh with the official
// mpy-cross v1.28.0 -X emit=native) must give the golden .mpy byte for byte.
#include "native_cases.h"

#include <gtest/gtest.h>

namespace mpyship::compiler {
namespace {

using namespace native_cases;

struct EmitArch {
    const char* name;
    mpy::NativeArch arch;
};

constexpr EmitArch k_archs[] = {
    {"x64", mpy::NativeArch::x64},         {"x86", mpy::NativeArch::x86},
    {"armv6m", mpy::NativeArch::armv6m},   {"armv7m", mpy::NativeArch::armv7m},
    {"armv7emdp", mpy::NativeArch::armv7emdp}, {"rv32imc", mpy::NativeArch::rv32imc},
    {"xtensa", mpy::NativeArch::xtensa},   {"xtensawin", mpy::NativeArch::xtensawin},
};

std::expected<mpy::Module, CompileError> compile_emit_native(const std::string& source, mpy::NativeArch arch,
                                                             bool viper = false) {
    Options o;
    o.arch = arch;
    o.march_given = true;
    o.emit_native = true;
    o.emit_viper = viper;
    o.source_name = "t.py";
    return compile_module(source, o);
}

std::expected<mpy::Module, CompileError> compile_emit_viper(const std::string& source, mpy::NativeArch arch) {
    return compile_emit_native(source, arch, true);
}

// Every case of `cases_file` on every arch of k_archs against `goldens_file`; returns the number identical
// (bytes or the same error) over all archs.
int check_every_arch(const char* cases_file, const char* goldens_file, bool viper) {
    std::vector<Case> cases;
    read_cases_from(cases_file, cases);
    EXPECT_GT(cases.size(), 15u);
    const auto goldens = read_goldens(goldens_file);
    EXPECT_EQ(goldens.size(), cases.size() * std::size(k_archs)) << "the goldens are out of date: run make_goldens.sh";
    if (goldens.size() != cases.size() * std::size(k_archs))
        return 0;
    int identical = 0;
    for (const EmitArch& a : k_archs)
        identical += check_cases(cases, goldens, a.name, [&](const std::string& source) {
            return compile_emit_native(source, a.arch, viper);
        });
    return identical;
}

TEST(EmitNative, EveryCaseMatchesMpyCrossOnEveryArch) {
    EXPECT_EQ(check_every_arch("emit_native_cases.txt", "emit_native_goldens.tsv", false), 30 * int(std::size(k_archs)));
}

// -X emit=viper: the same with viper code, against emit_viper_goldens.tsv (errors included: type errors,
// "native yield", "conversion to object"); the coroutine that never awaits is marked unsupported.
TEST(EmitViper, EveryCaseMatchesMpyCrossOnEveryArch) {
    EXPECT_EQ(check_every_arch("emit_viper_cases.txt", "emit_viper_goldens.tsv", true), 26 * int(std::size(k_archs)));
}

// mpy-cross 1.28 fails an assertion (exit 134, no .mpy) on a module-level store of a machine value under
// emit=viper: here a clear refusal that names the store, the line and the module.
TEST(EmitViper, ModuleStoreOfAMachineValueIsRefused) {
    for (const char* source : {"x = 1\n", "import os\nfor i in range(3):\n    print(i)\n", "y = None\n"}) {
        auto m = compile_emit_viper(source, mpy::NativeArch::armv7m);
        ASSERT_FALSE(m.has_value()) << source;
        EXPECT_EQ(m.error().kind, "NotImplementedError") << source;
        EXPECT_NE(m.error().message.find("to a name of a class body or of the module"), std::string::npos)
            << m.error().message;
        EXPECT_EQ(m.error().scope_name, "<module>");
    }
    auto root = compile_emit_viper("import os\n", mpy::NativeArch::rv32imc);
    ASSERT_TRUE(root.has_value()) << root.error().message;
    EXPECT_EQ(root->root.kind, mpy::CodeKind::native_viper);
}

// The module's code is native: its raw code says so, and the header names the architecture.
TEST(EmitNative, TheModuleItselfIsNativeCode) {
    auto m = compile_emit_native("x = 1\n", mpy::NativeArch::armv7m);
    ASSERT_TRUE(m.has_value()) << m.error().message;
    EXPECT_EQ(m->root.kind, mpy::CodeKind::native_py);
    EXPECT_EQ(m->header.arch, mpy::NativeArch::armv7m);
}

// Where @micropython.native would be refused, so is the whole module: CircuitPython's native code differs
// from MicroPython's, and armv6 has no native target of ours.
TEST(EmitNative, RefusedWhereNativeCodeIsNotImplemented) {
    Options o;
    o.arch = mpy::NativeArch::x64;
    o.march_given = true;
    o.emit_native = true;
    o.target = Target::circuitpython;
    auto cp = compile_module("x = 1\n", o);
    ASSERT_FALSE(cp.has_value());
    EXPECT_TRUE(cp.error().needs_native_arch);
    EXPECT_NE(cp.error().message.find("not implemented yet"), std::string::npos);
    auto armv6 = compile_emit_native("x = 1\n", mpy::NativeArch::armv6);
    ASSERT_FALSE(armv6.has_value());
    EXPECT_NE(armv6.error().message.find("(-X emit=native)"), std::string::npos);
}

} // namespace
} // namespace mpyship::compiler
