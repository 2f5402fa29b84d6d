// The viper emitter's ARM Thumb target against mpy-cross v1.28.0 for -march=armv6m, armv7m, armv7em,
// armv7emsp and armv7emdp: every case of tests/data/native/viper_x64_cases.txt (the source is the same for
// every arch) and of viper_thumb_cases.txt (Thumb-only: immediates, pointer offsets, constant shifts,
// comparisons, long branches, large frames) compiled as `t.py` must give the golden of
// viper_thumb_goldens.tsv (made by make_goldens.sh): the .mpy byte for byte, or mpy-cross's last error
// line. A case whose header says "unsupported", or that a "#! not on thumb:" line of viper_thumb_cases.txt
// names, must fail with mpyship's "not implemented yet" error on every arch (the module then ships as
// source), and fails the test once it compiles, so the list stays true.
//
// MicroPython's own tests/micropython/viper_*.py: mp_viper_thumb_goldens.tsv keeps their goldens for each
// Thumb arch and their sources' sha256 (not their code); with MPYSHIP_MICROPYTHON_SRC set they are
// compiled from that v1.28.0 tree and each must be identical or refused as not implemented, never
// different.
#include "native_cases.h"

#include <gtest/gtest.h>

namespace mpyship::compiler {
namespace {

using namespace native_cases;

std::vector<Case> read_viper_thumb_cases() {
    std::vector<Case> cases;
    read_cases_from("viper_x64_cases.txt", cases);
    read_cases_from("viper_thumb_cases.txt", cases);
    mark_not_on("viper_thumb_cases.txt", "thumb", cases);
    return cases;
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

class ViperThumb : public ::testing::TestWithParam<ArchName> {};

TEST_P(ViperThumb, EveryCaseMatchesMpyCross) {
    const ArchName arch = GetParam();
    check_all(read_viper_thumb_cases(), read_goldens("viper_thumb_goldens.tsv"), arch.arch, arch.name,
              std::size(k_archs));
}

INSTANTIATE_TEST_SUITE_P(Archs, ViperThumb, ::testing::ValuesIn(k_archs),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(ViperThumbMicroPython, ViperTestsAreIdenticalOrRefused) {
    std::vector<ArchColumn> columns;
    for (const ArchName& a : k_archs)
        columns.push_back({a.name, a.arch});
    check_micropython_tests("mp_viper_thumb_goldens.tsv", "micropython", columns, "viper thumb");
}

TEST(ViperThumbOutput, ReadsBackAsViperCodeForTheArch) {
    expect_reads_back_as_viper_code(mpy::NativeArch::armv7em);
}

} // namespace
} // namespace mpyship::compiler
