// The real build: `mpyship firmware build` on a MicroPython v1.28.0 source tree, for the unix port and the
// qemu port (board MPS2_AN385), with the examples/micropython-sensor project frozen in; then each firmware
// runs `import demo` (the unix binary directly, the qemu image in qemu-system-arm over its emulated UART)
// and must print what the same module prints in the official MicroPython WebAssembly VM.
//
// Runs only when MPYSHIP_MICROPYTHON_SRC names the source tree (skipped, with a message, otherwise). Needs:
// - lib/micropython-lib checked out in that tree, or MPYSHIP_MICROPYTHON_LIB naming a micropython-lib
//   checkout (used as [firmware] micropython_lib); no other submodule: the unix build turns off btree and
//   ssl through make_vars and uses the system's libffi;
// - Debian packages: make, gcc, pkg-config, libffi-dev (unix); gcc-arm-none-eabi, libnewlib-arm-none-eabi,
//   qemu-system-arm (qemu); node with tests/node's npm package (the reference output);
// - MPYSHIP_FIRMWARE_TEST_JOBS: make's -j (default 2). Each port takes minutes.
#include "../support/test_support.h"
#include "fake_micropython.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>

namespace mpyship::firmware {
namespace {

namespace fs = std::filesystem;
using test::read_text;
using test::run_program;
using test::write_text;

fs::path repo_dir() {
    return test::data_dir().parent_path().parent_path();
}
fs::path example_dir() {
    return repo_dir() / "examples/micropython-sensor";
}

std::string env_or(const char* name, const std::string& fallback) {
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}

// CRLF from a UART or a terminal, LF in the reference.
std::string without_cr(std::string s) {
    std::erase(s, '\r');
    return s;
}

// What `import demo` prints in the official VM, from the example's sources (not compiled by mpyship).
std::string reference_output() {
    auto r = run_program({env_or("MPYSHIP_NODE", "node"), (repo_dir() / "tests/node/run_source.mjs").string(),
                          (example_dir() / "src").string(), "demo"});
    EXPECT_EQ(r.exit_code, 0) << "the reference run needs node and tests/node's package (npm ci --prefix "
                                 "tests/node): "
                              << r.err;
    return r.out;
}

// A copy of the example with a [firmware] section; builds it with the CLI as a user would.
struct FirmwareProject {
    fs::path dir;
    std::string firmware_section;

    void write() const {
        fs::create_directories(dir);
        fs::copy(example_dir() / "src", dir / "src", fs::copy_options::recursive);
        write_text(dir / "mpyship.toml",
                   read_text(example_dir() / "mpyship.toml") + "\n[firmware]\n" + firmware_section);
    }

    test::RunResult build(const std::string& jobs) const {
        const auto started = std::chrono::steady_clock::now();
        auto r =
            run_program({test::mpyship_binary().string(), "firmware", "build", dir.string(), "--jobs", jobs});
        const auto seconds =
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
                .count();
        std::cout << "[ built    ] " << dir.filename().string() << " in " << seconds << " s\n";
        return r;
    }

    fs::path output(const std::string& name) const { return dir / "build/firmware" / name; }
};

std::string source_lines() {
    std::string s = "micropython = \"" + env_or("MPYSHIP_MICROPYTHON_SRC", "") + "\"\n";
    if (const char* lib = std::getenv("MPYSHIP_MICROPYTHON_LIB"); lib && *lib)
        s += "micropython_lib = \"" + std::string(lib) + "\"\n";
    return s + "freeze_project = true\n";
}

// The manifest names the image, and every listed output has the size it says.
void expect_manifest_lists(const FirmwareProject& p, const std::string& image) {
    auto j = nlohmann::json::parse(read_text(p.output("firmware-manifest.json")), nullptr, false);
    ASSERT_FALSE(j.is_discarded());
    bool found = false;
    for (const auto& o : j["outputs"]) {
        found = found || o["name"] == image;
        EXPECT_EQ(o["size"].get<std::uintmax_t>(), fs::file_size(p.output(o["name"].get<std::string>())));
        std::cout << "[ output   ] " << o["name"].get<std::string>() << " " << o["size"] << " bytes\n";
    }
    EXPECT_TRUE(found) << image << " is not in firmware-manifest.json";
}

// The unix binary imports only frozen modules here (MICROPYPATH=.frozen), so a demo.py lying around
// cannot stand in for the frozen one.
std::string run_unix(const fs::path& binary) {
    ::setenv("MICROPYPATH", ".frozen", 1);
    auto r = run_program({"timeout", "-k", "5", "30", binary.string(), "-c", "import demo"});
    ::unsetenv("MICROPYPATH");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

// A module of @micropython.asm_thumb functions, frozen into the qemu image only (armv7m, compiled by
// mpyship): each result is checked on the board against plain Python doing the same, and one line says
// how many agreed.
constexpr const char* k_asm_check = R"(import array
import micropython


@micropython.asm_thumb
def add3(r0, r1, r2):
    add(r0, r0, r1)
    add(r0, r0, r2)


@micropython.asm_thumb
def sum_words(r0, r1):
    mov(r2, 0)
    label(loop)
    ldr(r3, [r0, 0])
    add(r2, r2, r3)
    add(r0, 4)
    sub(r1, 1)
    bgt(loop)
    mov(r0, r2)


@micropython.asm_thumb
def leading_zeros(r0) -> uint:
    clz(r0, r0)


@micropython.asm_thumb
def table(r0) -> uint:
    lsl(r0, r0, 2)
    mov(r1, pc)
    add(r0, r0, r1)
    ldr(r0, [r0, 4])
    b(HERE)
    data(4, 0x12345678, 0x20000000, 0x40000000, 0x80000000, 0xFFFFFFFE)
    label(HERE)


@micropython.asm_thumb
def square(r0):
    bl(SQ)
    b(END)
    label(SQ)
    mul(r0, r0)
    bx(lr)
    label(END)


@micropython.asm_thumb
def flip(r0) -> uint:
    movwt(r1, 0xDEADBEEF)
    eor(r0, r1)


@micropython.asm_thumb
def larger(r0, r1):
    cmp(r0, r1)
    it(lt)
    mov(r0, r1)


@micropython.asm_thumb
def quotient(r0, r1):
    sdiv(r0, r0, r1)


@micropython.asm_thumb
def is_even(r0) -> bool:
    mov(r1, 1)
    and_(r0, r1)
    mov(r1, 1)
    eor(r0, r1)


def run():
    words = array.array("i", [5, -7, 1000, 123456, -1])
    cases = [
        (add3(1, 2, 3), 6),
        (add3(-10, 4, 1), -5),
        (sum_words(words, 5), sum(words)),
        (leading_zeros(1), 31),
        (leading_zeros(0x00F00000), 8),
        ([table(i) for i in range(5)], [0x12345678, 0x20000000, 0x40000000, 0x80000000, 0xFFFFFFFE]),
        (square(12), 144),
        (flip(0xFFFFFFFF), 0xFFFFFFFF ^ 0xDEADBEEF),
        (larger(3, 9), 9),
        (larger(9, 3), 9),
        (quotient(-100, 7), -14),
        (is_even(10), True),
        (is_even(7), False),
    ]
    bad = [(i, got, want) for i, (got, want) in enumerate(cases) if got != want]
    print("asm_thumb", len(cases) - len(bad), "of", len(cases), "agree", bad)


run()
)";

// A module of @micropython.native and @micropython.viper functions frozen into the qemu image (armv7m Thumb
// code from mpyship's native and viper emitters): each result is checked on the board against what the same
// code gives as bytecode (the values were taken from MicroPython's unix port running the undecorated source;
// the viper ones are what their typed semantics give).
constexpr const char* k_native_check = R"(import micropython


class C:
    def __init__(self, a):
        self.a = a
    def __enter__(self):
        return self.a
    def __exit__(self, *x):
        return True

@micropython.native
def n_arith(a, b):
    x = a * b + 1000
    y = x - 70000
    return (x, y, -x, a // 3, a % 7, a << 2)

@micropython.native
def n_loops(n):
    s = 0
    for i in range(n):
        if i % 3 == 0:
            continue
        s += i
        if s > 1000:
            break
    else:
        s = -s
    while n:
        n -= 1
        s += 1
    return s

@micropython.native
def n_containers(a):
    d = {'k': a, 'm': [a, a + 1]}
    t = (a, 2, 3)
    x, *y = [1, 2, 3, a]
    return (d['m'][1], t[1:], sorted({a, 1, 2}), x, y, [i * i for i in range(5)], {k: v for k, v in d.items() if k == 'k'})

@micropython.native
def n_calls(*args, **kw):
    g = lambda x, y=2: x * y
    return (len(args), sorted(kw.items()), g(3), g(3, y=4), max(*args), '{}-{}'.format(*args[:2]))

@micropython.native
def n_closure(a):
    def inner(b):
        nonlocal a
        a += b
        return a
    inner(1)
    return inner(10)

@micropython.native
def n_exceptions(a):
    r = []
    for x in (a, 0, 'z'):
        try:
            r.append(10 // x)
        except ZeroDivisionError:
            r.append('zero')
        except TypeError as e:
            r.append('type')
        finally:
            r.append('f')
    return r

@micropython.native
def n_with_ctx(a):
    with C(a) as v:
        r = v * 2
        raise ValueError
    return r

@micropython.native
def n_big_consts(a):
    return (a + 0x12345, a - 100000, a * -3, 0x3fffffff + a, -0x40000000 + a)

@micropython.native
def n_gen(n):
    for i in range(n):
        try:
            yield i * i
        finally:
            pass
    yield from (10, 11)

@micropython.native
def n_globals_attr(a):
    import math
    return (int(math.sqrt(a)), abs(-a), str(a), a.bit_length() if hasattr(a, 'bit_length') else 0)

@micropython.viper
def v_sum(buf, n: int) -> int:
    p = ptr8(buf)
    s = 0
    for i in range(n):
        s += p[i]
    return s

@micropython.viper
def v_fill(buf, n: int, v: int):
    p = ptr16(buf)
    for i in range(n):
        p[i] = v + i

@micropython.viper
def v_bits(a: int, b: uint) -> int:
    return (a << 3) + (a >> 1) + int(b & 0xff)

@micropython.viper
def v_less(a: int, b: int) -> bool:
    return a < b


def run_viper():
    b2 = bytearray(8)
    v_fill(b2, 4, 1000)
    cases = [
        (v_sum(bytearray(range(10)), 10), 45),
        (list(b2), [232, 3, 233, 3, 234, 3, 235, 3]),
        (v_bits(5, 0x1ff), 297),
        ((v_less(3, 4), v_less(4, 3)), (True, False)),
    ]
    bad = [i for i, (got, want) in enumerate(cases) if got != want]
    print("viper", len(cases) - len(bad), "of", len(cases), "agree", bad)


def run():
    cases = [
        (n_arith(12, -5), (940, -69060, -940, 4, 5, 48)),
        (n_loops(40), -467),
        (n_containers(9), (10, (2, 3), [1, 2, 9], 1, [2, 3, 9], [0, 1, 4, 9, 16], {'k': 9})),
        (n_calls(4, 7, 1, z=3), (3, [('z', 3)], 6, 12, 7, '4-7')),
        (n_closure(5), 16),
        (n_exceptions(3), [3, 'f', 'zero', 'f', 'type', 'f']),
        (n_with_ctx(21), 42),
        (n_big_consts(1), (74566, -99999, -3, 1073741824, -1073741823)),
        (n_globals_attr(49), (7, 49, '49', 0)),
        (list(n_gen(4)), [0, 1, 4, 9, 10, 11]),
    ]
    bad = [i for i, (got, want) in enumerate(cases) if got != want]
    print("native", len(cases) - len(bad), "of", len(cases), "agree", bad)


run()
run_viper()
)";

// Boots the image in qemu-system-arm as the port's `make repl` does, types at its REPL, and lets
// machine.reset() end qemu through semihosting; `timeout` bounds it if the firmware never gets there.
// Returns what each of `imports` printed: the text between its echoed line and the next prompt.
std::vector<std::string> run_qemu(const fs::path& elf, const std::vector<std::string>& imports) {
    std::string input;
    for (const auto& m : imports)
        input += "import " + m + "\r";
    input += "import machine\rmachine.reset()\r";
    auto r =
        run_program({"timeout", "-k", "5", "60", "qemu-system-arm", "-machine", "mps2-an385", "-nographic",
                     "-monitor", "null", "-semihosting", "-serial", "stdio", "-kernel", elf.string()},
                    input);
    EXPECT_EQ(r.exit_code, 0) << "qemu did not end through machine.reset() (124: timed out)\n"
                              << r.out << r.err;
    const std::string out = without_cr(r.out);
    std::cout << "[ qemu     ] " << out.substr(0, out.find('\n')) << "\n";
    std::vector<std::string> printed;
    for (const auto& m : imports) {
        const std::string echoed = ">>> import " + m + "\n";
        const auto from = out.find(echoed);
        EXPECT_NE(from, std::string::npos) << out;
        if (from == std::string::npos) {
            printed.emplace_back();
            continue;
        }
        const auto begin = from + echoed.size();
        printed.push_back(out.substr(begin, out.find(">>> ", begin) - begin));
    }
    return printed;
}

TEST(FirmwareRealBuild, UnixAndQemuFromMicroPythonSource) {
    if (env_or("MPYSHIP_MICROPYTHON_SRC", "").empty())
        GTEST_SKIP()
            << "MPYSHIP_MICROPYTHON_SRC is not set: point it at a MicroPython v1.28.0 source tree to build "
               "the unix and qemu ports for real (see the top of firmware_real_build_test.cpp)";
    const std::string expected = reference_output();
    ASSERT_FALSE(expected.empty());
    std::cout << "[ expected ] " << expected.substr(0, expected.find('\n')) << " ...\n";
    test::TempDir tmp;
    ::setenv("MPYSHIP_CACHE_DIR", (tmp.path() / "cache").c_str(), 1);
    const std::string jobs = env_or("MPYSHIP_FIRMWARE_TEST_JOBS", "2");

    FirmwareProject unix_port{tmp.path() / "unix",
                              "port = \"unix\"\n" + source_lines() +
                                  "make_vars = { MICROPY_PY_BTREE = \"0\", MICROPY_PY_SSL = \"0\" }\n"};
    unix_port.write();
    auto unix_build = unix_port.build(jobs);
    ASSERT_EQ(unix_build.exit_code, 0) << unix_build.out << unix_build.err;
    expect_manifest_lists(unix_port, "micropython");
    const std::string unix_out = without_cr(run_unix(unix_port.output("micropython")));
    std::cout << "[ unix     ] import demo:\n" << unix_out;
    EXPECT_EQ(unix_out, expected);

    FirmwareProject qemu_port{tmp.path() / "qemu",
                              "port = \"qemu\"\nboard = \"MPS2_AN385\"\n" + source_lines()};
    qemu_port.write();
    write_text(qemu_port.dir / "src" / "asm_check.py", k_asm_check);
    write_text(qemu_port.dir / "src" / "native_check.py", k_native_check);
    auto qemu_build = qemu_port.build(jobs);
    ASSERT_EQ(qemu_build.exit_code, 0) << qemu_build.out << qemu_build.err;
    expect_manifest_lists(qemu_port, "firmware.elf");
    const auto qemu_out = run_qemu(qemu_port.output("firmware.elf"), {"demo", "asm_check", "native_check"});
    std::cout << "[ qemu     ] import demo:\n" << qemu_out[0];
    EXPECT_EQ(qemu_out[0], expected);
    std::cout << "[ qemu     ] import asm_check:\n" << qemu_out[1];
    EXPECT_EQ(qemu_out[1], "asm_thumb 13 of 13 agree []\n");
    std::cout << "[ qemu     ] import native_check:\n" << qemu_out[2];
    EXPECT_EQ(qemu_out[2], "native 10 of 10 agree []\nviper 4 of 4 agree []\n");
    EXPECT_EQ(qemu_build.out.find("native_check.py: kept as source"), std::string::npos) << qemu_build.out;

    auto again = qemu_port.build(jobs);
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("up to date"), std::string::npos)
        << "a second build with the same inputs does nothing: " << again.out;
}

} // namespace
} // namespace mpyship::firmware
