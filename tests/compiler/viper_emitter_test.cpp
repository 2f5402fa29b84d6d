// The viper emitter (@micropython.viper) against mpy-cross v1.28.0 -march=x64. Every case of
// tests/data/native/viper_x64_cases.txt is compiled as `t.py` and compared with its golden
// (viper_x64_goldens.tsv, made by make_goldens.sh with the official mpy-cross): the .mpy byte for byte,
// or, for a case whose header says "error", mpy-cross's exception type, message and line. A case marked
// "unsupported" must fail with mpyship's "not implemented yet" error (and fails the test once it
// compiles, so the list stays true).
//
// MicroPython's own tests/micropython/viper_*.py are the acceptance set: mp_viper_goldens.tsv keeps
// their goldens and sources' sha256 (not their code). With MPYSHIP_MICROPYTHON_SRC set they are compiled
// from that tree: each must be identical or refused as not implemented, never different. The "#> EXPR"
// lines of the cases are then also run on that tree's unix port: our .mpy must print what the golden
// .mpy prints.
#include "../support/test_support.h"
#include "mpyship/compiler/compiler.h"
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

struct Case {
    std::string name;
    std::string flag; // "", "error" or "unsupported"
    std::string source;
    std::vector<std::string> runs; // expressions after "#> "
};

struct Golden {
    std::string kind; // "mpy" or "err"
    std::string data; // hex of the .mpy, or mpy-cross's stderr with newlines as \n
};

std::string read_text(const fs::path& p) {
    const auto bytes = test::read_bytes(p);
    return {bytes.begin(), bytes.end()};
}

std::vector<Case> read_cases() {
    std::vector<Case> cases;
    std::istringstream in(read_text(test::data_dir() / "native" / "viper_x64_cases.txt"));
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("### ")) {
            std::istringstream header(line.substr(4));
            Case c;
            header >> c.name >> c.flag;
            cases.push_back(std::move(c));
        } else if (!cases.empty()) {
            cases.back().source += line + "\n";
            if (line.starts_with("#> "))
                cases.back().runs.push_back(line.substr(3));
        }
    }
    return cases;
}

// file -> rows (name, arch, [sha256,] kind, data): the key is the name, the value kind and data.
std::map<std::string, Golden> read_goldens(const std::string& file, std::map<std::string, std::string>* sums) {
    std::map<std::string, Golden> goldens;
    std::istringstream in(read_text(test::data_dir() / "native" / file));
    std::string line;
    while (std::getline(in, line)) {
        const std::vector<std::string> f = test::tab_fields(line);
        if (f.size() == 4)
            goldens[f[0]] = {f[2], f[3]};
        if (f.size() == 5 && sums) {
            goldens[f[0]] = {f[3], f[4]};
            (*sums)[f[0]] = f[2];
        }
    }
    return goldens;
}

mpy::Bytes from_hex(const std::string& hex) {
    mpy::Bytes out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(std::uint8_t(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

std::expected<mpy::Module, CompileError> compile_x64(const std::string& source) {
    Options o;
    o.arch = mpy::NativeArch::x64;
    o.march_given = true;
    o.source_name = "t.py";
    return compile_module(source, o);
}

// The last line of mpy-cross's message ("ViperTypeError: ...") and the line its traceback names.
std::pair<std::string, std::uint32_t> golden_error(const std::string& escaped) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (std::size_t at; (at = escaped.find("\\n", start)) != std::string::npos; start = at + 2)
        lines.push_back(escaped.substr(start, at - start));
    std::uint32_t line = 0;
    for (const std::string& l : lines)
        if (auto at = l.find(", line "); at != std::string::npos)
            line = std::uint32_t(std::stoul(l.substr(at + 7)));
    return {lines.empty() ? std::string() : lines.back(), line};
}

std::string first_difference(const mpy::Bytes& golden, const mpy::Bytes& ours) {
    auto g = mpy::read_module(golden), o = mpy::read_module(ours);
    if (!g || !o)
        return "(unreadable .mpy)";
    std::istringstream a(mpy::disassemble(*g)), b(mpy::disassemble(*o));
    std::string la, lb;
    while (std::getline(a, la)) {
        std::getline(b, lb);
        if (la != lb)
            return "  golden: " + la + "\n  ours:   " + lb + "\n";
        lb.clear();
    }
    return "  (ours is longer)\n";
}

// Checks one compilation against its golden; returns "" when it matches.
std::string mismatch(const std::expected<mpy::Module, CompileError>& m, const Golden& golden) {
    if (golden.kind == "err") {
        const auto [text, line] = golden_error(golden.data);
        if (m)
            return "compiles, mpy-cross fails with " + text;
        const std::string ours = m.error().kind + ": " + m.error().message;
        // line 0: mpy-cross prints the message alone ("native yield"), without a traceback
        const bool same_place = line == 0 ? !m.error().has_traceback : m.error().pos.line == line;
        if (ours != text || !same_place)
            return "error " + ours + " at line " + std::to_string(m.error().pos.line) + ", mpy-cross: " + text +
                   " at line " + std::to_string(line);
        return "";
    }
    if (!m)
        return "fails: " + m.error().kind + ": " + m.error().message;
    const mpy::Bytes ours = mpy::write_module(*m), want = from_hex(golden.data);
    return ours == want ? "" : "differs from mpy-cross -march=x64\n" + first_difference(want, ours);
}

bool not_implemented(const std::expected<mpy::Module, CompileError>& m) {
    return !m && m.error().needs_native_arch && m.error().message.find("is not implemented yet") != std::string::npos;
}

TEST(ViperX64, EveryCaseMatchesMpyCross) {
    const auto cases = read_cases();
    const auto goldens = read_goldens("viper_x64_goldens.tsv", nullptr);
    ASSERT_GT(cases.size(), 30u);
    ASSERT_EQ(goldens.size(), cases.size()) << "viper_x64_goldens.tsv is out of date: run make_goldens.sh";
    int identical = 0, unsupported = 0;
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        const auto m = compile_x64(c.source);
        if (c.flag == "unsupported") {
            ++unsupported;
            EXPECT_TRUE(not_implemented(m)) << c.name << " compiles now (or fails otherwise): update its header";
            continue;
        }
        EXPECT_EQ(c.flag == "error", goldens.at(c.name).kind == "err") << "header flag of " << c.name;
        const std::string why = mismatch(m, goldens.at(c.name));
        if (why.empty())
            ++identical;
        else
            ADD_FAILURE() << c.name << ": " << why << c.source;
    }
    std::cout << "[ viper x64 ] " << identical << "/" << (cases.size() - std::size_t(unsupported))
              << " cases identical (bytes, or error text and line); " << unsupported << " of " << cases.size()
              << " listed as not supported yet\n";
}

TEST(ViperX64, UnsupportedConstructNamesItselfAndTheLine) {
    // a bare raise: mpy-cross -march=x64 fails an assertion on it (emit_native_raise_varargs)
    auto m = compile_x64("x = 1\n@micropython.viper\ndef f(a):\n    y = a\n    raise\n");
    ASSERT_FALSE(m.has_value());
    EXPECT_EQ(m.error().kind, "NotImplementedError");
    EXPECT_EQ(m.error().message, "mpyship: viper code for RAISE_LAST is not implemented yet");
    EXPECT_EQ(m.error().pos.line, 5u);
    EXPECT_EQ(m.error().scope_name, "f");
    EXPECT_TRUE(m.error().needs_native_arch);
}

TEST(ViperX64, OutputReadsBackAsViperCode) {
    auto m = compile_x64("@micropython.viper\ndef f(a: int) -> int:\n    return a + 1\n");
    ASSERT_TRUE(m.has_value());
    auto back = mpy::read_module(mpy::write_module(*m));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->header.arch, mpy::NativeArch::x64);
    ASSERT_EQ(back->root.children.size(), 1u);
    EXPECT_EQ(back->root.children[0].kind, mpy::CodeKind::native_viper);
}

// `mpyship build` with [build] arch = "x64": a covered viper module becomes .mpy, one using a construct the
// emitter refuses ships as source, and a viper type error fails that module as it fails mpy-cross.
TEST(ViperX64, ProjectBuildCompilesCoveredViperModules) {
    test::TempDir dir;
    const fs::path root = dir.path();
    test::write_text_file(root / "mpyship.toml",
                          "[project]\nversion = \"1.0\"\ntarget = \"micropython\"\n\n[build]\narch = \"x64\"\n");
    test::write_text_file(root / "src" / "main.py", "import fast\n");
    test::write_text_file(root / "src" / "fast.py",
                          "import micropython\n\n@micropython.viper\ndef f(x: int) -> int:\n    return x + 1\n");
    test::write_text_file(root / "src" / "slow.py",
                          "import micropython\n\n@micropython.viper\ndef f(x):\n    raise\n");
    auto r = test::run_mpyship({"build", root.string()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("src/slow.py: kept as source"), std::string::npos) << r.out;
    const fs::path out = root / "build" / "mpy";
    ASSERT_TRUE(fs::exists(out / "fast.mpy"));
    auto m = mpy::read_module(test::read_bytes(out / "fast.mpy"));
    ASSERT_TRUE(m.has_value());
    ASSERT_EQ(m->root.children.size(), 1u);
    EXPECT_EQ(m->root.children[0].kind, mpy::CodeKind::native_viper);

    test::write_text_file(root / "src" / "bad.py",
                          "import micropython\n\n@micropython.viper\ndef f(x: int):\n    x = []\n");
    auto bad = test::run_mpyship({"build", root.string()});
    EXPECT_NE((bad.out + bad.err).find("failed: src/bad.py"), std::string::npos) << bad.out << bad.err;
    EXPECT_NE((bad.out + bad.err).find("local 'x' has type 'int' but source is 'object'"), std::string::npos)
        << bad.out << bad.err;
}

std::string micropython_src() {
    const char* src = std::getenv("MPYSHIP_MICROPYTHON_SRC");
    return src ? src : "";
}

TEST(ViperX64, MicroPythonViperTestsAreIdenticalOrRefused) {
    if (micropython_src().empty())
        GTEST_SKIP() << "MPYSHIP_MICROPYTHON_SRC is not set: MicroPython's tests/micropython/viper_*.py are read "
                        "from a v1.28.0 tree only when it is";
    std::map<std::string, std::string> sums;
    const auto goldens = read_goldens("mp_viper_goldens.tsv", &sums);
    ASSERT_GT(goldens.size(), 30u);
    int identical = 0, refused = 0, missing = 0;
    for (const auto& [name, golden] : goldens) {
        SCOPED_TRACE(name);
        const fs::path file = fs::path(micropython_src()) / "tests/micropython" / name;
        if (!fs::exists(file)) {
            ++missing;
            continue;
        }
        const std::string source = read_text(file);
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(source.data());
        ASSERT_EQ(sha256_hex({bytes, source.size()}), sums.at(name)) << file << " is not the v1.28.0 file the golden is of";
        const auto m = compile_x64(source);
        if (not_implemented(m)) {
            ++refused;
            std::cout << "[ viper x64 ] refused: " << name << ": " << m.error().message << "\n";
            continue;
        }
        const std::string why = mismatch(m, golden);
        if (why.empty())
            ++identical;
        else
            ADD_FAILURE() << name << ": " << why;
    }
    std::cout << "[ viper x64 ] MicroPython's viper tests: " << identical << "/" << goldens.size()
              << " identical, " << refused << " refused as not implemented, " << missing << " missing\n";
}

// Runs the "#> " expressions of a case after importing t from `dir` on the unix port.
test::RunResult run_on_unix_port(const fs::path& micropython, const fs::path& dir, const Case& c) {
    std::string script = "import sys\nsys.path.insert(0, '" + dir.string() + "')\nfrom t import *\n";
    for (const std::string& expr : c.runs)
        script += "print(repr(" + expr + "))\n";
    test::write_text_file(dir / "run_case.py", script);
    return test::run_program({micropython.string(), (dir / "run_case.py").string()});
}

TEST(ViperX64, ImportedMpyBehavesAsTheReferenceMpyOnTheUnixPort) {
    if (micropython_src().empty())
        GTEST_SKIP() << "MPYSHIP_MICROPYTHON_SRC is not set: viper code is run on the unix port of a MicroPython "
                        "v1.28.0 tree (ports/unix/build-standard/micropython) only when it is";
    const fs::path micropython = fs::path(micropython_src()) / "ports/unix/build-standard/micropython";
    if (!fs::exists(micropython))
        GTEST_SKIP() << micropython << " is not built";
    const auto goldens = read_goldens("viper_x64_goldens.tsv", nullptr);
    int ran = 0;
    for (const Case& c : read_cases()) {
        if (!c.flag.empty() || c.runs.empty())
            continue;
        SCOPED_TRACE(c.name);
        const auto m = compile_x64(c.source);
        ASSERT_TRUE(m.has_value());
        test::TempDir ours_dir, reference_dir;
        test::write_bytes(ours_dir.path() / "t.mpy", mpy::write_module(*m));
        test::write_bytes(reference_dir.path() / "t.mpy", from_hex(goldens.at(c.name).data));
        const auto ours = run_on_unix_port(micropython, ours_dir.path(), c);
        const auto reference = run_on_unix_port(micropython, reference_dir.path(), c);
        EXPECT_EQ(reference.exit_code, 0) << reference.err;
        EXPECT_EQ(ours.exit_code, 0) << ours.err;
        EXPECT_EQ(ours.out, reference.out) << c.source;
        ++ran;
    }
    std::cout << "[ viper x64 ] " << ran << " cases run from .mpy on the unix port, output as mpy-cross's\n";
    EXPECT_GT(ran, 15);
}

} // namespace
} // namespace mpyship::compiler
