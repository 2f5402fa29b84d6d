// The viper emitter's Xtensa targets against mpy-cross v1.28.0 for -march=xtensawin (windowed ABI) and
// -march=xtensa (call0 ABI): every case of tests/data/native/viper_x64_cases.txt (the source is the same
// for every arch) and of viper_xtensa_cases.txt (Xtensa-only: immediates at the movi.n / movi / l32r
// boundaries, pointer offsets around l32i.n's and the 8-bit scaled forms' reach, shifts through SAR,
// comparisons, long branches, frame sizes, the globals guard) compiled as `t.py` must give the golden of
// viper_xtensa_goldens.tsv (made by make_goldens.sh): the .mpy byte for byte, or mpy-cross's last error
// line. A case whose header says "unsupported", or that the "#! not on xtensawin:" line of
// viper_xtensa_cases.txt names (far stores: mpy-cross builds their address in a6, xtensawin's qstr
// table), must fail with mpyship's "not implemented yet" error (the module then ships as source), and
// fails the test once it compiles, so the list stays true.
//
// MicroPython's own tests/micropython/viper_*.py: mp_viper_xtensa_goldens.tsv keeps their goldens for
// both and their sources' sha256 (not their code); with MPYSHIP_MICROPYTHON_SRC set they are compiled
// from that v1.28.0 tree and each must be identical or refused as not implemented, never different.
#include "native_cases.h"

#include <gtest/gtest.h>

namespace mpyship::compiler {
namespace {

using namespace native_cases;

std::vector<Case> read_viper_xtensa_cases(const std::string& arch_name) {
    std::vector<Case> cases;
    read_cases_from("viper_x64_cases.txt", cases);
    read_cases_from("viper_xtensa_cases.txt", cases);
    mark_not_on("viper_xtensa_cases.txt", arch_name, cases);
    return cases;
}

struct ArchName {
    mpy::NativeArch arch;
    const char* name; // the goldens' arch column
};
constexpr ArchName k_archs[] = {{mpy::NativeArch::xtensa, "xtensa"},
                                {mpy::NativeArch::xtensawin, "xtensawin"}};

class ViperXtensa : public ::testing::TestWithParam<ArchName> {};

TEST_P(ViperXtensa, EveryCaseMatchesMpyCross) {
    check_all(read_viper_xtensa_cases(GetParam().name), read_goldens("viper_xtensa_goldens.tsv"),
              GetParam().arch, GetParam().name, std::size(k_archs));
}

TEST_P(ViperXtensa, ReadsBackAsViperCodeForTheArch) {
    expect_reads_back_as_viper_code(GetParam().arch);
}

INSTANTIATE_TEST_SUITE_P(Archs, ViperXtensa, ::testing::ValuesIn(k_archs),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(ViperXtensaMicroPython, ViperTestsAreIdenticalOrRefused) {
    std::vector<ArchColumn> columns;
    for (const ArchName& a : k_archs)
        columns.push_back({a.name, a.arch, 0});
    check_micropython_tests("mp_viper_xtensa_goldens.tsv", "micropython", columns, "viper xtensa");
}

} // namespace
} // namespace mpyship::compiler
