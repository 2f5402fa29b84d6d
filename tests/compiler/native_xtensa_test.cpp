// The native emitter's Xtensa targets against mpy-cross v1.28.0 -march=xtensawin (windowed ABI) and
// -march=xtensa (call0 ABI): every case of tests/data/native/native_x64_cases.txt (the source is the same
// for every arch) and of native_xtensa_cases.txt (Xtensa-only: immediates and the literal pool, label
// addresses through call0, long branches, frame and table offsets beyond the short forms) compiled as
// `t.py` must give the golden .mpy of native_xtensa_goldens.tsv (made by make_goldens.sh) byte for byte;
// "unsupported" cases must fail with mpyship's "not implemented yet" error (see native_cases.h).
#include "native_cases.h"

#include <gtest/gtest.h>

namespace mpyship::compiler {
namespace {

using namespace native_cases;

struct ArchName {
    mpy::NativeArch arch;
    const char* name;
};
constexpr ArchName k_archs[] = {{mpy::NativeArch::xtensawin, "xtensawin"}, {mpy::NativeArch::xtensa, "xtensa"}};

class NativeXtensa : public ::testing::TestWithParam<ArchName> {};

TEST_P(NativeXtensa, EveryCaseMatchesMpyCross) {
    check_all(read_cases("native_xtensa_cases.txt", "xtensa"), read_goldens("native_xtensa_goldens.tsv"),
              GetParam().arch, GetParam().name, std::size(k_archs));
}

TEST_P(NativeXtensa, ReadsBackAsNativeCodeForTheArch) {
    expect_reads_back_as_native_code(GetParam().arch);
}

INSTANTIATE_TEST_SUITE_P(Archs, NativeXtensa, ::testing::ValuesIn(k_archs),
                         [](const auto& p) { return std::string(p.param.name); });

} // namespace
} // namespace mpyship::compiler
