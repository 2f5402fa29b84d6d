#include "mpyship/deploy/device_probe.h"

#include "mpyship/mpy/format.h"

#include <charconv>
#include <map>

namespace mpyship::deploy {
namespace {

// One "key value" line per fact. The small-int probe builds each candidate twice from text: two equal
// small ints are the same object, two equal big ints are not (ports without big ints raise instead).
constexpr std::string_view k_probe = R"(import sys,os
i=sys.implementation
print('name',i.name)
print('version','.'.join(str(x) for x in i.version[:3]))
print('machine',getattr(i,'_machine',''))
print('mpy',getattr(i,'_mpy',''))
b=0
for n in range(64,8,-1):
 try:
  if int(str((1<<(n-1))-1)) is int(str((1<<(n-1))-1)):
   b=n
   break
 except Exception:
  pass
print('small_int_bits',b)
print('cwd',os.getcwd())
def _ms_has(m,a):
 try:
  return hasattr(__import__(m),a)
 except ImportError:
  return False
print('sha256',int(_ms_has('hashlib','sha256')))
print('binascii',int(_ms_has('binascii','a2b_base64')))
print('deflate',int(_ms_has('deflate','DeflateIO')))
)";

std::map<std::string, std::string> parse_lines(std::string_view text) {
    std::map<std::string, std::string> out;
    while (!text.empty()) {
        auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        if (line.ends_with('\r'))
            line.remove_suffix(1);
        auto space = line.find(' ');
        if (space != line.npos)
            out[std::string(line.substr(0, space))] = std::string(line.substr(space + 1));
        text = end == text.npos ? std::string_view() : text.substr(end + 1);
    }
    return out;
}

std::optional<long long> to_number(const std::string& text) {
    long long value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size())
        return std::nullopt;
    return value;
}

char magic_of(Runtime runtime) {
    return runtime == Runtime::circuitpython ? char(mpy::k_magic_circuitpython)
                                             : char(mpy::k_magic_micropython);
}

std::string build_text(const BuildFormat& f) {
    return std::string("'") + magic_of(f.runtime) + "' .mpy v" + std::to_string(f.mpy_version) + " (" +
           std::string(runtime_name(f.runtime)) + ")";
}

std::optional<std::string> abi_problem(const DeviceInfo& d, const BuildFormat& f) {
    MpyAbi abi = decode_mpy_abi(*d.mpy);
    if (abi.version != f.mpy_version)
        return "it loads .mpy v" + std::to_string(abi.version) + "; the build has " + build_text(f) +
               " files";
    if (d.small_int_bits != 0 && f.small_int_bits > d.small_int_bits)
        return "its small ints have " + std::to_string(d.small_int_bits) +
               " bits; the build's .mpy files need " + std::to_string(f.small_int_bits) +
               " (compile with fewer small-int bits)";
    if (f.native_arch != 0 && (f.native_arch != abi.arch || f.native_sub_version != abi.sub_version))
        return "the build has native code for " +
               std::string(mpy::native_arch_name(mpy::NativeArch(f.native_arch))) + " but the device runs " +
               (abi.arch ? mpy::native_arch_name(mpy::NativeArch(abi.arch)) : "no native code");
    return std::nullopt;
}

} // namespace

MpyAbi decode_mpy_abi(long long mpy) {
    return {int(mpy & 0xff), int(mpy >> 8 & 3), int(mpy >> 10 & 0x0f), mpy >> 16};
}

Runtime DeviceInfo::runtime() const {
    if (name == "micropython")
        return Runtime::micropython;
    return name == "circuitpython" ? Runtime::circuitpython : Runtime::unknown;
}

std::string DeviceInfo::describe() const {
    std::string text =
        (runtime() == Runtime::unknown ? name : std::string(runtime_name(runtime()))) + " " + version;
    if (!mpy)
        return text + " (no .mpy import)";
    MpyAbi abi = decode_mpy_abi(*mpy);
    text += " (.mpy v" + std::to_string(abi.version) + "." + std::to_string(abi.sub_version);
    if (abi.arch)
        text += std::string(", ") + mpy::native_arch_name(mpy::NativeArch(abi.arch));
    return text + ", " + std::to_string(small_int_bits) + "-bit small ints)";
}

std::string probe_script() {
    return std::string(k_probe);
}

Result<DeviceInfo> parse_probe(std::string_view output, const std::string& port) {
    auto facts = parse_lines(output);
    if (!facts.contains("name") || !facts.contains("cwd"))
        return fail("the device's answer to the probe is not understood: " +
                        std::string(output.substr(0, 200)),
                    port);
    DeviceInfo d;
    d.name = facts["name"];
    d.version = facts["version"];
    d.machine = facts["machine"];
    d.mpy = to_number(facts["mpy"]);
    d.small_int_bits = int(to_number(facts["small_int_bits"]).value_or(0));
    d.cwd = facts["cwd"];
    d.has_sha256 = facts["sha256"] == "1";
    d.has_binascii = facts["binascii"] == "1";
    d.has_deflate = facts["deflate"] == "1";
    return d;
}

std::optional<std::string> device_compatibility_problem(const DeviceInfo& device, const BuildFormat& format) {
    if (format.mpy_files == 0)
        return std::nullopt;
    std::string prefix = "the device runs " + device.describe() + " and ";
    if (!device.mpy)
        return prefix + "cannot import .mpy files (--force deploys anyway)";
    if (device.runtime() == Runtime::unknown)
        return prefix + "mpyship does not know which .mpy files it loads (--force deploys anyway)";
    if (device.runtime() != format.runtime)
        return prefix + "loads " + (device.runtime() == Runtime::circuitpython ? "'C'" : "'M'") +
               " files; the build has " + build_text(format) + " files (--force deploys anyway)";
    if (auto why = abi_problem(device, format))
        return prefix + *why + " (--force deploys anyway)";
    return std::nullopt;
}

} // namespace mpyship::deploy
