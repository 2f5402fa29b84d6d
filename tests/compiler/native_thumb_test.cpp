// The native emitter's ARM Thumb target against mpy-cross v1.28.0 for -march=armv6m, armv7m, armv7em,
// armv7emsp and armv7emdp: every case of tests/data/native/native_x64_cases.txt (the source is the same
// for every arch) and of native_thumb_cases.txt (Thumb-only: immediates, literal alignment, long jumps,
// far table entries) compiled as `t.py` must give the golden .mpy of native_thumb_goldens.tsv (made by
// make_goldens.sh) byte for byte. A case whose header says "unsupported" must fail with mpyship's "not
// implemented yet" error for every arch (and fails the test once it compiles, so the list stays true).
#include "../support/test_support.h"
#include "mpyship/compiler/compiler.h"
#include "mpyship/mpy/disassembler.h"
#include "mpyship/mpy/reader.h"
#include "mpyship/mpy/writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <sstream>

namespace mpyship::compiler {
namespace {

struct Case {
    std::string name;
    bool unsupported = false;
    std::string source;
};

std::string read_text(const std::filesystem::path& p) {
    const auto bytes = test::read_bytes(p);
    return {bytes.begin(), bytes.end()};
}

// Lines before a file's first case describe the file.
void read_cases_from(const char* file, std::vector<Case>& cases) {
    const std::size_t first = cases.size();
    std::istringstream in(read_text(test::data_dir() / "native" / file));
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("### ")) {
            std::istringstream header(line.substr(4));
            Case c;
            std::string flag;
            header >> c.name >> flag;
            c.unsupported = flag == "unsupported";
            cases.push_back(std::move(c));
        } else if (cases.size() > first) {
            cases.back().source += line + "\n";
        }
    }
}

// "#! not on thumb: NAME..." lines of native_thumb_cases.txt: x64 cases the Thumb target does not cover yet.
void mark_not_on_thumb(std::vector<Case>& cases) {
    std::istringstream in(read_text(test::data_dir() / "native" / "native_thumb_cases.txt"));
    std::string line;
    const std::string directive = "#! not on thumb:";
    while (std::getline(in, line)) {
        if (!line.starts_with(directive))
            continue;
        std::istringstream names(line.substr(directive.size()));
        for (std::string name; names >> name;) {
            auto it = std::find_if(cases.begin(), cases.end(), [&](const Case& c) { return c.name == name; });
            ASSERT_NE(it, cases.end()) << name << " of '" << directive << "' is not a case";
            it->unsupported = true;
        }
    }
}

std::vector<Case> read_cases() {
    std::vector<Case> cases;
    read_cases_from("native_x64_cases.txt", cases);
    read_cases_from("native_thumb_cases.txt", cases);
    mark_not_on_thumb(cases);
    return cases;
}

struct Golden {
    bool ok = false;
    std::string text; // the .mpy's hex, or mpy-cross's error output with newlines as \n
};

// (case, arch) -> golden
std::map<std::pair<std::string, std::string>, Golden> read_goldens() {
    std::map<std::pair<std::string, std::string>, Golden> goldens;
    std::istringstream in(read_text(test::data_dir() / "native" / "native_thumb_goldens.tsv"));
    std::string line;
    while (std::getline(in, line)) {
        const std::vector<std::string> f = test::tab_fields(line);
        if (f.size() == 4)
            goldens[{f[0], f[1]}] = Golden{f[2] == "mpy", f[3]};
    }
    return goldens;
}

mpy::Bytes from_hex(const std::string& hex) {
    mpy::Bytes out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(std::uint8_t(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

// The last line of an error golden (its newlines are written as \n).
std::string last_error_line(std::string text) {
    while (text.ends_with("\\n"))
        text.resize(text.size() - 2);
    const std::size_t nl = text.rfind("\\n");
    return nl == std::string::npos ? text : text.substr(nl + 2);
}

std::expected<mpy::Module, CompileError> compile_for(const std::string& source, mpy::NativeArch arch) {
    Options o;
    o.arch = arch;
    o.march_given = true;
    o.source_name = "t.py";
    return compile_module(source, o);
}

std::string disassembly(const mpy::Bytes& bytes) {
    auto m = mpy::read_module(bytes);
    return m ? mpy::disassemble(*m) : std::string("(unreadable .mpy)");
}

// The first lines where the two disassemblies differ.
std::string disassembly_diff(const mpy::Bytes& golden, const mpy::Bytes& ours) {
    std::istringstream a(disassembly(golden)), b(disassembly(ours));
    std::string la, lb, out;
    int shown = 0;
    while (shown < 4 && (std::getline(a, la), std::getline(b, lb), a || b)) {
        if (la != lb) {
            out += "  golden: " + la + "\n  ours:   " + lb + "\n";
            ++shown;
        }
        la.clear();
        lb.clear();
    }
    return out;
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

class NativeThumb : public ::testing::TestWithParam<ArchName> {};

TEST_P(NativeThumb, EveryCaseMatchesMpyCross) {
    const ArchName arch = GetParam();
    const auto cases = read_cases();
    const auto goldens = read_goldens();
    ASSERT_GT(cases.size(), 40u);
    ASSERT_EQ(goldens.size(), cases.size() * std::size(k_archs))
        << "native_thumb_goldens.tsv is out of date: run make_goldens.sh";
    int identical = 0, unsupported = 0, failures = 0;
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        auto m = compile_for(c.source, arch.arch);
        if (c.unsupported) {
            ++unsupported;
            if (m.has_value()) {
                ADD_FAILURE() << c.name << " compiles now: drop 'unsupported' from its header";
                continue;
            }
            EXPECT_TRUE(m.error().needs_native_arch);
            EXPECT_NE(m.error().message.find("is not implemented yet"), std::string::npos) << m.error().message;
            continue;
        }
        const Golden& g = goldens.at({c.name, arch.name});
        if (!g.ok) { // mpy-cross refuses it: so must mpyship, with the same last line
            ASSERT_FALSE(m.has_value()) << c.name << " compiles; mpy-cross says " << g.text;
            EXPECT_EQ(last_error_line(g.text), m.error().kind + ": " + m.error().message);
            ++identical;
            continue;
        }
        ASSERT_TRUE(m.has_value()) << c.name << ": " << m.error().message;
        const mpy::Bytes ours = mpy::write_module(*m);
        const mpy::Bytes golden = from_hex(g.text);
        if (ours == golden)
            ++identical;
        else if (++failures <= 10)
            ADD_FAILURE() << c.name << " differs from mpy-cross -march=" << arch.name << "\n"
                          << c.source << disassembly_diff(golden, ours);
    }
    std::cout << "[ native " << arch.name << " ] " << identical << "/" << (cases.size() - std::size_t(unsupported))
              << " supported cases identical; " << unsupported << " of " << cases.size()
              << " cases listed as not supported yet\n";
    EXPECT_EQ(failures, 0);
}

INSTANTIATE_TEST_SUITE_P(Archs, NativeThumb, ::testing::ValuesIn(k_archs),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(NativeThumbOutput, ReadsBackAsNativeCodeForTheArch) {
    auto m = compile_for("@micropython.native\ndef f(a):\n    return a + 1\n", mpy::NativeArch::armv6m);
    ASSERT_TRUE(m.has_value()) << m.error().message;
    auto back = mpy::read_module(mpy::write_module(*m));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->header.arch, mpy::NativeArch::armv6m);
    ASSERT_EQ(back->root.children.size(), 1u);
    EXPECT_EQ(back->root.children[0].kind, mpy::CodeKind::native_py);
}

// `mpyship build` with [build] arch = "armv6m" follows the x64 rule: a module whose native functions all
// compile becomes .mpy with Thumb code; one with a construct listed as unsupported ships as source.
TEST(NativeThumbBuild, CoveredModuleIsCompiledAndTheOtherShipsAsSource) {
    const auto cases = read_cases();
    const auto slow = std::find_if(cases.begin(), cases.end(), [](const Case& c) { return c.unsupported; });
    ASSERT_NE(slow, cases.end());
    test::TempDir dir;
    const std::filesystem::path root = dir.path();
    test::write_text_file(root / "mpyship.toml",
                          "[project]\nversion = \"1.0\"\ntarget = \"micropython\"\n\n[build]\narch = \"armv6m\"\n");
    test::write_text_file(root / "src" / "main.py", "import fast\n");
    test::write_text_file(root / "src" / "fast.py",
                          "import micropython\n\n@micropython.native\ndef f(x):\n    return x + 1000\n");
    test::write_text_file(root / "src" / "slow.py", "import micropython\n" + slow->source);

    auto r = test::run_mpyship({"build", root.string()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("build: 1 compiled"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("src/slow.py: kept as source"), std::string::npos) << slow->name << "\n" << r.out;
    auto m = mpy::read_module(test::read_bytes(root / "build" / "mpy" / "fast.mpy"));
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->header.arch, mpy::NativeArch::armv6m);
    ASSERT_EQ(m->root.children.size(), 1u);
    EXPECT_EQ(m->root.children[0].kind, mpy::CodeKind::native_py);
    EXPECT_TRUE(std::filesystem::exists(root / "build" / "mpy" / "slow.py"));
}

} // namespace
} // namespace mpyship::compiler
