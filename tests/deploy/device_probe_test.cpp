// Unit tests of the serial deploy's pure parts: the probe's answer and the compatibility gate, the device
// listing, base64, and `--port auto` over a fake /sys/class/tty tree.
#include "../support/test_support.h"
#include "mpyship/deploy/device_files.h"
#include "mpyship/deploy/device_probe.h"
#include "mpyship/deploy/device_snapshot.h"
#include "mpyship/serial/serial_ports.h"

#include <fstream>
#include <gtest/gtest.h>
#include <tuple>

namespace mpyship::deploy {
namespace {

namespace fs = std::filesystem;

constexpr const char* k_vm_answer = "name micropython\nversion 1.28.0\nmachine JS with Emscripten\nmpy 774\n"
                                    "small_int_bits 31\ncwd /flash\nsha256 1\nbinascii 1\ndeflate 1\n";

BuildFormat mp_build() {
    BuildFormat f;
    f.runtime = Runtime::micropython;
    f.mpy_version = 6;
    f.small_int_bits = 31;
    f.mpy_files = 3;
    return f;
}

TEST(DeviceProbe, DecodesSysImplementationMpy) {
    MpyAbi abi = decode_mpy_abi(774); // the WebAssembly VM: v6, sub-version 3, no native arch
    EXPECT_EQ(abi.version, 6);
    EXPECT_EQ(abi.sub_version, 3);
    EXPECT_EQ(abi.arch, 0);
    MpyAbi esp32 = decode_mpy_abi(6 | 3 << 8 | 10 << 10); // xtensawin
    EXPECT_EQ(esp32.arch, 10);
}

TEST(DeviceProbe, ParsesTheAnswerAndPassesAMatchingBuild) {
    auto d = parse_probe(k_vm_answer, "/dev/ttyX");
    ASSERT_TRUE(d) << d.error().to_string();
    EXPECT_EQ(d->runtime(), Runtime::micropython);
    EXPECT_EQ(d->describe(), "MicroPython 1.28.0 (.mpy v6.3, 31-bit small ints)");
    EXPECT_TRUE(d->has_sha256 && d->has_deflate);
    EXPECT_FALSE(device_compatibility_problem(*d, mp_build()));
}

TEST(DeviceProbe, RefusesWrongRuntimeVersionSmallIntsAndNoMpy) {
    auto d = *parse_probe(k_vm_answer, "p");
    BuildFormat c = mp_build();
    c.runtime = Runtime::circuitpython;
    EXPECT_EQ(*device_compatibility_problem(d, c),
              "the device runs MicroPython 1.28.0 (.mpy v6.3, 31-bit small ints) and loads 'M' files; the "
              "build has "
              "'C' .mpy v6 (CircuitPython) files (--force deploys anyway)");
    BuildFormat v5 = mp_build();
    v5.mpy_version = 5;
    EXPECT_NE(device_compatibility_problem(d, v5)->find("it loads .mpy v6"), std::string::npos);
    d.small_int_bits = 30;
    EXPECT_NE(device_compatibility_problem(d, mp_build())->find("small ints have 30 bits"),
              std::string::npos);
    d.mpy.reset();
    EXPECT_NE(device_compatibility_problem(d, mp_build())->find("cannot import .mpy files"),
              std::string::npos);
    EXPECT_FALSE(parse_probe("Traceback", "p"));
}

TEST(DeviceSnapshot, ParsesTheListing) {
    auto snap = parse_snapshot("D lib\nF 32 - lib/a.mpy\nF 5 abcd app.mpy\nR 7b7d\n", "p");
    ASSERT_TRUE(snap) << snap.error().to_string();
    EXPECT_TRUE(snap->tree.has_dir("lib"));
    ASSERT_TRUE(snap->tree.find_file("lib/a.mpy"));
    EXPECT_FALSE(snap->tree.find_file("lib/a.mpy")->sha256);
    EXPECT_EQ(*snap->tree.find_file("app.mpy")->sha256, "abcd");
    EXPECT_EQ(*snap->record_json, "{}");
    EXPECT_FALSE(parse_snapshot("F x y\n", "p"));
}

TEST(DeviceSnapshot, SizeOnlyComparisonTakesEqualSizesAsEqual) {
    auto snap = *parse_snapshot("F 32 - a.mpy\nF 7 - b.mpy\n", "p");
    project::Manifest m;
    for (auto [path, sha, size] : {std::tuple{"a.mpy", "h1", 32}, std::tuple{"b.mpy", "h2", 8}}) {
        project::ManifestFile f;
        f.path = path;
        f.sha256 = sha;
        f.size = std::uint64_t(size);
        m.files.push_back(f);
    }
    assume_equal_sizes_match(snap.tree, m);
    EXPECT_EQ(*snap.tree.find_file("a.mpy")->sha256, "h1");
    EXPECT_FALSE(snap.tree.find_file("b.mpy")->sha256);
}

// A one-line record comes back as text (J), anything else hex-encoded (R); 16 hex digits of a hash are
// widened to the build's hash only when they start it.
TEST(DeviceSnapshot, TextRecordAndDigestPrefixes) {
    auto snap =
        parse_snapshot("F 5 0123456789abcdef a.mpy\nF 6 fedcba9876543210 b.mpy\nJ {\"files\":[]}\n", "p");
    ASSERT_TRUE(snap);
    EXPECT_EQ(snap->record_json, std::optional<std::string>("{\"files\":[]}"));
    project::Manifest m;
    std::string full_a = "0123456789abcdef" + std::string(48, '0');
    m.files.push_back({"a.mpy", "", full_a, 5});
    m.files.push_back({"b.mpy", "", std::string(64, '1'), 6});
    expand_digest_prefixes(snap->tree, m);
    EXPECT_EQ(snap->tree.files.at("a.mpy").sha256, full_a);
    EXPECT_EQ(snap->tree.files.at("b.mpy").sha256, std::optional<std::string>("fedcba9876543210"));
}

TEST(DeviceFiles, Base64AndPythonStrings) {
    auto b = [](std::string s) {
        return base64_encode(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
    };
    EXPECT_EQ(b(""), "");
    EXPECT_EQ(b("f"), "Zg==");
    EXPECT_EQ(b("fo"), "Zm8=");
    EXPECT_EQ(b("foo"), "Zm9v");
    EXPECT_EQ(b("foobar"), "Zm9vYmFy");
    EXPECT_EQ(python_string("it's\\x"), "'it\\'s\\\\x'");
}

TEST(SerialPorts, FindsBoardsByUsbVendor) {
    test::TempDir dir;
    auto add = [&](const std::string& tty, const std::string& vid, const std::string& product) {
        fs::path usb = dir.path() / "usb" / tty;
        fs::create_directories(usb / "intf");
        std::ofstream(usb / "idVendor") << vid << "\n";
        std::ofstream(usb / "product") << product << "\n";
        fs::create_directories(dir.path() / "class" / tty);
        fs::create_directory_symlink(usb / "intf", dir.path() / "class" / tty / "device");
    };
    add("ttyACM0", "2e8a", "Board in FS mode");
    add("ttyACM1", "046d", "a mouse");
    auto ports = serial::list_board_ports(dir.path() / "class");
    ASSERT_EQ(ports.size(), 1u);
    EXPECT_EQ(ports[0].device, "/dev/ttyACM0");
    EXPECT_EQ(ports[0].vendor, "Raspberry Pi");
    EXPECT_EQ(*serial::find_board_port(dir.path() / "class"), "/dev/ttyACM0");
    add("ttyUSB0", "10c4", "CP2102");
    auto several = serial::find_board_port(dir.path() / "class");
    ASSERT_FALSE(several);
    EXPECT_NE(several.error().message.find("several boards found"), std::string::npos);
}

} // namespace
} // namespace mpyship::deploy
