// Viper pointer code for rv32imc with -march-flags=zba (the rp2 port's RISC-V build passes zba,zcmp, the
// qemu VIRT_RV32 board zba): mpy-cross v1.28.0 adds a scaled index with one sh1add/sh2add. Each case of
// tests/data/native/viper_rv32_zba_cases.txt must give its golden of viper_rv32_zba_goldens.tsv (made by
// make_goldens.sh) byte for byte, with zba alone and with zba,zcmp.
#include "native_cases.h"

#include "mpyship/compiler/asm_rv32.h"

#include <gtest/gtest.h>

namespace mpyship::compiler {
namespace {

using namespace native_cases;

TEST(ViperRv32Zba, EveryCaseMatchesMpyCross) {
    std::vector<Case> cases;
    read_cases_from("viper_rv32_zba_cases.txt", cases);
    ASSERT_GE(cases.size(), 8u);
    const auto goldens = read_goldens("viper_rv32_zba_goldens.tsv");
    ASSERT_EQ(goldens.size(), cases.size() * 2) << "the goldens are out of date: run make_goldens.sh";
    const std::pair<const char*, std::uint32_t> columns[] = {
        {"rv32imc:zba", inline_asm::k_rv32_flag_zba},
        {"rv32imc:zba,zcmp", inline_asm::k_rv32_flag_zba | inline_asm::k_rv32_flag_zcmp}};
    for (const auto& [column, flags] : columns)
        EXPECT_EQ(check_cases(cases, goldens, column,
                              [&](const std::string& source) {
                                  return compile_for(source, mpy::NativeArch::rv32imc, flags);
                              }),
                  int(cases.size()));
}

} // namespace
} // namespace mpyship::compiler
