#include "mpyship/device/device_scripts.h"

#include "mpyship/deploy/device_files.h"
#include "mpyship/device/device_path.h"

#include <charconv>

namespace mpyship::device {
namespace {

// _d_ls walks one folder (b: the listed folder with its '/', s: the path below it); a folder that cannot be
// listed is reported ("X") and skipped, so one bad entry never hides the rest.
constexpr std::string_view k_helpers = R"(import os,binascii
def _d_h(s):
 return binascii.hexlify(s.encode()).decode()
def _d_st(p):
 try:
  return os.stat(p)
 except OSError:
  return None
def _d_e(e):
 n=''
 try:
  import errno
  n=errno.errorcode.get(e.errno,'')
 except Exception:
  pass
 print('!E',e.errno,n or '-')
def _d_ls(b,s,r):
 try:
  l=list(os.ilistdir((b+s) or '.'))
 except OSError:
  print('X',-1,_d_h(s))
  return
 for e in l:
  n=s+e[0]
  d=e[1]&0x4000
  z=0
  if not d:
   t=_d_st(b+n)
   z=t[6] if t else -1
  print('D' if d else 'F',z,_d_h(n))
  if d and r:
   _d_ls(b,n+'/',r)
def _d_stat(p):
 t=_d_st(p or '.')
 if t is None:
  print('!N')
 else:
  print('D' if t[0]&0x4000 else 'F',t[6],_d_h(p))
def _d_list(p,r):
 t=_d_st(p or '.')
 if t is None:
  print('!N')
 elif not t[0]&0x4000:
  print('F',t[6],_d_h(p))
 else:
  _d_ls(p+'/' if p and p[-1]!='/' else p,'',r)
def _d_get(p):
 t=_d_st(p)
 if t is None:
  print('!N')
  return
 if t[0]&0x4000:
  print('!D')
  return
 print('S',t[6])
 b=bytearray(384);m=memoryview(b)
 with open(p,'rb') as f:
  while 1:
   n=f.readinto(b)
   if not n:
    break
   print(binascii.b2a_base64(m[:n]).decode(),end='')
def _d_rm(p):
 if os.stat(p)[0]&0x4000:
  for n in [e[0] for e in os.ilistdir(p)]:
   _d_rm(p+'/'+n)
  os.rmdir(p)
 else:
  os.remove(p)
def _d_rmc(p,r):
 t=_d_st(p)
 if t is None:
  print('!N')
 elif t[0]&0x4000 and not r:
  print('!D')
 else:
  try:
   _d_rm(p)
   print('OK')
  except OSError as e:
   _d_e(e)
def _d_mkdir(p):
 if _d_st(p) is not None:
  print('!X')
  return
 try:
  os.mkdir(p)
  print('OK')
 except OSError as e:
  _d_e(e)
def _d_df(p):
 s=os.statvfs(p or '.')
 print('V',s[1]*s[2],s[1]*s[4],s[1])
def _d_hash(p):
 t=_d_st(p)
 if t is None:
  print('!N')
 elif t[0]&0x4000:
  print('!D')
 else:
  print('H',_ms_hash(p))
)";

std::string errno_name_text(std::string_view name, int number) {
    if (name == "ENOENT")
        return errno_text(2);
    if (name == "EEXIST")
        return errno_text(17);
    if (name == "ENOTDIR")
        return errno_text(20);
    if (name == "EISDIR")
        return errno_text(21);
    if (name == "ENOSPC")
        return errno_text(28);
    if (name == "EROFS")
        return errno_text(30);
    if (name == "EACCES" || name == "EPERM")
        return "permission denied (a folder that is not empty, or a read-only file system)";
    return "OSError " + std::to_string(number) + (name.empty() || name == "-" ? "" : " " + std::string(name));
}

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    while (!line.empty()) {
        auto space = line.find(' ');
        if (space != 0)
            out.push_back(line.substr(0, space));
        line = space == line.npos ? std::string_view() : line.substr(space + 1);
    }
    return out;
}

bool to_int(std::string_view text, std::int64_t& value) {
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && p == text.data() + text.size();
}

Error marker_error(std::string_view line, const std::string& path) {
    if (line == "!N")
        return Error{errno_text(2), path};
    if (line == "!D")
        return Error{"is a folder (rm needs -r for a folder)", path};
    if (line == "!X")
        return Error{errno_text(17), path};
    auto w = words(line);
    std::int64_t number = 0;
    if (w.size() >= 2 && to_int(w[1], number))
        return Error{errno_name_text(w.size() > 2 ? w[2] : "", int(number)), path};
    return Error{"unexpected reply from the device: " + std::string(line), path};
}

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

} // namespace

std::string_view device_helpers() {
    return k_helpers;
}

std::string device_call(std::string_view helper, std::string_view path, std::string_view extra) {
    std::string call = std::string(helper) + "(" + deploy::python_string(path);
    if (!extra.empty())
        call += "," + std::string(extra);
    return call + ")\n";
}

Result<std::vector<std::string>> reply_lines(std::string_view out, const std::string& path) {
    std::vector<std::string> lines;
    while (!out.empty()) {
        auto end = out.find('\n');
        std::string_view line = out.substr(0, end);
        if (line.ends_with('\r'))
            line.remove_suffix(1);
        if (line.starts_with('!'))
            return std::unexpected(marker_error(line, path));
        if (!line.empty())
            lines.emplace_back(line);
        out = end == out.npos ? std::string_view() : out.substr(end + 1);
    }
    return lines;
}

std::string hex_decode_text(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out += char(hex_value(hex[i]) << 4 | hex_value(hex[i + 1]));
    return out;
}

Result<std::vector<DeviceEntry>> parse_listing(const std::vector<std::string>& lines, const std::string& path) {
    std::vector<DeviceEntry> entries;
    for (const auto& line : lines) {
        auto w = words(line);
        DeviceEntry e;
        if (w.size() != 3 || (w[0] != "D" && w[0] != "F" && w[0] != "X") || !to_int(w[1], e.size))
            return fail("unexpected listing line from the device: " + line, path);
        e.is_dir = w[0] != "F";
        e.path = hex_decode_text(w[2]);
        entries.push_back(std::move(e));
    }
    return entries;
}

Result<Bytes> base64_decode(std::string_view text) {
    Bytes out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        if (c == '=' || c == '\n' || c == '\r' || c == ' ')
            continue;
        int v = base64_value(c);
        if (v < 0)
            return fail("the device sent a character that is not base64");
        acc = acc << 6 | std::uint32_t(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(std::uint8_t(acc >> bits & 0xff));
        }
    }
    return out;
}

Result<Bytes> parse_content(const std::vector<std::string>& lines, const std::string& path) {
    std::int64_t size = -1;
    if (lines.empty() || !lines[0].starts_with("S ") || !to_int(std::string_view(lines[0]).substr(2), size))
        return fail("unexpected reply from the device while reading the file", path);
    std::string text;
    for (std::size_t i = 1; i < lines.size(); ++i)
        text += lines[i];
    auto bytes = base64_decode(text);
    if (!bytes)
        return fail(bytes.error().message, path);
    if (std::int64_t(bytes->size()) != size)
        return fail("read " + std::to_string(bytes->size()) + " bytes but the file has " + std::to_string(size) +
                        " (did it change while it was read?)",
                    path);
    return bytes;
}

} // namespace mpyship::device
