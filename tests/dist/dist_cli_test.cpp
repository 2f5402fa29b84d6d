// Issue 16 through the real binary and real shells: `version --json`, the completion scripts run by bash
// (and zsh and fish when installed), the man page rendered by man(1), `--color` / NO_COLOR on a real
// terminal (script(1)) and in pipes, and `init --ci github`'s release options.
#include "../support/test_support.h"
#include "mpyship/cli/color.h"
#include "mpyship/cli/help_model.h"
#include "mpyship/compiler/inline_asm.h"
#include "mpyship/compiler/native_emitter.h"
#include "mpyship/compiler/native_viper.h"

#include <cstdlib>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace mpyship::test {
namespace {

RunResult mpyship(std::vector<std::string> args) {
    args.insert(args.begin(), mpyship_binary().string());
    return run_program(args);
}

// Runs a shell snippet with MPYSHIP set to the binary under test.
RunResult shell(const std::string& program, const std::string& script) {
    return run_program({"/usr/bin/env", "MPYSHIP=" + mpyship_binary().string(), program, "-c", script});
}

bool have(const std::string& program) {
    return shell("sh", "command -v " + program).exit_code == 0;
}

TEST(Version, JsonNamesVersionCommitTargetsAndFeatures) {
    auto r = mpyship({"version", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["ok"], true);
    EXPECT_EQ(j["version"], mpyship({"--version"}).out.substr(8, mpyship({"--version"}).out.size() - 9));
    EXPECT_FALSE(j["commit"].get<std::string>().empty());
    ASSERT_EQ(j["targets"].size(), 2u);
    EXPECT_EQ(j["targets"][0]["runtime"], "MicroPython");
    EXPECT_EQ(j["targets"][0]["version"], "1.28.0");
    EXPECT_EQ(j["targets"][0]["mpy_magic"], "M");
    EXPECT_EQ(j["targets"][1]["runtime"], "CircuitPython");
    EXPECT_EQ(j["targets"][1]["version"], "10.2.1");
    EXPECT_EQ(j["targets"][1]["mpy_magic"], "C");
    // The native and viper emitters: exactly the archs with both, in -march order.
    std::vector<std::string> native_archs;
    for (int a = 1; a <= int(mpy::NativeArch::rv64imc); ++a) {
        const bool native = compiler::has_native_emitter(mpy::NativeArch(a));
        EXPECT_EQ(native, compiler::has_viper_emitter(mpy::NativeArch(a))) << a;
        if (native)
            native_archs.push_back(mpy::native_arch_name(mpy::NativeArch(a)));
    }
    EXPECT_EQ(native_archs.size(), 10u);
    EXPECT_EQ(j["features"]["native_archs"].get<std::vector<std::string>>(), native_archs);
    // The inline assemblers: exactly the archs the compiler assembles for, in -march order.
    std::vector<std::string> asm_archs;
    for (int a = 1; a <= int(mpy::NativeArch::rv64imc); ++a)
        if (compiler::inline_asm::has_inline_assembler(mpy::NativeArch(a)))
            asm_archs.push_back(mpy::native_arch_name(mpy::NativeArch(a)));
    EXPECT_EQ(asm_archs.size(), 9u);
    EXPECT_EQ(j["features"]["inline_asm_archs"].get<std::vector<std::string>>(), asm_archs);
    auto plain = mpyship({"version"});
    EXPECT_EQ(plain.out, mpyship({"--version"}).out);
    auto bad = mpyship({"version", "--jsn"});
    EXPECT_EQ(bad.exit_code, 2);
}

// What `_mpyship` offers for a command line whose last word is being completed.
std::string bash_complete(const std::vector<std::string>& words) {
    std::string list;
    for (const auto& w : words)
        list += " '" + w + "'";
    auto r = shell("bash", "source <(\"$MPYSHIP\" completion bash) || exit 9; COMP_WORDS=(" + list +
                               "); COMP_CWORD=" + std::to_string(words.size() - 1) +
                               "; _mpyship; echo \"${COMPREPLY[*]}\"");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    return r.out.substr(0, r.out.find('\n'));
}

TEST(Completion, BashCompletesCommandsOptionsValuesAndSubcommands) {
    EXPECT_EQ(bash_complete({"mpyship", "bu"}), "build");
    EXPECT_EQ(bash_complete({"mpyship", "in"}), "init inspect");
    EXPECT_EQ(bash_complete({"mpyship", "build", "--ta"}), "--target");
    EXPECT_EQ(bash_complete({"mpyship", "build", "--target", ""}), "circuitpython micropython");
    EXPECT_EQ(bash_complete({"mpyship", "firmware", ""}), "build lock clean");
    EXPECT_EQ(bash_complete({"mpyship", "firmware", "clean", "--"}), "--help --all --dry-run");
    EXPECT_EQ(bash_complete({"mpyship", "--color", ""}), "auto always never");
    EXPECT_EQ(bash_complete({"mpyship", "--color", "never", "ve"}), "verify version");
    EXPECT_EQ(bash_complete({"mpyship", "completion", ""}), "bash zsh fish");
    EXPECT_EQ(bash_complete({"mpyship", "help", "ma"}), "man");
    // A value after an option that takes one is not taken for a subcommand.
    EXPECT_EQ(bash_complete({"mpyship", "firmware", "build", "-j", "4", "--dr"}), "--dry-run");
    // Free values (file names) are left to the shell's default completion.
    EXPECT_EQ(bash_complete({"mpyship", "keygen", "--out", ""}), "");
    // Every command of the table is offered, new ones included.
    std::string all = bash_complete({"mpyship", ""});
    auto overview = mpyship({"--help"}).out;
    for (std::size_t at = overview.find("\n  "); at != std::string::npos; at = overview.find("\n  ", at + 1)) {
        std::string name = overview.substr(at + 3, overview.find(' ', at + 3) - at - 3);
        EXPECT_NE((" " + all + " ").find(" " + name + " "), std::string::npos) << name << " missing: " << all;
    }
}

TEST(Completion, UnknownShellIsAUsageError) {
    auto r = mpyship({"completion", "tcsh"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("tcsh"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(mpyship({"completion"}).exit_code, 2);
}

TEST(Completion, ZshScriptParsesAndOffersWhatBashOffers) {
    if (!have("zsh"))
        GTEST_SKIP() << "zsh is not installed (scripts/dev.sh test installs it)";
    auto syntax = shell("zsh", "\"$MPYSHIP\" completion zsh > \"${TMPDIR:-/tmp}/_mpyship.$$\" && zsh -n "
                               "\"${TMPDIR:-/tmp}/_mpyship.$$\"; rc=$?; rm -f \"${TMPDIR:-/tmp}/_mpyship.$$\"; exit $rc");
    EXPECT_EQ(syntax.exit_code, 0) << syntax.err;
    // The completion system's functions recorded instead of drawn: what the script hands them is the test.
    std::string stubs = "compdef() { :; }; compadd() { [[ $1 == -- ]] && shift; print -r -- \"$*\"; }; "
                        "_describe() { local -a a; a=(\"${(@P)${@[-1]}}\"); print -r -- ${a%%:*}; }; "
                        "_files() { print -r -- FILES; }; ";
    auto run = [&](const std::string& words) {
        auto r = shell("zsh", stubs + "source <(\"$MPYSHIP\" completion zsh); words=(" + words +
                                  "); CURRENT=${#words}; _mpyship");
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return r.out.substr(0, r.out.find('\n'));
    };
    EXPECT_NE(run("mpyship ''").find("build package deploy"), std::string::npos);
    EXPECT_EQ(run("mpyship build --target ''"), "circuitpython micropython");
    EXPECT_EQ(run("mpyship firmware ''"), "build lock clean");
    EXPECT_EQ(run("mpyship --color ''"), "auto always never");
    EXPECT_EQ(run("mpyship keygen --out ''"), "FILES");
    EXPECT_NE(run("mpyship firmware clean --").find("--all"), std::string::npos);
}

TEST(Completion, FishCompletesCommandsOptionsAndValues) {
    if (!have("fish"))
        GTEST_SKIP() << "fish is not installed (scripts/dev.sh test installs it)";
    auto complete = [&](const std::string& line) {
        auto r = shell("fish", "\"$MPYSHIP\" completion fish | source; complete -C '" + line + "'");
        EXPECT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(r.err, "");
        std::string words;
        for (std::size_t start = 0; start < r.out.size();) {
            std::size_t nl = r.out.find('\n', start);
            std::string l = r.out.substr(start, nl - start);
            words += (words.empty() ? "" : " ") + l.substr(0, l.find('\t'));
            start = nl == std::string::npos ? r.out.size() : nl + 1;
        }
        return words;
    };
    EXPECT_EQ(complete("mpyship bu"), "build");
    EXPECT_EQ(complete("mpyship build --targ"), "--target");
    EXPECT_EQ(complete("mpyship build --target "), "circuitpython micropython");
    EXPECT_EQ(complete("mpyship firmware "), "build clean lock");
    EXPECT_EQ(complete("mpyship --color "), "always auto never");
    EXPECT_EQ(complete("mpyship firmware clean --a"), "--all");
}

TEST(ManPage, RendersWithoutWarningsAndListsEveryCommand) {
    if (!have("man"))
        GTEST_SKIP() << "man-db is not installed (scripts/dev.sh installs it)";
    auto r = shell("bash", "set -o pipefail; \"$MPYSHIP\" man | MANWIDTH=100 MAN_KEEP_FORMATTING= man --warnings -l - "
                           "| col -b");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "") << "groff warnings";
    EXPECT_NE(r.out.find("MPYSHIP(1)"), std::string::npos) << r.out.substr(0, 400);
    for (std::string what : {"mpyship build", "mpyship firmware build", "mpyship completion", "--color", "NO_COLOR",
                             "--target", "EXIT STATUS"})
        EXPECT_NE(r.out.find(what), std::string::npos) << what;
    EXPECT_NE(r.out.find("private key file (default: mpyship-ota.key)"), std::string::npos)
        << "an option's help text is in the page";
}

TEST(HelpModel, ParsesCli11AndMpyCrossLayouts) {
    auto h = cli::parse_help("Describe it.\nUsage: mpyship x [OPTIONS] [dir]\n\nPositionals:\n"
                             "  dir TEXT                    project folder\n\nOptions:\n"
                             "  -h,--help                   Print this help message and exit\n"
                             "  -j,--jobs UINT:UINT in [1 - 1024]\n"
                             "                              parallel jobs\n"
                             "  --method TEXT:{esptool,uf2} esptool or uf2\n"
                             "  --delete{recorded} :{recorded,all}\n"
                             "                              remove files\n");
    EXPECT_EQ(h.description, "Describe it.");
    EXPECT_EQ(h.usage, "mpyship x [OPTIONS] [dir]");
    auto opts = h.options();
    ASSERT_EQ(opts.size(), 4u);
    EXPECT_EQ(opts[1]->names, (std::vector<std::string>{"-j", "--jobs"}));
    EXPECT_EQ(opts[1]->value, "UINT:UINT in [1 - 1024]");
    EXPECT_EQ(opts[1]->text, "parallel jobs");
    EXPECT_EQ(opts[2]->names, (std::vector<std::string>{"--method"}));
    EXPECT_EQ(opts[2]->choices(), (std::vector<std::string>{"esptool", "uf2"}));
    EXPECT_EQ(opts[2]->text, "esptool or uf2");
    EXPECT_EQ(opts[3]->names, (std::vector<std::string>{"--delete"}));
    EXPECT_EQ(opts[3]->text, "remove files");
    ASSERT_EQ(h.positionals().size(), 1u);
    EXPECT_EQ(h.positionals()[0]->names, (std::vector<std::string>{"dir"}));
    auto m = cli::parse_help("usage: mpy-cross [<opts>] <input filename>\nOptions:\n--version : show version\n"
                             "-march=<arch> : set architecture;\n                x86, x64\n");
    ASSERT_EQ(m.options().size(), 2u);
    EXPECT_EQ(m.options()[1]->names, (std::vector<std::string>{"-march="}));
    EXPECT_EQ(m.options()[1]->text, "set architecture;\nx86, x64");
}

// A project whose one module does not compile: the diagnostic has a location, a source line and a caret.
class Color : public ::testing::Test {
  protected:
    void SetUp() override {
        write_text_file(m_dir.path() / "src" / "bad.py", "x = (1,\n");
        write_text_file(m_dir.path() / "mpyship.toml", "[project]\nname = \"c\"\nversion = \"1.0.0\"\n");
    }
    std::string dir() const { return m_dir.path().string(); }
    TempDir m_dir;
};

constexpr std::string_view k_plain_diagnostic = "src/bad.py:2:1: error: invalid syntax\n";

TEST_F(Color, PipesStayPlainAndAlwaysColoursLabelLocationAndCaret) {
    auto plain = mpyship({"build", dir(), "--strict"});
    EXPECT_EQ(plain.exit_code, 1);
    EXPECT_EQ(plain.err.find('\033'), std::string::npos) << plain.err;
    EXPECT_NE(plain.err.find(k_plain_diagnostic), std::string::npos) << plain.err;
    auto always = mpyship({"--color", "always", "build", dir(), "--strict"});
    EXPECT_EQ(always.exit_code, 1);
    EXPECT_NE(always.err.find("\033[1msrc/bad.py:2:1:\033[0m \033[1;31merror:\033[0m invalid syntax\n"),
              std::string::npos)
        << always.err;
    auto after = mpyship({"build", dir(), "--strict", "--color=always"});
    EXPECT_EQ(after.err, always.err) << "--color after the command works the same";
    auto never = mpyship({"--color=never", "build", dir()});
    EXPECT_EQ(never.err.find('\033'), std::string::npos);
}

TEST(ColorText, CaretLineAndLabelsAreColouredExactly) {
    EXPECT_EQ(cli::colorize_diagnostics("a.py:1:5: error: invalid syntax\n    x = (1,\n        ^\n"),
              "\033[1ma.py:1:5:\033[0m \033[1;31merror:\033[0m invalid syntax\n    x = (1,\n"
              "        \033[1;32m^\033[0m\n");
    EXPECT_EQ(cli::colorize_diagnostics("warning: w\nnote: n\nbuild failed: error: x\n"),
              "\033[1;35mwarning:\033[0m w\n\033[1;36mnote:\033[0m n\nbuild failed: error: x\n");
}

// On a terminal (script(1) gives the command a pty): colour by default, none with NO_COLOR or TERM=dumb.
TEST_F(Color, TerminalGetsColourUnlessNoColorIsSet) {
    if (!have("script"))
        GTEST_SKIP() << "script(1) (util-linux) is not installed";
    auto on_tty = [&](const std::string& env) {
        return shell("sh", env + " script -qec '\"$MPYSHIP\" build " + dir() + " --strict' /dev/null");
    };
    auto coloured = on_tty("TERM=xterm");
    EXPECT_NE(coloured.out.find("\033[1;31merror:\033[0m"), std::string::npos) << coloured.out;
    auto no_color = on_tty("TERM=xterm NO_COLOR=1");
    EXPECT_EQ(no_color.out.find("\033[1;31m"), std::string::npos) << no_color.out;
    EXPECT_NE(no_color.out.find("error: invalid syntax"), std::string::npos) << no_color.out;
    auto dumb = on_tty("TERM=dumb");
    EXPECT_EQ(dumb.out.find("\033[1;31m"), std::string::npos) << dumb.out;
}

TEST_F(Color, AlwaysWinsOverNoColor) {
    auto r = shell("sh", "NO_COLOR=1 \"$MPYSHIP\" --color always build " + dir() + " --strict");
    EXPECT_NE(r.err.find("\033[1;31merror:\033[0m"), std::string::npos) << r.err;
}

TEST(ColorOption, BadValuesAreUsageErrors) {
    auto bad = mpyship({"--color", "sometimes", "version"});
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("--color must be auto, always or never, not 'sometimes'"), std::string::npos) << bad.err;
    EXPECT_EQ(bad.out, "");
    auto missing = mpyship({"version", "--color"});
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.err.find("--color needs a value"), std::string::npos) << missing.err;
}

TEST(InitCi, ReleaseOptionsAreCheckedAndNeedCiGithub) {
    TempDir dir;
    auto alone = mpyship({"init", dir.path().string(), "--mpyship-version", "0.1.0"});
    EXPECT_EQ(alone.exit_code, 2);
    EXPECT_NE(alone.err.find("go with --ci github"), std::string::npos) << alone.err;
    for (std::vector<std::string> bad : {std::vector<std::string>{"--mpyship-version", "1.0\"; rm -rf /"},
                                         {"--mpyship-sha256", "abc"},
                                         {"--mpyship-sha256", std::string(64, 'A')},
                                         {"--mpyship-url", "ftp://x"},
                                         {"--mpyship-url", "https://x/'y"}}) {
        std::vector<std::string> args{"init", dir.path().string(), "--ci", "github"};
        args.insert(args.end(), bad.begin(), bad.end());
        auto r = mpyship(args);
        EXPECT_EQ(r.exit_code, 2) << bad[1];
        EXPECT_NE(r.err.find(bad[0]), std::string::npos) << r.err;
    }
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "mpyship.toml")) << "nothing written after a bad option";
    auto good = mpyship({"init", dir.path().string(), "--ci", "github", "--mpyship-version", "0.2.0",
                         "--mpyship-sha256", std::string(64, 'a'), "--mpyship-url", "https://example.com/rel"});
    ASSERT_EQ(good.exit_code, 0) << good.err;
    auto wf = read_bytes(dir.path() / ".github" / "workflows" / "mpyship.yml");
    std::string text(wf.begin(), wf.end());
    EXPECT_NE(text.find("MPYSHIP_VERSION: \"0.2.0\""), std::string::npos);
    EXPECT_NE(text.find("MPYSHIP_SHA256: \"" + std::string(64, 'a') + "\""), std::string::npos);
    EXPECT_NE(text.find("vars.MPYSHIP_RELEASE_URL || 'https://example.com/rel'"), std::string::npos);
    EXPECT_NE(text.find("vars.MPYSHIP_REF || 'v0.2.0'"), std::string::npos);
    for (std::string placeholder : {"@VERSION@", "@SHA256@", "@RELEASE_URL@"})
        EXPECT_EQ(text.find(placeholder), std::string::npos) << placeholder;
}

} // namespace
} // namespace mpyship::test
