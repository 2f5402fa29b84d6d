// The native emitter's ARM Thumb target against mpy-cross v1.28.0 for -march=armv6m, armv7m, armv7em,
// armv7emsp and armv7emdp: every case of tests/data/native/native_x64_cases.txt (the source is the same
// for every arch) and of native_thumb_cases.txt (Thumb-only: immediates, literal alignment, long jumps,
// far table entries) compiled as `t.py` must give the golden .mpy of native_thumb_goldens.tsv (made by
// make_goldens.sh) byte for byte. A case whose header says "unsupported" must fail with mpyship's "not
// implemented yet" error for every arch (and fails the test once it compiles, so the list stays true).
#include "native_cases.h"

#include <gtest/gtest.h>

namespace mpyship::compiler {
namespace {

using namespace native_cases;

std::vector<Case> read_thumb_cases() {
    return read_cases("native_thumb_cases.txt", "thumb");
}

struct ArchName {
    mpy::NativeArch arch;
    const char* name;
};
constexpr ArchName k_archs[] = {{mpy::NativeArch::armv6m, "armv6m"},
                                {mpy::NativeArch::armv7m, "armv7m"},
                                {mpy::NativeArch::armv7em, "armv7em"},
                                {mpy::NativeArch::armv7emsp, "armv7emsp"},
                                {mpy::NativeArch::armv7emdp, "armv7emdp"}};

class NativeThumb : public ::testing::TestWithParam<ArchName> {};

TEST_P(NativeThumb, EveryCaseMatchesMpyCross) {
    const ArchName arch = GetParam();
    check_all(read_thumb_cases(), read_goldens("native_thumb_goldens.tsv"), arch.arch, arch.name, std::size(k_archs));
}

INSTANTIATE_TEST_SUITE_P(Archs, NativeThumb, ::testing::ValuesIn(k_archs),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(NativeThumbOutput, ReadsBackAsNativeCodeForTheArch) {
    expect_reads_back_as_native_code(mpy::NativeArch::armv6m);
}

// `mpyship build` with [build] arch = "armv6m" follows the x64 rule: a module whose native functions all
// compile becomes .mpy with Thumb code; one with a construct listed as unsupported ships as source.
TEST(NativeThumbBuild, CoveredModuleIsCompiledAndTheOtherShipsAsSource) {
    const auto cases = read_thumb_cases();
    const auto slow = std::find_if(cases.begin(), cases.end(), [](const Case& c) { return c.unsupported; });
    ASSERT_NE(slow, cases.end());
    test::TempDir dir;
    const std::filesystem::path root = dir.path();
    test::write_text_file(root / "mpyship.toml",
                          "[project]\nversion = \"1.0\"\ntarget = \"micropython\"\n\n[build]\narch = \"armv6m\"\n");
    test::write_text_file(root / "src" / "main.py", "import fast\n");
    test::write_text_file(root / "src" / "fast.py",
                          "import micropython\n\n@micropython.native\ndef f(x):\n    return x + 1000\n");
    test::write_text_file(root / "src" / "slow.py", "import micropython\n" + slow->source);

    auto r = test::run_mpyship({"build", root.string()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("build: 1 compiled"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("src/slow.py: kept as source"), std::string::npos) << slow->name << "\n" << r.out;
    auto m = mpy::read_module(test::read_bytes(root / "build" / "mpy" / "fast.mpy"));
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->header.arch, mpy::NativeArch::armv6m);
    ASSERT_EQ(m->root.children.size(), 1u);
    EXPECT_EQ(m->root.children[0].kind, mpy::CodeKind::native_py);
    EXPECT_TRUE(std::filesystem::exists(root / "build" / "mpy" / "slow.py"));
}

} // namespace
} // namespace mpyship::compiler
