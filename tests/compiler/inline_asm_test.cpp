// The inline assemblers against mpy-cross v1.28.0: every case of tests/data/native/ISA_cases.txt (our
// own: each instruction form, operand errors, signatures, labels, branch ranges, directives, error
// order) compiled as `t.py` must give the golden .mpy byte for byte, or the golden error text
// (ISA_goldens.tsv, made by make_goldens.sh with the official mpy-cross). Thumb is checked for armv6,
// armv6m, armv7m, armv7em, armv7emsp, armv7emdp and x64, RV32 for rv32imc, Xtensa for xtensa and
// xtensawin. Prints identical/total per architecture.
//
// With MPYSHIP_MICROPYTHON_SRC set, also MicroPython's own tests/inlineasm/{thumb,rv32,xtensa}/*.py from
// that tree against mp_inlineasm_goldens.tsv (rows name, arch, sha256 of the source, kind, golden).
#include "../support/test_support.h"
#include "mpyship/compiler/compiler.h"
#include "mpyship/compiler/error_text.h"
#include "mpyship/mpy/disassembler.h"
#include "mpyship/mpy/reader.h"
#include "mpyship/mpy/writer.h"
#include "mpyship/util/sha256.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>

namespace mpyship::compiler {
namespace {

namespace fs = std::filesystem;

fs::path native_dir() {
    return test::data_dir() / "native";
}

std::string read_text(const fs::path& p) {
    const auto bytes = test::read_bytes(p);
    return {bytes.begin(), bytes.end()};
}

// "### name" lines start a case; the lines up to the next marker are its source.
std::map<std::string, std::string> read_cases(const fs::path& file) {
    std::map<std::string, std::string> cases;
    std::istringstream in(read_text(file));
    std::string line;
    std::string* current = nullptr;
    while (std::getline(in, line)) {
        if (line.starts_with("### "))
            current = &cases[line.substr(4)];
        else if (current)
            *current += line + "\n";
    }
    return cases;
}

struct Golden {
    std::string name;
    std::string arch;
    std::string source_sha256; // mp_inlineasm_goldens.tsv only
    bool is_mpy = false;
    std::string payload; // hex of the .mpy, or the error text with \n unescaped
};

std::string unescape_newlines(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == 'n') {
            out += '\n';
            ++i;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::vector<Golden> read_goldens(const fs::path& file, bool with_sha) {
    std::vector<Golden> rows;
    std::istringstream in(read_text(file));
    std::string line;
    while (std::getline(in, line)) {
        const std::vector<std::string> f = test::tab_fields(line);
        if (f.size() != (with_sha ? 5u : 4u))
            continue;
        Golden g;
        std::size_t i = 0;
        g.name = f[i++];
        g.arch = f[i++];
        if (with_sha)
            g.source_sha256 = f[i++];
        g.is_mpy = f[i++] == "mpy";
        g.payload = g.is_mpy ? f[i] : unescape_newlines(f[i]);
        rows.push_back(std::move(g));
    }
    return rows;
}

std::string hex(const mpy::Bytes& bytes) {
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string s;
    for (auto b : bytes) {
        s += k_digits[b >> 4];
        s += k_digits[b & 15];
    }
    return s;
}


// Compiles `source` as t.py for `arch`: "mpy:HEX" or "err:TEXT" as mpy-cross would print it.
std::string compile_as_mpy_cross(const std::string& source, const std::string& arch, const std::string& file) {
    Options o;
    o.arch = mpy::native_arch_from_name(arch).value_or(mpy::NativeArch::none);
    o.march_given = true;
    o.source_name = file;
    auto m = compile_module(source, o);
    if (!m)
        return "err:" + mpy_cross_error_text(m.error(), file, Target::micropython);
    return "mpy:" + hex(mpy::write_module(*m));
}

std::string explain(const std::string& got, const Golden& g) {
    std::string want = (g.is_mpy ? "mpy:" : "err:") + g.payload;
    return "  golden: " + want.substr(0, 400) + "\n  ours:   " + got.substr(0, 400);
}

struct Tally {
    std::map<std::string, std::pair<int, int>> per_arch; // identical, total
    int failures = 0;
    void print(const std::string& what) const {
        for (const auto& [arch, n] : per_arch)
            std::cout << "[ " << what << " ] " << arch << ": " << n.first << "/" << n.second << " identical\n";
    }
};

// Every case of ISA_cases.txt against ISA_goldens.tsv, `n_archs` rows per case.
void check_cases(const std::string& isa, std::size_t min_cases, std::size_t n_archs) {
    const auto cases = read_cases(native_dir() / (isa + "_cases.txt"));
    const auto goldens = read_goldens(native_dir() / (isa + "_goldens.tsv"), false);
    ASSERT_GT(cases.size(), min_cases);
    ASSERT_EQ(goldens.size(), cases.size() * n_archs) << isa << "_goldens.tsv is out of date: run make_goldens.sh";
    Tally tally;
    for (const Golden& g : goldens) {
        auto it = cases.find(g.name);
        ASSERT_NE(it, cases.end()) << g.name;
        const std::string got = compile_as_mpy_cross(it->second, g.arch, "t.py");
        const bool same = got == (g.is_mpy ? "mpy:" : "err:") + g.payload;
        auto& n = tally.per_arch[g.arch];
        n.first += same;
        ++n.second;
        if (!same && ++tally.failures <= 10)
            ADD_FAILURE() << g.name << " -march=" << g.arch << "\n" << it->second << explain(got, g);
    }
    tally.print((isa + "     ").substr(0, 9));
    EXPECT_EQ(tally.failures, 0);
}

TEST(InlineAsmThumb, EveryCaseMatchesMpyCross) {
    check_cases("thumb", 200, 7);
}

TEST(InlineAsmRv32, EveryCaseMatchesMpyCross) {
    check_cases("rv32", 600, 1);
}

TEST(InlineAsmXtensa, EveryCaseMatchesMpyCross) {
    check_cases("xtensa", 400, 2);
}

// -march-flags=zba (bit 1) adds Zba's sh1add..sh3add to rv32imc, and any flags go into the header (feature
// bit 0x40 and a varuint after the small-int byte), bytecode-only files included. Goldens from mpy-cross
// v1.28.0 (-march=rv32imc -march-flags=zba / zcmp / zba,zcmp).
TEST(InlineAsmRv32, ZbaOnlyWithMarchFlags) {
    const std::string source = "@micropython.asm_rv32\ndef f(a0, a1):\n    sh1add(a0, a0, a1)\n"
                               "    sh2add(a2, a3, a4)\n    sh3add(t0, s1, a5)\n";
    const auto compile = [](const std::string& src, std::uint32_t flags) {
        Options o;
        o.arch = mpy::NativeArch::rv32imc;
        o.march_given = true;
        o.arch_flags = flags;
        o.source_name = "t.py";
        auto m = compile_module(src, o);
        return m ? "mpy:" + hex(mpy::write_module(*m)) : "err:" + mpy_cross_error_text(m.error(), "t.py", Target::micropython);
    };
    EXPECT_EQ(compile(source, 1), "mpy:4d066f1f01030008742e7079000f0266004c00020132001602516301733325b52033c6e620b3e2f4208280000202");
    const std::string invalid = "err:Traceback (most recent call last):\n  File \"t.py\", line 3, in f\n"
                                "SyntaxError: invalid RV32 instruction 'sh1add'\n";
    EXPECT_EQ(compile(source, 0), invalid);
    EXPECT_EQ(compile(source, 2), invalid); // zcmp alone
    EXPECT_EQ(compile("x = 1\n", 3), "mpy:4d06401f03030008742e7079000f027800400002018116025163");
}

// The output reads back and disassembles, with the native code shown (inspect's view of it).
TEST(InlineAsmThumb, OutputReadsBackWithItsNativeCode) {
    const auto cases = read_cases(native_dir() / "thumb_cases.txt");
    Options o;
    o.arch = mpy::NativeArch::armv7m;
    o.march_given = true;
    o.source_name = "t.py";
    auto m = compile_module(cases.at("subroutine"), o);
    ASSERT_TRUE(m.has_value());
    const mpy::Bytes bytes = mpy::write_module(*m);
    auto back = mpy::read_module(bytes);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->header.arch, mpy::NativeArch::armv7m);
    EXPECT_EQ(back->header.sub_version, 3);
    ASSERT_EQ(back->root.children.size(), 1u);
    EXPECT_EQ(back->root.children[0].kind, mpy::CodeKind::native_asm);
    EXPECT_EQ(back->root.children[0].native.asm_n_pos_args, 1u);
    const std::string text = mpy::disassemble(*back);
    EXPECT_NE(text.find("asm code, 16 bytes, scope flags 0x00, 1 args, type sig 0x02"), std::string::npos) << text;
    EXPECT_NE(text.find("0000 f2b5 00b5 00f0 01f8 00bd 4043 7047 f2bd"), std::string::npos) << text;
}

TEST(InlineAsmThumb, MicroPythonInlineAsmTests) {
    const char* src = std::getenv("MPYSHIP_MICROPYTHON_SRC");
    if (!src || !*src)
        GTEST_SKIP() << "MPYSHIP_MICROPYTHON_SRC is not set: MicroPython's tests/inlineasm are checked "
                        "against tests/data/native/mp_inlineasm_goldens.tsv only with its source tree";
    const auto goldens = read_goldens(native_dir() / "mp_inlineasm_goldens.tsv", true);
    ASSERT_FALSE(goldens.empty());
    Tally tally;
    for (const Golden& g : goldens) {
        const fs::path file = fs::path(src) / "tests/inlineasm" / g.name;
        ASSERT_TRUE(fs::exists(file)) << file;
        const std::string source = read_text(file);
        ASSERT_EQ(sha256_hex(std::span(reinterpret_cast<const std::uint8_t*>(source.data()), source.size())), g.source_sha256)
            << file << " is not the v1.28.0 file the goldens were made from";
        const std::string got = compile_as_mpy_cross(source, g.arch, file.filename().string());
        const bool same = got == (g.is_mpy ? "mpy:" : "err:") + g.payload;
        auto& n = tally.per_arch[g.arch];
        n.first += same;
        ++n.second;
        if (!same && ++tally.failures <= 10)
            ADD_FAILURE() << g.name << " -march=" << g.arch << "\n" << explain(got, g);
    }
    tally.print("mp tests ");
    EXPECT_EQ(tally.failures, 0);
}

} // namespace
} // namespace mpyship::compiler
