// UF2 and Intel HEX throughput for `mpyship flash` (a 2 MiB application, the size of a large rp2/nrf
// firmware), and, when fusefat is usable, the whole `mpyship flash --image app.hex` onto a FAT16 image
// playing the bootloader drive. Numbers only, never assertions. Usage: mpyship_flash_bench [path-to-mpyship].
#include "../tests/integration/fat_image.h"

#include "mpyship/flash/intel_hex.h"
#include "mpyship/flash/uf2.h"
#include "mpyship/util/process.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fmt/core.h>
#include <fstream>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using namespace mpyship::firmware;
using namespace mpyship::flash;
using clock_type = std::chrono::steady_clock;

constexpr std::size_t k_size = 2 * 1024 * 1024;
constexpr int k_runs = 5;

std::vector<std::uint8_t> application() {
    std::vector<std::uint8_t> v(k_size);
    std::uint32_t x = 12345;
    for (auto& b : v) {
        x = x * 1103515245 + 12345;
        b = static_cast<std::uint8_t>(x >> 16);
    }
    return v;
}

// The application as Intel HEX records of 16 bytes under extended linear addresses, as objcopy writes it.
std::string to_hex(const std::vector<std::uint8_t>& data, std::uint32_t base) {
    std::string out;
    auto record = [&](std::uint8_t type, std::uint16_t addr, const std::uint8_t* p, std::size_t n) {
        std::uint8_t sum = static_cast<std::uint8_t>(n + (addr >> 8) + (addr & 0xff) + type);
        out += fmt::format(":{:02X}{:04X}{:02X}", n, addr, type);
        for (std::size_t i = 0; i < n; ++i) {
            out += fmt::format("{:02X}", p[i]);
            sum = static_cast<std::uint8_t>(sum + p[i]);
        }
        out += fmt::format("{:02X}\n", static_cast<std::uint8_t>(-sum));
    };
    for (std::size_t off = 0; off < data.size(); off += 16) {
        std::uint32_t addr = base + static_cast<std::uint32_t>(off);
        if (off == 0 || (addr & 0xffff) == 0) {
            std::uint8_t hi[2] = {static_cast<std::uint8_t>(addr >> 24),
                                  static_cast<std::uint8_t>(addr >> 16)};
            record(4, 0, hi, 2);
        }
        record(0, static_cast<std::uint16_t>(addr & 0xffff), data.data() + off,
               std::min<std::size_t>(16, data.size() - off));
    }
    record(1, 0, nullptr, 0);
    return out;
}

template <typename F> double best_seconds(F&& f) {
    double best = 1e9;
    for (int i = 0; i < k_runs; ++i) {
        auto t0 = clock_type::now();
        f();
        best = std::min(best, std::chrono::duration<double>(clock_type::now() - t0).count());
    }
    return best;
}

void formats(const std::vector<std::uint8_t>& app, const std::string& hex) {
    std::vector<std::uint8_t> uf2;
    double enc = best_seconds([&] { uf2 = encode_uf2({{0x10000000, app}}, 0xe48bff56); });
    double dec = best_seconds([&] { (void)parse_uf2(uf2, "bench.uf2"); });
    double hx = best_seconds([&] { (void)parse_intel_hex(hex, "bench.hex"); });
    double mib = k_size / 1048576.0;
    fmt::print("uf2 encode: {:.1f} MiB/s of payload ({:.1f} ms for {:.0f} MiB, {} blocks)\n", mib / enc,
               enc * 1e3, mib, uf2.size() / k_uf2_block_size);
    fmt::print("uf2 parse:  {:.1f} MiB/s of payload ({:.1f} ms)\n", mib / dec, dec * 1e3);
    fmt::print("hex parse:  {:.1f} MiB/s of hex text ({:.1f} ms for {:.1f} MiB of text)\n",
               hex.size() / 1048576.0 / hx, hx * 1e3, hex.size() / 1048576.0);
}

void end_to_end(const fs::path& mpyship, const std::string& hex) {
    if (auto why = mpyship::test::FatImage::unavailable_reason(); !why.empty()) {
        fmt::print("flash onto a FAT image: skipped ({})\n", why);
        return;
    }
    fs::path dir = fs::temp_directory_path() / ("mpyship-flash-bench-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "app.hex") << hex;
    double best = 1e9;
    for (int i = 0; i < k_runs; ++i) {
        mpyship::test::FatImage image(dir / "img", 16, 16384);
        if (!image.mount())
            throw std::runtime_error(image.error());
        std::ofstream(image.mount_point() / "INFO_UF2.TXT")
            << "UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\n"
               "Board-ID: RPI-RP2\n";
        auto t0 = clock_type::now();
        auto r = mpyship::run_process({mpyship.string(), "flash", dir.string(), "--image",
                                       (dir / "app.hex").string(), "--method", "uf2", "--family", "rp2040",
                                       "--to", image.mount_point().string(), "--timeout", "0"});
        best = std::min(best, std::chrono::duration<double>(clock_type::now() - t0).count());
        if (!r || r->exit_code != 0)
            throw std::runtime_error("mpyship flash failed: " + (r ? r->err : r.error().to_string()));
    }
    fs::remove_all(dir);
    fmt::print(
        "mpyship flash --image app.hex onto a fusefat FAT16 drive: {:.2f} s best of {} ({:.1f} MiB/s of "
        "UF2 written)\n",
        best, k_runs, 2.0 * k_size / 1048576.0 / best);
}

} // namespace

int main(int argc, char** argv) {
    fs::path mpyship =
        argc > 1 ? fs::path(argv[1]) : fs::path(argv[0]).parent_path() / "../src/mpyship/mpyship";
    auto app = application();
    auto hex = to_hex(app, 0x10000000);
    try {
        formats(app, hex);
        end_to_end(mpyship, hex);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
