// The viper emitter's RISC-V target against mpy-cross v1.28.0 for -march=rv32imc, without -march-flags
// and with -march-flags=zcmp: every case of tests/data/native/viper_x64_cases.txt (the source is the
// same for every arch) and of viper_rv32_cases.txt (rv32-only: immediates at the c.li / addi / lui
// boundaries, pointer offsets around the compressed and 12-bit forms, shifts, comparisons, long
// branches, frame sizes, s0 kept saved from one function to the next) compiled as `t.py` must give the
// golden of viper_rv32_goldens.tsv (made by make_goldens.sh): the .mpy byte for byte, or mpy-cross's last
// error line. A case whose header says "unsupported", or that a "#! not on rv32:" line of
// viper_rv32_cases.txt names, must fail with mpyship's "not implemented yet" error (the module then ships
// as source), and fails the test once it compiles, so the list stays true.
//
// MicroPython's own tests/micropython/viper_*.py: mp_viper_rv32_goldens.tsv keeps their goldens for both
// and their sources' sha256 (not their code); with MPYSHIP_MICROPYTHON_SRC set they are compiled from
// that v1.28.0 tree and each must be identical or refused as not implemented, never different.
#include "native_cases.h"
#include "mpyship/compiler/asm_rv32.h"

#include <gtest/gtest.h>

namespace mpyship::compiler {
namespace {

using namespace native_cases;

std::vector<Case> read_viper_rv32_cases() {
    std::vector<Case> cases;
    read_cases_from("viper_x64_cases.txt", cases);
    read_cases_from("viper_rv32_cases.txt", cases);
    mark_not_on("viper_rv32_cases.txt", "rv32", cases);
    return cases;
}

struct Variant {
    std::uint32_t flags;
    const char* name; // the goldens' arch column
};
constexpr Variant k_variants[] = {{0, "rv32imc"}, {inline_asm::k_rv32_flag_zcmp, "rv32imc:zcmp"}};

class ViperRv32 : public ::testing::TestWithParam<Variant> {};

TEST_P(ViperRv32, EveryCaseMatchesMpyCross) {
    const Variant v = GetParam();
    check_all(read_viper_rv32_cases(), read_goldens("viper_rv32_goldens.tsv"), mpy::NativeArch::rv32imc, v.name,
              std::size(k_variants), v.flags);
}

INSTANTIATE_TEST_SUITE_P(Flags, ViperRv32, ::testing::ValuesIn(k_variants), [](const auto& p) {
    return std::string(p.param.flags == 0 ? "plain" : "zcmp");
});

TEST(ViperRv32MicroPython, ViperTestsAreIdenticalOrRefused) {
    std::vector<ArchColumn> columns;
    for (const Variant& v : k_variants)
        columns.push_back({v.name, mpy::NativeArch::rv32imc, v.flags});
    check_micropython_tests("mp_viper_rv32_goldens.tsv", "micropython", columns, "viper rv32");
}

TEST(ViperRv32Output, ReadsBackAsViperCodeForTheArch) {
    expect_reads_back_as_viper_code(mpy::NativeArch::rv32imc);
}

} // namespace
} // namespace mpyship::compiler
