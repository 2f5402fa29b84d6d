// `mpyship build` with [build] arch = "x64", "rv32imc" or "xtensawin": a module whose @micropython.native
// functions the native emitter covers is compiled to .mpy (native code for the arch in it); a module with a
// native function it does not cover yet (a bare `raise`) is shipped as source with a note, as before the
// emitter existed. The same for @micropython.viper on armv6m, rv32imc, x86 and xtensawin.
#include "../support/test_support.h"
#include "mpyship/mpy/reader.h"

#include <gtest/gtest.h>

namespace mpyship {
namespace {

namespace fs = std::filesystem;

struct ArchCase {
    const char* name;
    mpy::NativeArch arch;
};

// Builds a project of `fast` (covered) and `slow` (refused) for the arch: fast becomes .mpy with code of
// `kind` for the arch, slow ships as source with a note.
void check_build(const ArchCase& arch, const std::string& fast, const std::string& slow, mpy::CodeKind kind) {
    test::TempDir dir;
    const fs::path root = dir.path();
    test::write_text_file(root / "mpyship.toml", "[project]\nversion = \"1.0\"\ntarget = \"micropython\"\n\n[build]\narch = \"" +
                                                     std::string(arch.name) + "\"\n");
    test::write_text_file(root / "src" / "main.py", "import fast\n");
    test::write_text_file(root / "src" / "fast.py", fast);
    test::write_text_file(root / "src" / "slow.py", slow);

    auto r = test::run_mpyship({"build", root.string()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("build: 1 compiled"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("src/slow.py: kept as source"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("src/fast.py: kept as source"), std::string::npos) << r.out;

    const fs::path out = root / "build" / "mpy";
    ASSERT_TRUE(fs::exists(out / "fast.mpy"));
    EXPECT_FALSE(fs::exists(out / "fast.py"));
    auto m = mpy::read_module(test::read_bytes(out / "fast.mpy"));
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->header.arch, arch.arch);
    ASSERT_EQ(m->root.children.size(), 1u);
    EXPECT_EQ(m->root.children[0].kind, kind);

    EXPECT_FALSE(fs::exists(out / "slow.mpy"));
    const auto shipped = test::read_bytes(out / "slow.py");
    EXPECT_EQ(std::string(shipped.begin(), shipped.end()), slow);
}

class NativeBuild : public ::testing::TestWithParam<ArchCase> {};

TEST_P(NativeBuild, CoveredModuleIsCompiledAndTheOtherShipsAsSource) {
    check_build(GetParam(), "import micropython\n\n@micropython.native\ndef f(x):\n    return x + 1\n",
                "import micropython\n\n@micropython.native\ndef f(x):\n    try:\n        x()\n    except:\n        raise\n",
                mpy::CodeKind::native_py);
}

class ViperBuild : public ::testing::TestWithParam<ArchCase> {};

// Viper alike: a cast with two arguments (mpy-cross fails an assertion on it) is refused on every arch, so
// its module ships as source.
TEST_P(ViperBuild, CoveredModuleIsCompiledAndTheOtherShipsAsSource) {
    check_build(GetParam(), "import micropython\n\n@micropython.viper\ndef f(x: int) -> int:\n    return x + 1000\n",
                "import micropython\n\n@micropython.viper\ndef f(x):\n    return int(x, 2)\n",
                mpy::CodeKind::native_viper);
}

INSTANTIATE_TEST_SUITE_P(Archs, ViperBuild,
                         ::testing::Values(ArchCase{"armv6m", mpy::NativeArch::armv6m},
                                           ArchCase{"rv32imc", mpy::NativeArch::rv32imc},
                                           ArchCase{"x86", mpy::NativeArch::x86},
                                           ArchCase{"xtensawin", mpy::NativeArch::xtensawin}),
                         [](const auto& p) { return std::string(p.param.name); });

INSTANTIATE_TEST_SUITE_P(Archs, NativeBuild,
                         ::testing::Values(ArchCase{"x64", mpy::NativeArch::x64},
                                           ArchCase{"rv32imc", mpy::NativeArch::rv32imc},
                                           ArchCase{"xtensawin", mpy::NativeArch::xtensawin}),
                         [](const auto& p) { return std::string(p.param.name); });

} // namespace
} // namespace mpyship
