#include "mpyship/serial/serial_ports.h"

#include "mpyship/util/file_io.h"

#include <algorithm>

namespace mpyship::serial {
namespace {

namespace fs = std::filesystem;

struct Vendor {
    const char* id;
    const char* name;
};

constexpr Vendor k_vendors[] = {
    {"2e8a", "Raspberry Pi"}, {"239a", "Adafruit"},     {"f055", "MicroPython"}, {"303a", "Espressif"},
    {"1209", "pid.codes"},    {"10c4", "Silicon Labs"}, {"1a86", "WCH"},         {"0403", "FTDI"},
};

std::string read_line(const fs::path& path) {
    auto bytes = read_file(path);
    if (!bytes)
        return {};
    std::string text(bytes->begin(), bytes->end());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.pop_back();
    return text;
}

const char* vendor_name(const std::string& id) {
    for (const auto& v : k_vendors)
        if (id == v.id)
            return v.name;
    return nullptr;
}

// The USB device folder of a tty: its interface folder (device) has the ids one level up (ACM) or, for
// USB-UART bridges (ttyUSB), two levels up.
fs::path usb_device_of(const fs::path& tty) {
    for (const char* up : {"device/..", "device/../.."})
        if (fs::path p = tty / up; fs::exists(p / "idVendor"))
            return p;
    return {};
}

} // namespace

std::vector<SerialCandidate> list_board_ports(const fs::path& sys_class_tty) {
    std::vector<SerialCandidate> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(sys_class_tty, ec)) {
        fs::path usb = usb_device_of(entry.path());
        if (usb.empty())
            continue;
        std::string id = read_line(usb / "idVendor");
        if (const char* name = vendor_name(id))
            out.push_back({"/dev/" + entry.path().filename().string(), id, name, read_line(usb / "product")});
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.device < b.device; });
    return out;
}

Result<std::string> find_board_port(const fs::path& sys_class_tty) {
    auto ports = list_board_ports(sys_class_tty);
    if (ports.size() == 1)
        return ports[0].device;
    if (ports.empty())
        return fail(
            "no board found: no USB serial device of a known MicroPython/CircuitPython vendor (give --port "
            "DEV, e.g. /dev/ttyACM0)");
    std::string list;
    for (const auto& p : ports)
        list += "\n  " + p.device + " (" + p.vendor + " " + p.vendor_id +
                (p.product.empty() ? "" : ", " + p.product) + ")";
    return fail("several boards found; choose one with --port:" + list);
}

} // namespace mpyship::serial
