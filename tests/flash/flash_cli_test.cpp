// `mpyship flash` end to end. esptool: a stand-in program on PATH records its arguments (no board can answer
// here; the command line is what mpyship owns). UF2: a real FAT file system (fusefat) holding INFO_UF2.TXT
// plays the bootloader drive; the written file is read back with mtools after unmounting and parsed block by
// block. The "board resets" moment is played by removing INFO_UF2.TXT while mpyship waits.
#include "../integration/fat_image.h"
#include "../support/test_support.h"

#include "mpyship/firmware/flash_target.h"
#include "mpyship/firmware/output_collect.h"
#include "mpyship/flash/flash.h"
#include "mpyship/flash/intel_hex.h"
#include "mpyship/flash/uf2.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <thread>

namespace mpyship::flash {

using namespace firmware;
namespace {

namespace fs = std::filesystem;

void write_text(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

std::string read_text(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<std::uint8_t> bytes_of(const std::string& s) {
    return {s.begin(), s.end()};
}

// Two data records at 0x26000 (the application start behind the nRF52 bootloader's SoftDevice), a start
// address and an end record, as an nrf build writes them.
const std::string k_nrf_hex = ":020000040002F8\n"
                              ":10600000000102030405060708090A0B0C0D0E0F18\n"
                              ":1060100010111213141516171819DEADBEEF00116A\n"
                              ":040000050002600194\n"
                              ":00000001FF\n";

class Flash : public ::testing::Test {
  protected:
    fs::path proj() const { return m_dir.path() / "proj"; }
    fs::path fw() const { return proj() / "build/firmware"; }
    fs::path port_build() const { return m_dir.path() / "port-build"; }

    // build/firmware/ as `mpyship firmware build` leaves it, from the files in port_build().
    void collect(const std::string& port, const std::string& board, const FlashTarget& target) {
        write_text(proj() / "mpyship.toml", "[project]\nname = \"p\"\n");
        nlohmann::ordered_json inputs{
            {"port", port}, {"board", board}, {"target", flash_target_json(target)}};
        auto r = collect_outputs(port_build(), fw(), inputs);
        ASSERT_TRUE(r) << r.error().to_string();
    }
    test::RunResult flash(std::vector<std::string> args) {
        args.insert(args.begin(), {test::mpyship_binary().string(), "flash", proj().string()});
        return test::run_program(args);
    }
    test::TempDir m_dir;
};

// ---- esptool ----

class FlashEsptool : public Flash {
  protected:
    void SetUp() override {
        m_old_path = std::getenv("PATH");
        write_text(port_build() / "flash_args", "--flash_mode dio --flash_freq 80m --flash_size 8MB\n"
                                                "0x0 bootloader/bootloader.bin\n0x10000 micropython.bin\n"
                                                "0x8000 partition_table/partition-table.bin\n");
        write_text(port_build() / "bootloader/bootloader.bin", "boot");
        write_text(port_build() / "partition_table/partition-table.bin", "parts");
        write_text(port_build() / "micropython.bin", "app");
        FlashTarget t;
        t.method = FlashMethod::esptool;
        t.chip = "esp32s3";
        t.esp_image_offset = 0;
        collect("esp32", "ESP32_GENERIC_S3", t);
        // The stand-in esptool: records its arguments, prints a progress line, exits with $FAKE_ESPTOOL_EXIT.
        write_text(bin() / "esptool",
                   "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"" + log().string() +
                       "\"\necho 'Writing at 0x00010000... (100 %)'\nexit ${FAKE_ESPTOOL_EXIT:-0}\n");
        fs::permissions(bin() / "esptool", fs::perms::owner_all);
        ::setenv("PATH", (bin().string() + ":" + m_old_path).c_str(), 1);
    }
    void TearDown() override {
        ::setenv("PATH", m_old_path.c_str(), 1);
        ::unsetenv("FAKE_ESPTOOL_EXIT");
    }
    fs::path bin() const { return m_dir.path() / "bin"; }
    fs::path log() const { return m_dir.path() / "esptool-args"; }
    std::string expected_command(const std::string& port_args) const {
        std::string f = fw().string();
        return (bin() / "esptool").string() + " --chip esp32s3" + port_args +
               " --baud 460800 --before default_reset --after hard_reset write_flash --flash_mode dio "
               "--flash_freq 80m --flash_size 8MB 0x0 " +
               f + "/bootloader/bootloader.bin 0x10000 " + f + "/micropython.bin 0x8000 " + f +
               "/partition_table/partition-table.bin";
    }
    std::string m_old_path;
};

TEST_F(FlashEsptool, DryRunPrintsTheCommand) {
    auto r = flash({"--port", "/dev/ttyUSB7", "--dry-run"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "flash: esp32 firmware for ESP32_GENERIC_S3 (esp32s3) with esptool\nwould run: " +
                         expected_command(" --port /dev/ttyUSB7") + "\n");
    EXPECT_FALSE(fs::exists(log())) << "a dry run runs nothing";
}

TEST_F(FlashEsptool, RunsEsptoolWithFlashArgs) {
    auto r = flash({"--port", "/dev/ttyUSB7"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string args = read_text(log());
    std::string expected = expected_command(" --port /dev/ttyUSB7");
    expected = expected.substr(expected.find(' ') + 1); // without the program
    for (auto& c : expected)
        if (c == ' ')
            c = '\n';
    EXPECT_EQ(args, expected + "\n");
    EXPECT_NE(r.out.find("  Writing at 0x00010000... (100 %)\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("flash: done in "), std::string::npos) << r.out;
}

TEST_F(FlashEsptool, ChipEraseAndBaudOptions) {
    auto r = flash({"--chip", "esp32", "--erase", "--baud", "115200", "--dry-run"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find(" --chip esp32 --baud 115200 "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" --flash_size 8MB --erase-all 0x0 "), std::string::npos) << r.out;
}

TEST_F(FlashEsptool, FailureIsReported) {
    ::setenv("FAKE_ESPTOOL_EXIT", "2", 1);
    auto r = flash({});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("error: esptool failed (exit 2)"), std::string::npos) << r.err;
}

TEST_F(FlashEsptool, MissingEsptoolIsNamed) {
    ::setenv("PATH", "/nonexistent", 1);
    auto r = flash({});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(
        r.err.find(
            "error: 'esptool' not found on PATH: install Espressif's esptool (e.g. `pipx install esptool`"),
        std::string::npos)
        << r.err;
    auto dry = flash({"--dry-run"});
    EXPECT_EQ(dry.exit_code, 0) << "a dry run still shows the plan";
    EXPECT_NE(dry.err.find("warning: this cannot run now: 'esptool' not found on PATH"), std::string::npos);
}

TEST_F(FlashEsptool, ChangedImageIsRefused) {
    write_text(fw() / "micropython.bin", "tampered");
    auto r = flash({"--dry-run"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "error: " + (fw() / "micropython.bin").string() +
                  ": changed since the build (its SHA-256 does not match firmware-manifest.json): rebuild "
                  "with `mpyship firmware build`\n");
}

TEST_F(Flash, NoBuildAndHostPortsAreClearErrors) {
    write_text(proj() / "mpyship.toml", "[project]\nname = \"p\"\n");
    auto none = flash({});
    EXPECT_EQ(none.exit_code, 1);
    EXPECT_EQ(none.err,
              "error: " + (fw() / "firmware-manifest.json").string() +
                  ": no firmware build here: run `mpyship firmware build` first, or pass --image FILE\n");
    write_text(port_build() / "micropython", "ELF");
    collect("unix", "", flash_target_for({}, "unix", std::nullopt));
    auto host = flash({});
    EXPECT_EQ(host.exit_code, 1);
    EXPECT_EQ(host.err,
              "error: nothing to flash for this port: the unix port builds a program for this computer: "
              "run build/firmware/micropython\n");
}

TEST_F(Flash, BadOptionValues) {
    write_text(proj() / "mpyship.toml", "[project]\nname = \"p\"\n");
    auto family = flash({"--family", "z80"});
    EXPECT_EQ(family.exit_code, 1);
    EXPECT_EQ(family.err.substr(0, 47), "error: unknown UF2 family 'z80': use one of SAM");
    auto base = flash({"--base", "0x1g"});
    EXPECT_EQ(base.err, "error: --base: '0x1g' is not an address (decimal, or hex with 0x)\n");
    auto method = flash({"--method", "jtag"});
    EXPECT_EQ(method.exit_code, 2);
}

// ---- UF2 onto a real FAT drive ----

constexpr const char* k_nrf_info = "UF2 Bootloader 0.6.0 lib/nrfx (v2.0.0)\nModel: Adafruit Feather nRF52840 "
                                   "Express\nBoard-ID: nRF52840-Feather-revD\nDate: Jun 19 2021\n";

class FlashUf2 : public Flash {
  protected:
    void SetUp() override {
        if (auto why = test::FatImage::unavailable_reason(); !why.empty())
            GTEST_SKIP() << why;
        m_image = std::make_unique<test::FatImage>(m_dir.path() / "img", 16, 16384);
        ASSERT_TRUE(m_image->mount()) << m_image->error();
    }
    fs::path drive() const { return m_image->mount_point(); }
    void board(const std::string& info) { write_text(drive() / "INFO_UF2.TXT", info); }
    // The .uf2 on the drive, read with mtools from the unmounted image.
    std::string uf2_on_image() {
        EXPECT_TRUE(m_image->unmount());
        EXPECT_EQ(m_image->fsck_problems(), "");
        auto files = m_image->files();
        for (const auto& [name, data] : files)
            if (name.ends_with(".uf2") || name.ends_with(".UF2"))
                return data;
        return {};
    }
    void nrf_build() {
        write_text(port_build() / "firmware.hex", k_nrf_hex);
        collect("nrf", "FEATHER_NRF52840", flash_target_for({}, "nrf", std::nullopt));
    }
    std::unique_ptr<test::FatImage> m_image;
};

TEST_F(FlashUf2, ConvertsHexWithTheBoardFamilyAndWritesIt) {
    board(k_nrf_info);
    FlashTarget t = flash_target_for({}, "nrf", std::nullopt);
    t.uf2_family = 0xada52840; // what the board files give for MCU_SUB_VARIANT = nrf52840
    write_text(port_build() / "firmware.hex", k_nrf_hex);
    collect("nrf", "FEATHER_NRF52840", t);
    auto r = flash({"--to", drive().string(), "--timeout", "0"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "flash: nrf firmware for FEATHER_NRF52840 with the UF2 bootloader drive\n"
                     "image: " +
                         (fw() / "firmware.hex").string() +
                         " (converted to UF2): 1 blocks, 256 bytes, family NRF52840 (0xada52840), "
                         "0x00026000-0x00026100\n"
                         "drive: " +
                         drive().string() +
                         " (Model: Adafruit Feather nRF52840 Express, Board-ID: nRF52840-Feather-revD)\n"
                         "flash: wrote firmware.uf2 (512 bytes) to " +
                         drive().string() + "; not waiting for the board to reset\n");
    auto written = bytes_of(uf2_on_image());
    auto image = parse_uf2(written, "firmware.uf2");
    ASSERT_TRUE(image) << image.error().to_string();
    EXPECT_EQ(image->family, 0xada52840u);
    auto hex = parse_intel_hex(k_nrf_hex, "hex");
    ASSERT_TRUE(hex);
    EXPECT_TRUE(uf2_covers(*image, *hex));
}

TEST_F(FlashUf2, MissingFamilyAsksForIt) {
    board(k_nrf_info);
    nrf_build(); // the target has no family: no board files
    auto r = flash({"--to", drive().string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err.substr(0, r.err.find(" (")),
              "error: " + fw().string() +
                  "/firmware.hex: which chip is this for? pass --family NAME|0xID "
                  "to convert it to UF2");
    auto with = flash({"--to", drive().string(), "--family", "nrf52840", "--timeout", "0"});
    EXPECT_EQ(with.exit_code, 0) << with.err;
}

TEST_F(FlashUf2, WaitsForTheBoardToReset) {
    board(k_nrf_info);
    nrf_build();
    test::RunResult r;
    std::thread flasher([&] {
        r = flash({"--to", drive().string(), "--family", "0xada52840", "--timeout", "20"});
    });
    // Play the bootloader: once the whole image is there, the board resets and its drive goes away.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    std::error_code ec;
    while (fs::file_size(drive() / "firmware.uf2", ec) != 512 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    fs::remove(drive() / "INFO_UF2.TXT");
    flasher.join();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("; the board reset ("), std::string::npos) << r.out;
}

TEST_F(FlashUf2, DriveThatStaysIsAnError) {
    board(k_nrf_info);
    nrf_build();
    auto r = flash({"--to", drive().string(), "--family", "nrf52840", "--timeout", "0.5"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "error: " + drive().string() +
                  ": the image was written but the drive is still there after 0.5 s: the bootloader did not "
                  "take it (wrong chip family or flash address?), or the board does not reset by itself\n");
}

TEST_F(FlashUf2, RefusesAnotherChipsFirmware) {
    board("UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\nBoard-ID: RPI-RP2\n");
    nrf_build();
    auto r = flash({"--to", drive().string(), "--family", "nrf52840"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err,
              "error: " + drive().string() +
                  ": the drive's bootloader is for RP2040 (0xe48bff56) (Board-ID: RPI-RP2), the image for "
                  "NRF52840 (0xada52840): refusing to flash another chip's firmware (--force overrides)\n");
    EXPECT_FALSE(fs::exists(drive() / "firmware.uf2")) << "nothing written";
    auto forced = flash({"--to", drive().string(), "--family", "nrf52840", "--force", "--timeout", "0"});
    EXPECT_EQ(forced.exit_code, 0) << forced.err;
    EXPECT_TRUE(fs::exists(drive() / "firmware.uf2"));
}

TEST_F(FlashUf2, PortUf2IsCheckedAndCopied) {
    board("UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\nBoard-ID: RPI-RP2\n");
    std::vector<std::uint8_t> app(5000);
    for (std::size_t i = 0; i < app.size(); ++i)
        app[i] = static_cast<std::uint8_t>(i * 13);
    auto uf2 = encode_uf2({{0x10000000, app}}, 0xe48bff56);
    fs::create_directories(port_build());
    test::write_bytes(port_build() / "firmware.uf2", uf2);
    write_text(port_build() / "firmware.elf", "ELF");
    collect("rp2", "RPI_PICO", flash_target_for({}, "rp2", "RPI_PICO"));
    auto dry = flash({"--to", drive().string(), "--dry-run"});
    ASSERT_EQ(dry.exit_code, 0) << dry.err;
    EXPECT_NE(dry.out.find(": 20 blocks, 5120 bytes, family RP2040 (0xe48bff56), 0x10000000-0x10001400\n"),
              std::string::npos)
        << dry.out;
    EXPECT_NE(dry.out.find("would write firmware.uf2 (10240 bytes) to " + drive().string() +
                           ", then wait up to 30 s for the board to reset\n"),
              std::string::npos)
        << dry.out;
    EXPECT_FALSE(fs::exists(drive() / "firmware.uf2"));
    auto r = flash({"--to", drive().string(), "--timeout", "0"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(bytes_of(uf2_on_image()), uf2) << "the port's UF2 goes onto the drive byte for byte";
}

TEST_F(FlashUf2, BinNeedsAnAddressAndBadUf2IsNamed) {
    board("UF2 Bootloader v3.16.0 SFHR\nModel: ItsyBitsy M4 Express\nBoard-ID: SAMD51G19A-Itsy-v0\n");
    test::write_bytes(m_dir.path() / "app.bin", std::vector<std::uint8_t>(1000, 0x42));
    auto no_base = flash({"--image", (m_dir.path() / "app.bin").string(), "--method", "uf2", "--family",
                          "samd51", "--to", drive().string()});
    EXPECT_EQ(no_base.exit_code, 1);
    EXPECT_NE(no_base.err.find("app.bin: a .bin image has no addresses: pass --base ADDRESS"),
              std::string::npos)
        << no_base.err;
    auto ok = flash({"--image", (m_dir.path() / "app.bin").string(), "--method", "uf2", "--family", "samd51",
                     "--base", "0x4000", "--to", drive().string(), "--timeout", "0"});
    ASSERT_EQ(ok.exit_code, 0) << ok.err;
    EXPECT_NE(ok.out.find("4 blocks, 1024 bytes, family SAMD51 (0x55114460), 0x00004000-0x00004400"),
              std::string::npos)
        << ok.out;
    test::write_bytes(m_dir.path() / "bad.uf2", std::vector<std::uint8_t>(1024, 0));
    auto bad = flash({"--image", (m_dir.path() / "bad.uf2").string(), "--to", drive().string()});
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_EQ(bad.err, "error: " + (m_dir.path() / "bad.uf2").string() +
                           ": not a valid UF2 file: block 0 (offset 0): bad start magic\n");
    auto image = parse_uf2(bytes_of(uf2_on_image()), "x");
    ASSERT_TRUE(image);
    EXPECT_TRUE(uf2_covers(*image, {{0x4000, std::vector<std::uint8_t>(1000, 0x42)}}));
}

TEST_F(FlashUf2, NotABootloaderDrive) {
    auto r = flash({"--image", "x.uf2", "--to", drive().string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("x.uf2"), std::string::npos) << "the missing image is named first: " << r.err;
    test::write_bytes(m_dir.path() / "ok.uf2", encode_uf2({{0, {1, 2, 3}}}, 0x68ed2b88));
    auto no_info = flash({"--image", (m_dir.path() / "ok.uf2").string(), "--to", drive().string()});
    EXPECT_EQ(no_info.exit_code, 1);
    EXPECT_EQ(no_info.err,
              "error: " + drive().string() +
                  ": no INFO_UF2.TXT: not a UF2 bootloader drive (double-tap reset, or hold BOOTSEL "
                  "while plugging in, to enter the bootloader)\n");
}

} // namespace
} // namespace mpyship::flash
