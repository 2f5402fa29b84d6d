#include "mpyship/deploy/fat_root.h"

#include <gtest/gtest.h>

namespace mpyship::deploy {
namespace {

TEST(FatRoot, EntrySlotsForShortAndLongNames) {
    EXPECT_EQ(fat_entry_slots("CODE.PY"), 1u);
    EXPECT_EQ(fat_entry_slots("README"), 1u);
    EXPECT_EQ(fat_entry_slots("code.py"), 2u); // lower case: counted with a long-name entry, to be safe
    EXPECT_EQ(fat_entry_slots("~mps12345.tmp"), 2u);
    EXPECT_EQ(fat_entry_slots(".mpyship"), 2u);
    EXPECT_EQ(fat_entry_slots("sensor_calibration_table_1000.txt"), 1u + 3u); // 33 characters
    EXPECT_EQ(fat_entry_slots(std::string(26, 'a')), 3u);
    EXPECT_EQ(fat_entry_slots(std::string(27, 'a')), 4u);
}

TEST(FatRoot, BootSectorRootEntries) {
    std::uint8_t sector[512] = {};
    sector[510] = 0x55;
    sector[511] = 0xaa;
    sector[11] = 0x00; // 512 bytes per sector
    sector[12] = 0x02;
    sector[13] = 4;    // sectors per cluster
    sector[17] = 0x00; // 512 root entries
    sector[18] = 0x02;
    EXPECT_EQ(fat_root_entries_from_boot_sector(sector), 512u);
    sector[17] = sector[18] = 0; // FAT32: the root is an ordinary, growing folder
    EXPECT_EQ(fat_root_entries_from_boot_sector(sector), std::nullopt);
    sector[17] = 0xe0; // 224, a floppy's
    sector[510] = 0;
    EXPECT_EQ(fat_root_entries_from_boot_sector(sector), std::nullopt); // no boot signature
}

TEST(FatRoot, CountReplaysNewNamesAndTheTemporaryFile) {
    DeviceTree device;
    device.files["boot_out.txt"] = DeviceFile{"boot_out.txt", 10, std::nullopt};
    DeployPlan plan;
    plan.writes.push_back(PlannedWrite{"code.py", 5, "h", std::nullopt});
    plan.writes.push_back(PlannedWrite{"lib/a.mpy", 5, "h", std::nullopt});
    plan.mkdirs.push_back("lib");
    auto r = count_root_entries(plan, device, 512);
    // label 1 + boot_out.txt 2 = 3 in use; then code.py 2, lib 2, .mpyship 2 and the temporary file 2.
    EXPECT_EQ(r.in_use, 3u);
    EXPECT_EQ(r.peak, 3u + 2u + 2u + 2u + 2u);
    EXPECT_TRUE(r.fits());
    EXPECT_FALSE(count_root_entries(plan, device, 10).fits());
}

} // namespace
} // namespace mpyship::deploy
