// What is on the other end of `deploy --port`: a short Python script run in the raw REPL reports
// sys.implementation (name, version, _mpy), the largest small int, the folder deploys go to, and which
// modules the transfer can use (hashlib.sha256, binascii, deflate). The serial compatibility gate
// compares that with the build's .mpy headers the way py/persistentcode.c checks them on import.
#pragma once

#include "mpyship/deploy/compat_gate.h"
#include "mpyship/util/error.h"

#include <optional>
#include <string>
#include <string_view>

namespace mpyship::deploy {

// sys.implementation._mpy decoded as docs/reference/mpyfiles.rst describes it.
struct MpyAbi {
    int version = 0;          // low 8 bits
    int sub_version = 0;      // bits 8..9
    int arch = 0;             // bits 10..13: the native architecture, 0 when the port runs no native code
    long long arch_flags = 0; // bits 16..
};
MpyAbi decode_mpy_abi(long long mpy);

struct DeviceInfo {
    std::string name;             // sys.implementation.name: "micropython", "circuitpython"
    std::string version;          // "1.28.0"
    std::string machine;          // sys.implementation._machine, may be empty
    std::optional<long long> mpy; // sys.implementation._mpy; absent when the port cannot import .mpy
    int small_int_bits = 0;       // MP_SMALL_INT_BITS, found by probing which ints are not heap objects
    std::string cwd;              // where the deploy goes: the working folder at connection time
    bool has_sha256 = false;      // hashlib.sha256: content comparison and verification on the device
    bool has_binascii = false;
    bool has_deflate = false; // deflate.DeflateIO: compressed transfers
    Runtime runtime() const;
    std::string describe() const; // "MicroPython 1.28.0 (.mpy v6.3, 31-bit small ints)"
};

std::string probe_script();
Result<DeviceInfo> parse_probe(std::string_view output, const std::string& port);

// nullopt when the device can import the build's .mpy files; otherwise why not (and --force).
std::optional<std::string> device_compatibility_problem(const DeviceInfo& device, const BuildFormat& format);

} // namespace mpyship::deploy
