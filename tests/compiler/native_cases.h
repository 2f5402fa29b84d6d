// The native emitter's golden cases, shared by the per-architecture tests (native_emitter_test.cpp for
// x64, native_thumb_test.cpp, native_rv32_test.cpp): reading tests/data/native/*_cases.txt ("### name [unsupported]" headers, lines
// before a file's first case describe it, "#! not on TAG: NAME..." lists x64 cases an architecture does
// not cover yet) and *_goldens.tsv (case, arch, "mpy" + hex or "err" + mpy-cross's stderr), and checking
// every case against its golden: byte for byte, the same last error line, or for an unsupported case
// mpyship's "not implemented yet" error (a case that compiles then fails, so the list stays true).
#pragma once

#include "../support/test_support.h"
#include "mpyship/compiler/compiler.h"
#include "mpyship/mpy/disassembler.h"
#include "mpyship/mpy/reader.h"
#include "mpyship/mpy/writer.h"
#include "mpyship/util/sha256.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>

namespace mpyship::compiler::native_cases {

struct Case {
    std::string name;
    bool unsupported = false;
    std::string source;
    std::vector<std::string> runs; // expressions after "#> " (run on the unix port by the x64 test)
};

inline std::string read_text(const std::filesystem::path& p) {
    const auto bytes = test::read_bytes(p);
    return {bytes.begin(), bytes.end()};
}

inline void read_cases_from(const std::string& file, std::vector<Case>& cases) {
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
            if (line.starts_with("#> "))
                cases.back().runs.push_back(line.substr(3));
        }
    }
}

// "#! not on TAG: NAME..." lines of `file`: the named cases are unsupported on that architecture.
inline void mark_not_on(const std::string& file, const std::string& tag, std::vector<Case>& cases) {
    std::istringstream in(read_text(test::data_dir() / "native" / file));
    std::string line;
    const std::string directive = "#! not on " + tag + ":";
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

// The x64 cases (the source is the same for every arch) followed by the architecture's own file.
inline std::vector<Case> read_x64_cases() {
    std::vector<Case> cases;
    read_cases_from("native_x64_cases.txt", cases);
    return cases;
}

inline std::vector<Case> read_cases(const std::string& own_file, const std::string& tag) {
    std::vector<Case> cases = read_x64_cases();
    read_cases_from(own_file, cases);
    mark_not_on(own_file, tag, cases);
    return cases;
}

struct Golden {
    bool ok = false;
    std::string text; // the .mpy's hex, or mpy-cross's error output with newlines as \n
};

// (case, arch) -> golden
inline std::map<std::pair<std::string, std::string>, Golden> read_goldens(const std::string& file) {
    std::map<std::pair<std::string, std::string>, Golden> goldens;
    std::istringstream in(read_text(test::data_dir() / "native" / file));
    std::string line;
    while (std::getline(in, line)) {
        const std::vector<std::string> f = test::tab_fields(line);
        if (f.size() == 4)
            goldens[{f[0], f[1]}] = Golden{f[2] == "mpy", f[3]};
    }
    return goldens;
}

inline mpy::Bytes from_hex(const std::string& hex) {
    mpy::Bytes out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(std::uint8_t(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

// The last line of an error golden (its newlines are written as \n).
inline std::string last_error_line(std::string text) {
    while (text.ends_with("\\n"))
        text.resize(text.size() - 2);
    const std::size_t nl = text.rfind("\\n");
    return nl == std::string::npos ? text : text.substr(nl + 2);
}

inline std::expected<mpy::Module, CompileError> compile_for(const std::string& source, mpy::NativeArch arch,
                                                            std::uint32_t arch_flags = 0) {
    Options o;
    o.arch = arch;
    o.arch_flags = arch_flags;
    o.march_given = true;
    o.source_name = "t.py";
    return compile_module(source, o);
}

inline std::string disassembly(const mpy::Bytes& bytes) {
    auto m = mpy::read_module(bytes);
    return m ? mpy::disassemble(*m) : std::string("(unreadable .mpy)");
}

// The first lines where the two disassemblies differ.
inline std::string disassembly_diff(const mpy::Bytes& golden, const mpy::Bytes& ours) {
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

// Checks every case compiled by `compile` against its golden of the `column` (up to 10 differences
// reported): byte for byte, the same last error line, or for a case marked unsupported a refusal; prints
// the counts and returns the number identical.
template <typename Compile>
int check_cases(const std::vector<Case>& cases, const std::map<std::pair<std::string, std::string>, Golden>& goldens,
                const std::string& column, Compile compile) {
    int identical = 0, unsupported = 0, failures = 0;
    for (const Case& c : cases) {
        SCOPED_TRACE(column + " " + c.name);
        auto m = compile(c.source);
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
        const Golden& g = goldens.at({c.name, column});
        if (!g.ok) { // mpy-cross refuses it: so must mpyship, with the same last line
            if (m.has_value()) {
                ADD_FAILURE() << c.name << " compiles; mpy-cross says " << g.text;
                continue;
            }
            EXPECT_EQ(last_error_line(g.text), m.error().kind + ": " + m.error().message);
            ++identical;
            continue;
        }
        if (!m.has_value()) {
            ADD_FAILURE() << c.name << ": " << m.error().message;
            continue;
        }
        const mpy::Bytes ours = mpy::write_module(*m);
        const mpy::Bytes golden = from_hex(g.text);
        if (ours == golden)
            ++identical;
        else if (++failures <= 10)
            ADD_FAILURE() << c.name << " differs from mpy-cross (" << column << ")\n"
                          << c.source << disassembly_diff(golden, ours);
    }
    std::cout << "[ native " << column << " ] " << identical << "/" << (cases.size() - std::size_t(unsupported))
              << " supported cases identical; " << unsupported << " of " << cases.size()
              << " cases listed as not supported yet\n";
    EXPECT_EQ(failures, 0);
    return identical;
}

// check_cases for one arch of the decorated-function sets; `goldens_per_case` is the number of archs the
// goldens file holds for each case. `arch_name` is the goldens' arch column ("rv32imc:zcmp": compiled
// with -march-flags=zcmp, given as arch_flags).
inline void check_all(const std::vector<Case>& cases, const std::map<std::pair<std::string, std::string>, Golden>& goldens,
                      mpy::NativeArch arch, const std::string& arch_name, std::size_t goldens_per_case,
                      std::uint32_t arch_flags = 0) {
    ASSERT_GT(cases.size(), 40u);
    ASSERT_EQ(goldens.size(), cases.size() * goldens_per_case) << "the goldens are out of date: run make_goldens.sh";
    check_cases(cases, goldens, arch_name,
                [&](const std::string& source) { return compile_for(source, arch, arch_flags); });
}

// One architecture column of a goldens file of MicroPython's own tests: the arch compiled for, its flags.
struct ArchColumn {
    std::string name; // the goldens' arch column ("rv32imc:zcmp" for rv32imc with -march-flags=zcmp)
    mpy::NativeArch arch;
    std::uint32_t flags = 0;
};

struct MpGolden {
    std::string sha256;
    Golden golden;
};

// (file name, arch column) -> the source's sha256 and the golden, from rows: name, arch, sha256, kind, data.
inline std::map<std::pair<std::string, std::string>, MpGolden> read_mp_goldens(const std::string& file) {
    std::map<std::pair<std::string, std::string>, MpGolden> goldens;
    std::istringstream in(read_text(test::data_dir() / "native" / file));
    std::string line;
    while (std::getline(in, line)) {
        const std::vector<std::string> f = test::tab_fields(line);
        if (f.size() == 5)
            goldens[{f[0], f[1]}] = MpGolden{f[2], Golden{f[3] == "mpy", f[4]}};
    }
    return goldens;
}

inline bool refused_as_not_implemented(const std::expected<mpy::Module, CompileError>& m) {
    return !m && m.error().needs_native_arch && m.error().message.find("is not implemented yet") != std::string::npos;
}

// "" when the compilation gives the golden (the bytes, or mpy-cross's last error line).
inline std::string mismatch(const std::expected<mpy::Module, CompileError>& m, const Golden& golden) {
    if (!golden.ok) {
        if (m)
            return "compiles, mpy-cross fails with " + last_error_line(golden.text);
        const std::string ours = m.error().kind + ": " + m.error().message;
        return ours == last_error_line(golden.text) ? "" : "error " + ours;
    }
    if (!m)
        return "fails: " + m.error().kind + ": " + m.error().message;
    const mpy::Bytes ours = mpy::write_module(*m), want = from_hex(golden.text);
    return ours == want ? "" : "differs\n" + disassembly_diff(want, ours);
}

// MicroPython's own tests/<dir>/*.py, read from the v1.28.0 tree MPYSHIP_MICROPYTHON_SRC names (skipped
// without it), against `goldens_file`: each must be identical or refused as not implemented, never
// different; a source whose sha256 is not the golden's is an error. Prints the counts under `label`.
inline void check_micropython_tests(const std::string& goldens_file, const std::string& dir,
                                    const std::vector<ArchColumn>& columns, const std::string& label) {
    const char* src = std::getenv("MPYSHIP_MICROPYTHON_SRC");
    if (!src || !*src)
        GTEST_SKIP() << "MPYSHIP_MICROPYTHON_SRC is not set: MicroPython's tests/" << dir
                     << " are read from a v1.28.0 tree only when it is";
    const auto goldens = read_mp_goldens(goldens_file);
    ASSERT_GT(goldens.size(), 30u * columns.size());
    int identical = 0, refused = 0, missing = 0;
    for (const auto& [key, g] : goldens) {
        const auto& [name, arch_name] = key;
        SCOPED_TRACE(name + " " + arch_name);
        const auto column = std::find_if(columns.begin(), columns.end(),
                                         [&](const ArchColumn& c) { return c.name == arch_name; });
        ASSERT_NE(column, columns.end());
        const std::filesystem::path file = std::filesystem::path(src) / "tests" / dir / name;
        if (!std::filesystem::exists(file)) {
            ++missing;
            continue;
        }
        const std::string source = read_text(file);
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(source.data());
        ASSERT_EQ(sha256_hex({bytes, source.size()}), g.sha256) << file << " is not the v1.28.0 file the golden is of";
        const auto m = compile_for(source, column->arch, column->flags);
        if (refused_as_not_implemented(m)) {
            ++refused;
            continue;
        }
        const std::string why = mismatch(m, g.golden);
        if (why.empty())
            ++identical;
        else
            ADD_FAILURE() << name << " -march=" << arch_name << ": " << why;
    }
    std::cout << "[ " << label << " ] MicroPython's tests: " << identical << "/" << goldens.size() << " identical, "
              << refused << " refused as not implemented, " << missing << " missing\n";
}

// A small native function written out and read back: a native_py raw code under the arch's header.
inline void expect_reads_back_as_native_code(mpy::NativeArch arch) {
    auto m = compile_for("@micropython.native\ndef f(a):\n    return a + 1\n", arch);
    ASSERT_TRUE(m.has_value()) << m.error().message;
    auto back = mpy::read_module(mpy::write_module(*m));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->header.arch, arch);
    ASSERT_EQ(back->root.children.size(), 1u);
    EXPECT_EQ(back->root.children[0].kind, mpy::CodeKind::native_py);
}

// The same for a small viper function: a native_viper raw code.
inline void expect_reads_back_as_viper_code(mpy::NativeArch arch) {
    auto m = compile_for("@micropython.viper\ndef f(a: int) -> int:\n    return a + 1\n", arch);
    ASSERT_TRUE(m.has_value()) << m.error().message;
    auto back = mpy::read_module(mpy::write_module(*m));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->header.arch, arch);
    ASSERT_EQ(back->root.children.size(), 1u);
    EXPECT_EQ(back->root.children[0].kind, mpy::CodeKind::native_viper);
}

} // namespace mpyship::compiler::native_cases
