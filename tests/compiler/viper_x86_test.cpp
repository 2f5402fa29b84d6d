// The viper emitter's i386 target against mpy-cross v1.28.0 -march=x86: every case of
// tests/data/native/viper_x64_cases.txt (the source is the same for every arch) and of viper_x86_cases.txt
// (x86-only: frames at each alignment step with and without the globals guard, state slots and pointer
// offsets beyond 8-bit displacements, stores through each base register, shifts and comparisons signed
// and unsigned, runtime helpers with their stack arguments) compiled as `t.py` must give the golden of
// viper_x86_goldens.tsv (made by make_goldens.sh): the .mpy byte for byte, or mpy-cross's last error
// line. A case whose header says "unsupported", or that a "#! not on x86:" line of viper_x86_cases.txt
// names, must fail with mpyship's "not implemented yet" error, and fails the test once it compiles.
//
// MicroPython's own tests/micropython/viper_*.py: mp_viper_x86_goldens.tsv keeps their goldens and their
// sources' sha256 (not their code); with MPYSHIP_MICROPYTHON_SRC set they are compiled from that v1.28.0
// tree and each must be identical or refused as not implemented, never different.
#include "native_cases.h"

#include <gtest/gtest.h>

namespace mpyship::compiler {
namespace {

using namespace native_cases;

std::vector<Case> read_viper_x86_cases() {
    std::vector<Case> cases;
    read_cases_from("viper_x64_cases.txt", cases);
    read_cases_from("viper_x86_cases.txt", cases);
    mark_not_on("viper_x86_cases.txt", "x86", cases);
    return cases;
}

TEST(ViperX86, EveryCaseMatchesMpyCross) {
    check_all(read_viper_x86_cases(), read_goldens("viper_x86_goldens.tsv"), mpy::NativeArch::x86, "x86", 1);
}

TEST(ViperX86MicroPython, ViperTestsAreIdenticalOrRefused) {
    check_micropython_tests("mp_viper_x86_goldens.tsv", "micropython", {{"x86", mpy::NativeArch::x86, 0}},
                            "viper x86");
}

TEST(ViperX86Output, ReadsBackAsViperCodeForTheArch) {
    expect_reads_back_as_viper_code(mpy::NativeArch::x86);
}

} // namespace
} // namespace mpyship::compiler
