// The native emitter's RISC-V target against mpy-cross v1.28.0 -march=rv32imc: every case of
// tests/data/native/native_x64_cases.txt (the source is the same for every arch) and of
// native_rv32_cases.txt (rv32-only: immediates, branch and jump ranges, offsets beyond 12 bits, s0 kept
// saved from one function to the next) compiled as `t.py` must give the golden .mpy of
// native_rv32_goldens.tsv (made by make_goldens.sh) byte for byte, without -march-flags and with
// -march-flags=zcmp; "unsupported" cases must fail with mpyship's "not implemented yet" error (see
// native_cases.h).
#include "native_cases.h"

#include "mpyship/compiler/asm_rv32.h"

#include <gtest/gtest.h>

namespace mpyship::compiler {
namespace {

using namespace native_cases;

TEST(NativeRv32, EveryCaseMatchesMpyCross) {
    check_all(read_cases("native_rv32_cases.txt", "rv32"), read_goldens("native_rv32_goldens.tsv"),
              mpy::NativeArch::rv32imc, "rv32imc", 2);
}

// Zcmp: the registers are saved with cm.push {ra, s0-s4} (taking up to 80 bytes of the frame) and
// restored with cm.popret, the frame proper starts at sp.
TEST(NativeRv32, EveryCaseMatchesMpyCrossWithZcmp) {
    check_all(read_cases("native_rv32_cases.txt", "rv32"), read_goldens("native_rv32_goldens.tsv"),
              mpy::NativeArch::rv32imc, "rv32imc:zcmp", 2, inline_asm::k_rv32_flag_zcmp);
}

// Zba changes no native code: only the header differs.
TEST(NativeRv32, ZbaWritesTheSameCode) {
    const std::string source = "@micropython.native\ndef f(a):\n    return a + 1\n";
    auto plain = compile_for(source, mpy::NativeArch::rv32imc);
    auto zba = compile_for(source, mpy::NativeArch::rv32imc, inline_asm::k_rv32_flag_zba);
    ASSERT_TRUE(plain.has_value() && zba.has_value());
    EXPECT_EQ(zba->root.children[0].native.code, plain->root.children[0].native.code);
    EXPECT_TRUE(zba->header.has_arch_flags);
    EXPECT_FALSE(plain->header.has_arch_flags);
}

TEST(NativeRv32, ReadsBackAsNativeCodeForTheArch) {
    expect_reads_back_as_native_code(mpy::NativeArch::rv32imc);
}

} // namespace
} // namespace mpyship::compiler
