// The pieces `mpyship flash` is made of, without a board: UF2 blocks written and parsed back, Intel HEX,
// ESP-IDF flash_args and the esptool command line, the flash target read from board files, INFO_UF2.TXT and
// finding the bootloader drive among the mounts.
#include "../support/test_support.h"

#include "mpyship/firmware/flash_target.h"
#include "mpyship/flash/esptool_command.h"
#include "mpyship/flash/flash.h"
#include "mpyship/flash/intel_hex.h"
#include "mpyship/flash/uf2.h"
#include "mpyship/flash/uf2_drive.h"

#include <fstream>
#include <gtest/gtest.h>

namespace mpyship::flash {

using namespace firmware;
namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> counting(std::size_t n, std::uint8_t start = 0) {
    std::vector<std::uint8_t> v(n);
    for (std::size_t i = 0; i < n; ++i)
        v[i] = static_cast<std::uint8_t>(start + i * 7);
    return v;
}

std::uint32_t word_at(const std::vector<std::uint8_t>& b, std::size_t offset) {
    return b[offset] | b[offset + 1] << 8 | b[offset + 2] << 16 |
           static_cast<std::uint32_t>(b[offset + 3]) << 24;
}

void put_word(std::vector<std::uint8_t>& b, std::size_t offset, std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        b[offset + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

void write_text(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

// ---- UF2 ----

TEST(Uf2, EncodesPagesAndParsesBack) {
    // An unaligned segment crossing two pages, and a second one leaving a gap inside its page.
    std::vector<Segment> in{{0x10000080, counting(300)}, {0x10000300, counting(16, 5)}};
    auto bytes = encode_uf2(in, 0xe48bff56);
    ASSERT_EQ(bytes.size(), 3 * k_uf2_block_size); // pages 0x..000, 0x..100, 0x..300
    EXPECT_EQ(word_at(bytes, 0), k_uf2_magic_start0);
    EXPECT_EQ(word_at(bytes, 8), k_uf2_flag_family);
    EXPECT_EQ(word_at(bytes, 12), 0x10000000u);
    EXPECT_EQ(word_at(bytes, 16), 256u);
    EXPECT_EQ(word_at(bytes, 24), 3u);
    EXPECT_EQ(word_at(bytes, 28), 0xe48bff56u);
    EXPECT_EQ(word_at(bytes, 512 + 12), 0x10000100u);
    EXPECT_EQ(word_at(bytes, 1024 + 20), 2u);
    EXPECT_EQ(bytes[32], 0xff) << "bytes before the segment are erased-flash 0xff";
    EXPECT_EQ(bytes[32 + 0x80], in[0].data[0]);

    auto image = parse_uf2(bytes, "x.uf2");
    ASSERT_TRUE(image) << image.error().to_string();
    EXPECT_EQ(image->family, 0xe48bff56u);
    EXPECT_EQ(image->blocks, 3u);
    EXPECT_EQ(image->payload_bytes, 768u);
    ASSERT_EQ(image->segments.size(), 2u) << "pages 0 and 1 join; page 3 stands alone";
    EXPECT_EQ(image->segments[0].address, 0x10000000u);
    EXPECT_EQ(image->segments[0].data.size(), 512u);
    EXPECT_TRUE(uf2_covers(*image, in));
    auto changed = in;
    changed[1].data[3] ^= 1;
    EXPECT_FALSE(uf2_covers(*image, changed));
    EXPECT_FALSE(uf2_covers(*image, {{0x20000000, {1}}}));
}

TEST(Uf2, WithoutFamilyTheWordIsTheFileSize) {
    auto bytes = encode_uf2({{0x2000, counting(600)}}, std::nullopt);
    ASSERT_EQ(bytes.size(), 3 * k_uf2_block_size);
    EXPECT_EQ(word_at(bytes, 8), 0u);
    EXPECT_EQ(word_at(bytes, 28), 768u);
    auto image = parse_uf2(bytes, "x.uf2");
    ASSERT_TRUE(image);
    EXPECT_FALSE(image->family);
}

TEST(Uf2, RejectsBrokenFiles) {
    auto good = encode_uf2({{0, counting(1000)}}, 0x68ed2b88);
    auto error_of = [](std::vector<std::uint8_t> b) {
        auto r = parse_uf2(b, "f.uf2");
        return r ? std::string("accepted") : r.error().to_string();
    };
    auto truncated = good;
    truncated.resize(700);
    EXPECT_EQ(error_of(truncated),
              "f.uf2: not a valid UF2 file: its size 700 is not a positive multiple of 512");
    EXPECT_EQ(error_of({}), "f.uf2: not a valid UF2 file: its size 0 is not a positive multiple of 512");
    auto bad_magic = good;
    bad_magic[512 + 4] ^= 0xff;
    EXPECT_EQ(error_of(bad_magic), "f.uf2: not a valid UF2 file: block 1 (offset 512): bad start magic");
    auto bad_end = good;
    bad_end[1024 + 508] = 0;
    EXPECT_EQ(error_of(bad_end), "f.uf2: not a valid UF2 file: block 2 (offset 1024): bad end magic");
    auto big = good;
    put_word(big, 16, 477);
    EXPECT_EQ(error_of(big), "f.uf2: not a valid UF2 file: block 0 (offset 0): payload size 477 is over 476");
    auto order = good;
    put_word(order, 512 + 20, 2);
    EXPECT_EQ(error_of(order),
              "f.uf2: not a valid UF2 file: block 1 (offset 512): block number 2 out of order");
    auto count = good;
    put_word(count, 24, 5);
    put_word(count, 512 + 24, 5);
    put_word(count, 1024 + 24, 5);
    put_word(count, 1536 + 24, 5);
    EXPECT_EQ(error_of(count), "f.uf2: not a valid UF2 file: block 0 says the file has 5 blocks, it has 4");
    auto family = good;
    put_word(family, 1024 + 28, 0x55114460);
    EXPECT_EQ(error_of(family),
              "f.uf2: not a valid UF2 file: block 2 has family SAMD51 (0x55114460), the first "
              "block has SAMD21 (0x68ed2b88)");
    auto twice = good;
    put_word(twice, 512 + 12, 0);
    EXPECT_EQ(error_of(twice), "f.uf2: data for address 0x00000000 appears twice");
}

TEST(Uf2, SkipsBlocksThatAreNotForMainFlash) {
    auto bytes = encode_uf2({{0, counting(512)}}, 0xe48bff56);
    put_word(bytes, 8, k_uf2_flag_not_main_flash); // block 0 becomes a "not main flash" block
    auto image = parse_uf2(bytes, "x.uf2");
    ASSERT_TRUE(image) << image.error().to_string();
    EXPECT_EQ(image->blocks, 2u);
    ASSERT_EQ(image->segments.size(), 1u);
    EXPECT_EQ(image->segments[0].address, 256u);
}

TEST(Uf2, FamiliesByNameAndNumber) {
    EXPECT_EQ(parse_uf2_family("rp2040"), 0xe48bff56u);
    EXPECT_EQ(parse_uf2_family("SAMD51"), 0x55114460u);
    EXPECT_EQ(parse_uf2_family("nrf52840"), 0xada52840u);
    EXPECT_EQ(parse_uf2_family("0xADA52840"), 0xada52840u);
    EXPECT_EQ(parse_uf2_family("0x12345678"), 0x12345678u);
    EXPECT_FALSE(parse_uf2_family("0x"));
    EXPECT_FALSE(parse_uf2_family("0xzz"));
    EXPECT_FALSE(parse_uf2_family("z80"));
    EXPECT_EQ(describe_uf2_family(0xe48bff59), "RP2350-ARM-S (0xe48bff59)");
    EXPECT_EQ(describe_uf2_family(0x12345678), "0x12345678");
}

// ---- Intel HEX ----

constexpr const char* k_hex = ":020000040800F2\n"
                              ":10000000000102030405060708090A0B0C0D0E0F78\n"
                              ":04001000AABBCCDDDE\n"
                              ":0400000508000131BD\n"
                              ":00000001FF\n";

TEST(IntelHex, ReadsDataUnderExtendedAddresses) {
    auto segments = parse_intel_hex(k_hex, "fw.hex");
    ASSERT_TRUE(segments) << segments.error().to_string();
    ASSERT_EQ(segments->size(), 1u) << "the two records touch and merge";
    EXPECT_EQ((*segments)[0].address, 0x08000000u);
    ASSERT_EQ((*segments)[0].data.size(), 20u);
    EXPECT_EQ((*segments)[0].data[15], 0x0f);
    EXPECT_EQ((*segments)[0].data[16], 0xaa);
    auto crlf = parse_intel_hex(":02000002100 0EC\r\n:0100000042BD\r\n:00000001FF\r\n", "s.hex");
    EXPECT_FALSE(crlf) << "a space inside a record is not hex";
    auto segment_addr = parse_intel_hex(":020000021000EC\r\n:0100000042BD\r\n:00000001FF\r\n", "s.hex");
    ASSERT_TRUE(segment_addr) << segment_addr.error().to_string();
    EXPECT_EQ((*segment_addr)[0].address, 0x10000u);
}

TEST(IntelHex, ErrorsNameTheLine) {
    auto error_of = [](const std::string& text) {
        auto r = parse_intel_hex(text, "fw.hex");
        return r ? std::string("accepted") : r.error().to_string();
    };
    EXPECT_EQ(error_of(":020000040800F2\n:10000000000102030405060708090A0B0C0D0E0F79\n:00000001FF\n"),
              "fw.hex: line 2: bad checksum");
    EXPECT_EQ(error_of("020000040800F2\n"),
              "fw.hex: line 1: expected ':' at the start of an Intel HEX record");
    EXPECT_EQ(error_of(":0200000408G0F2\n"),
              "fw.hex: line 1: not a hex record (odd length or a non-hex character)");
    EXPECT_EQ(error_of(":05000000AABBCCDDEE\n"),
              "fw.hex: line 1: byte count 5 does not match the record's length");
    EXPECT_EQ(error_of(":00000007F9\n"), "fw.hex: line 1: unknown record type 07");
    EXPECT_EQ(error_of(":04001000AABBCCDDDE\n"),
              "fw.hex: no end-of-file record (:00000001FF): the file is truncated");
    EXPECT_EQ(error_of(":00000001FF\n"), "fw.hex: no data records");
    EXPECT_EQ(error_of(":0100000042BD\n:0100000042BD\n:00000001FF\n"),
              "fw.hex: data for address 0x00000000 appears twice");
}

// ---- esptool ----

constexpr const char* k_flash_args = "--flash_mode dio --flash_freq 80m --flash_size 8MB\n"
                                     "0x0 bootloader/bootloader.bin\n"
                                     "0x10000 micropython.bin\n"
                                     "0x8000 partition_table/partition-table.bin\n";

TEST(Esptool, ReadsFlashArgs) {
    auto args = parse_flash_args(k_flash_args, "flash_args");
    ASSERT_TRUE(args) << args.error().to_string();
    EXPECT_EQ(args->options, (std::vector<std::string>{"--flash_mode", "dio", "--flash_freq", "80m",
                                                       "--flash_size", "8MB"}));
    ASSERT_EQ(args->images.size(), 3u);
    EXPECT_EQ(args->images[1].offset, 0x10000u);
    EXPECT_EQ(args->images[1].file, "micropython.bin");
    EXPECT_EQ(parse_flash_args("0x1000\n", "fa").error().to_string(),
              "fa: line 1: expected \"OFFSET FILE\" or write options, got '0x1000'");
    EXPECT_EQ(parse_flash_args("--flash_mode dio\nzz a.bin\n", "fa").error().to_string(),
              "fa: line 2: expected \"OFFSET FILE\" or write options, got 'zz a.bin'");
    EXPECT_EQ(parse_flash_args("0x0 ../../etc/passwd\n", "fa").error().to_string(),
              "fa: line 1: image path '../../etc/passwd' leaves the firmware folder");
    EXPECT_EQ(parse_flash_args("--flash_mode dio\n", "fa").error().to_string(),
              "fa: lists no image to flash");
}

TEST(Esptool, CommandLine) {
    EsptoolRequest r;
    r.esptool = "/usr/bin/esptool";
    r.chip = "esp32s3";
    r.port = "/dev/ttyUSB0";
    r.baud = 921600;
    r.erase_all = true;
    r.firmware_dir = "/p/build/firmware";
    r.args = *parse_flash_args(k_flash_args, "flash_args");
    EXPECT_EQ(esptool_argv(r),
              (std::vector<std::string>{"/usr/bin/esptool",
                                        "--chip",
                                        "esp32s3",
                                        "--port",
                                        "/dev/ttyUSB0",
                                        "--baud",
                                        "921600",
                                        "--before",
                                        "default_reset",
                                        "--after",
                                        "hard_reset",
                                        "write_flash",
                                        "--flash_mode",
                                        "dio",
                                        "--flash_freq",
                                        "80m",
                                        "--flash_size",
                                        "8MB",
                                        "--erase-all",
                                        "0x0",
                                        "/p/build/firmware/bootloader/bootloader.bin",
                                        "0x10000",
                                        "/p/build/firmware/micropython.bin",
                                        "0x8000",
                                        "/p/build/firmware/partition_table/partition-table.bin"}));
    r.port.reset();
    r.chip.clear();
    r.erase_all = false;
    auto argv = esptool_argv(r);
    EXPECT_EQ(std::vector<std::string>(argv.begin(), argv.begin() + 5),
              (std::vector<std::string>{"/usr/bin/esptool", "--chip", "auto", "--baud", "921600"}));
}

TEST(Esptool, FoundOnPathOrNamed) {
    test::TempDir dir;
    EXPECT_EQ(find_esptool(dir.path().string()).error().to_string().substr(0, 59),
              "'esptool' not found on PATH: install Espressif's esptool (e");
    write_text(dir.path() / "esptool.py", "#!/bin/sh\n");
    fs::permissions(dir.path() / "esptool.py", fs::perms::owner_all);
    EXPECT_EQ(find_esptool(dir.path().string()).value(), (dir.path() / "esptool.py").string());
    write_text(dir.path() / "esptool", "#!/bin/sh\n");
    fs::permissions(dir.path() / "esptool", fs::perms::owner_all);
    EXPECT_EQ(find_esptool(dir.path().string()).value(), (dir.path() / "esptool").string());
}

// ---- flash target from the board files ----

TEST(FlashTarget, FromBoardFiles) {
    test::TempDir dir;
    fs::path tree = dir.path();
    write_text(tree / "ports/esp32/boards/S3/mpconfigboard.cmake", "set(IDF_TARGET esp32s3)\n");
    write_text(tree / "ports/esp32/boards/GENERIC/mpconfigboard.cmake", "set(SDKCONFIG_DEFAULTS x)\n");
    write_text(tree / "ports/samd/boards/M4/mpconfigboard.mk", "MCU_SERIES = SAMD51\nTEXT0 = 0x4000\n");
    write_text(tree / "ports/samd/boards/M0/mpconfigboard.mk", "MCU_SERIES = SAMD21\n");
    write_text(tree / "ports/rp2/boards/PICO/mpconfigboard.cmake", "set(PICO_BOARD \"pico\")\n");
    write_text(tree / "ports/rp2/boards/PICO2/mpconfigboard.cmake", "set(PICO_BOARD \"pico2\")\n");
    write_text(tree / "ports/nrf/boards/FEATHER/mpconfigboard.mk",
               "MCU_SERIES = m4\nMCU_SUB_VARIANT = nrf52840\n");

    auto s3 = flash_target_for(tree, "esp32", "S3");
    EXPECT_EQ(s3.method, FlashMethod::esptool);
    EXPECT_EQ(s3.chip, "esp32s3");
    EXPECT_EQ(s3.esp_image_offset, 0u);
    EXPECT_EQ(s3.uf2_family, 0xc47e5767u);
    auto generic = flash_target_for(tree, "esp32", "GENERIC");
    EXPECT_EQ(generic.chip, "esp32");
    EXPECT_EQ(generic.esp_image_offset, 0x1000u);
    EXPECT_FALSE(generic.uf2_family);
    EXPECT_EQ(flash_target_for(tree, "samd", "M4").uf2_family, 0x55114460u);
    EXPECT_EQ(flash_target_for(tree, "samd", "M4").uf2_base, 0x4000u);
    EXPECT_EQ(flash_target_for(tree, "samd", "M0").uf2_base, 0x2000u) << "SAMD21's default without TEXT0";
    EXPECT_EQ(flash_target_for(tree, "rp2", "PICO").uf2_family, 0xe48bff56u);
    EXPECT_EQ(flash_target_for(tree, "rp2", "PICO2").chip, "rp2350");
    EXPECT_EQ(flash_target_for(tree, "rp2", "PICO2").uf2_family, 0xe48bff59u);
    EXPECT_EQ(flash_target_for(tree, "nrf", "FEATHER").uf2_family, 0xada52840u);
    EXPECT_EQ(flash_target_for(tree, "esp8266", "GENERIC").chip, "esp8266");
    auto unix_target = flash_target_for(tree, "unix", std::nullopt);
    EXPECT_EQ(unix_target.method, FlashMethod::none);
    EXPECT_NE(unix_target.why_none.find("build/firmware/micropython"), std::string::npos);
    EXPECT_EQ(flash_target_for(tree, "stm32", "PYBV11").method, FlashMethod::none);

    for (const auto& t : {s3, generic, flash_target_for(tree, "samd", "M4"), unix_target})
        EXPECT_EQ(flash_target_from_json(nlohmann::json::parse(flash_target_json(t).dump())), t);
}

// ---- the bootloader drive ----

TEST(Uf2Drive, InfoFileAndChipHints) {
    auto info = parse_info_uf2("UF2 Bootloader v3.0\r\nModel: Raspberry Pi RP2\r\nBoard-ID: RPI-RP2\r\n");
    EXPECT_EQ(info.bootloader, "UF2 Bootloader v3.0");
    EXPECT_EQ(info.model, "Raspberry Pi RP2");
    EXPECT_EQ(info.board_id, "RPI-RP2");
    EXPECT_EQ(drive_families(info), (std::vector<std::uint32_t>{0xe48bff56}));
    EXPECT_EQ(drive_families(parse_info_uf2("UF2 Bootloader 3.7\nBoard-ID: SAMD51J19A-Itsy-v0\n")),
              (std::vector<std::uint32_t>{0x55114460}));
    EXPECT_EQ(drive_families(parse_info_uf2("x\nModel: Raspberry Pi RP2350\nBoard-ID: RP2350\n")).size(), 3u);
    EXPECT_EQ(drive_families(parse_info_uf2("TinyUF2\nBoard-ID: ESP32-S3-Feather-revC\n")),
              (std::vector<std::uint32_t>{0xc47e5767}));
    EXPECT_TRUE(drive_families(parse_info_uf2("UF2 Bootloader\nBoard-ID: Mystery-Board\n")).empty());
}

TEST(Uf2Drive, FoundAmongTheMounts) {
    test::TempDir dir;
    fs::path a = dir.path() / "RPI-RP2", b = dir.path() / "CIRCUITPY", c = dir.path() / "OTHER BOOT";
    write_text(a / "INFO_UF2.TXT", "UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\nBoard-ID: RPI-RP2\n");
    write_text(b / "boot_out.txt", "Adafruit CircuitPython 10.2.1\n");
    fs::path mounts = dir.path() / "mounts";
    write_text(mounts, "/dev/sda1 " + b.string() + " vfat rw 0 0\n");
    auto none = find_uf2_drive(mounts);
    ASSERT_FALSE(none);
    EXPECT_NE(none.error().message.find("no mounted drive holds INFO_UF2.TXT"), std::string::npos);
    write_text(mounts,
               "/dev/sda1 " + b.string() + " vfat rw 0 0\n/dev/sdb1 " + a.string() + " vfat rw 0 0\n");
    auto one = find_uf2_drive(mounts);
    ASSERT_TRUE(one) << one.error().to_string();
    EXPECT_EQ(one->root, a);
    EXPECT_EQ(one->board_id, "RPI-RP2");
    write_text(c / "info_uf2.txt", "UF2 Bootloader\nBoard-ID: SAMD21G18A-Feather-v0\n");
    std::string escaped = dir.path().string() + "/OTHER\\040BOOT"; // /proc/self/mounts escapes the space
    write_text(mounts, "/dev/sdb1 " + a.string() + " vfat rw 0 0\n/dev/sdc1 " + escaped + " vfat rw 0 0\n");
    auto two = find_uf2_drive(mounts);
    ASSERT_FALSE(two);
    EXPECT_NE(two.error().message.find("several UF2 bootloader drives"), std::string::npos);
    EXPECT_NE(two.error().message.find(c.string() + " (SAMD21G18A-Feather-v0)"), std::string::npos)
        << two.error().message;
    EXPECT_FALSE(probe_uf2_drive(b)) << "a CIRCUITPY drive is not a bootloader";
    EXPECT_FALSE(probe_uf2_drive(dir.path() / "missing"));
}

} // namespace
} // namespace mpyship::flash
