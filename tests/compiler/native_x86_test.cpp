// The native emitter's i386 target against mpy-cross v1.28.0 -march=x86: every case of
// tests/data/native/native_x64_cases.txt (the source is the same for every arch) and of
// native_x86_cases.txt (x86-only: 32-bit immediates, displacements beyond 8 bits, far jumps, label
// addresses in a large frame) compiled as `t.py` must give the golden .mpy of native_x86_goldens.tsv
// (made by make_goldens.sh) byte for byte; "unsupported" cases must fail with mpyship's "not
// implemented yet" error (see native_cases.h).
#include "native_cases.h"

#include <gtest/gtest.h>

namespace mpyship::compiler {
namespace {

using namespace native_cases;

TEST(NativeX86, EveryCaseMatchesMpyCross) {
    check_all(read_cases("native_x86_cases.txt", "x86"), read_goldens("native_x86_goldens.tsv"),
              mpy::NativeArch::x86, "x86", 1);
}

TEST(NativeX86, ReadsBackAsNativeCodeForTheArch) {
    expect_reads_back_as_native_code(mpy::NativeArch::x86);
}

} // namespace
} // namespace mpyship::compiler
