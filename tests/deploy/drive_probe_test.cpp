// boot_out.txt parsing, mount-table parsing and the compatibility gate (no drive needed).
#include "mpyship/deploy/compat_gate.h"
#include "mpyship/deploy/drive_probe.h"
#include "mpyship/util/mount_points.h"

#include <gtest/gtest.h>

namespace mpyship::deploy {
namespace {

constexpr const char* k_cp10 =
    "Adafruit CircuitPython 10.2.1 on 2025-10-01; Adafruit Feather RP2040 with rp2040\r\n"
    "Board ID:adafruit_feather_rp2040\r\nUID:E6614C311B5C7A2E\r\n";

TEST(BootOut, ParsesCircuitPythonVersionBoardAndId) {
    BootInfo info = parse_boot_out(k_cp10);
    EXPECT_EQ(info.runtime, Runtime::circuitpython);
    EXPECT_EQ(info.version, "10.2.1");
    EXPECT_EQ(info.major, 10);
    EXPECT_EQ(info.board, "Adafruit Feather RP2040 with rp2040");
    EXPECT_EQ(info.board_id, "adafruit_feather_rp2040");
}

TEST(BootOut, ParsesPrereleaseVersions) {
    BootInfo info =
        parse_boot_out("Adafruit CircuitPython 9.0.0-beta.0 on 2024-01-27; Feather ESP32S3 with ESP32S3\n");
    EXPECT_EQ(info.version, "9.0.0-beta.0");
    EXPECT_EQ(info.major, 9);
    EXPECT_TRUE(info.board_id.empty());
}

TEST(BootOut, UnknownTextIsUnknownRuntime) {
    EXPECT_EQ(parse_boot_out("").runtime, Runtime::unknown);
    EXPECT_EQ(parse_boot_out("hello\n").runtime, Runtime::unknown);
    EXPECT_EQ(parse_boot_out("MicroPython v1.28.0 on 2026-01-01; Pico with RP2040\n").runtime,
              Runtime::micropython);
}

TEST(Mounts, DecodesEscapedMountPoints) {
    auto points =
        parse_mount_points("/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 /media/u/CIRCUIT\\040PY vfat rw 0 0\n");
    ASSERT_EQ(points.size(), 2u);
    EXPECT_EQ(points[1], "/media/u/CIRCUIT PY");
}

DriveInfo cp_drive(const char* first_line) {
    DriveInfo d;
    d.has_boot_out = true;
    d.boot = parse_boot_out(first_line);
    return d;
}

TEST(CompatGate, CircuitPythonMajorsMapToMpyVersions) {
    EXPECT_EQ(circuitpython_mpy_version(8), 5);
    EXPECT_EQ(circuitpython_mpy_version(9), 6);
    EXPECT_EQ(circuitpython_mpy_version(10), 6);
    EXPECT_EQ(circuitpython_mpy_version(11), 0);
}

TEST(CompatGate, AcceptsMatchingBuildAndRefusesOthers) {
    BuildFormat c6{Runtime::circuitpython, 6, 3};
    BuildFormat m6{Runtime::micropython, 6, 3};
    EXPECT_FALSE(compatibility_problem(cp_drive(k_cp10), c6));
    EXPECT_FALSE(compatibility_problem(cp_drive("Adafruit CircuitPython 9.2.4 on 2025-01-29; X with Y"), c6));
    auto wrong_runtime = compatibility_problem(cp_drive(k_cp10), m6);
    ASSERT_TRUE(wrong_runtime);
    EXPECT_EQ(*wrong_runtime,
              "the drive runs CircuitPython 10.2.1 but the build is for MicroPython .mpy v6 files "
              "(--force deploys anyway)");
    auto old_major =
        compatibility_problem(cp_drive("Adafruit CircuitPython 8.2.7 on 2023-10-19; X with Y"), c6);
    ASSERT_TRUE(old_major);
    EXPECT_EQ(*old_major,
              "the drive runs CircuitPython 8.2.7 and it loads .mpy v5; the build has CircuitPython "
              ".mpy v6 files (--force deploys anyway)");
    EXPECT_TRUE(compatibility_problem(cp_drive("Adafruit CircuitPython 11.0.0 on 2027-01-01; X with Y"), c6));
}

TEST(CompatGate, MicroPythonMarkerRefusesCircuitPythonFiles) {
    DriveInfo d;
    d.has_micropython_marker = true;
    EXPECT_TRUE(compatibility_problem(d, BuildFormat{Runtime::circuitpython, 6, 1}));
    EXPECT_FALSE(compatibility_problem(d, BuildFormat{Runtime::micropython, 6, 1}));
    EXPECT_FALSE(
        compatibility_problem(DriveInfo{}, BuildFormat{Runtime::circuitpython, 6, 1})); // plain folder
}

} // namespace
} // namespace mpyship::deploy
