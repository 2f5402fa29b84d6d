#include "mpyship/deploy/device_snapshot.h"

#include "mpyship/deploy/deploy_record.h"
#include "mpyship/deploy/device_files.h"
#include "mpyship/deploy/drive_names.h"

#include <charconv>

namespace mpyship::deploy {
namespace {

// Output lines: "D path" (a folder walked), "d path" (a folder listed but not entered), "F size hash-or--
// path" (the first 16 hex digits of the SHA-256, for files whose size matches the build's: a quarter of the
// bytes back over the link), "E errno path" (an entry that could not be read: skipped), "J record" (the
// record on one line: as it is, or re-encoded by the device's json when the file is indented; half the bytes
// of hex, and the record was most of an unchanged redeploy's reply) or "R hex-of-record" (a record that is
// not JSON, which the host then reports). Paths are relative to
// the working folder and '/'-separated. Only the folders the plan needs are entered (the build's folders,
// folders named like a build module, which may be stale packages, and the folders of recorded paths), so
// another file system mounted under the working folder (an SD card at /sd) is listed, never walked.
constexpr std::string_view k_walk = R"(import os,binascii,json
def _ms_walk(d):
 try:
  l=list(os.ilistdir(d if d else '.'))
 except OSError as x:
  print('E',x.args[0] if x.args else 0,d[:-1]);return
 for e in l:
  p=d+e[0]
  try:
   if e[1]&0x4000:
    if p.lower() in _ms_enter:
     print('D',p);_ms_walk(p+'/')
    else:
     print('d',p)
   else:
    n=e[3] if len(e)>3 and e[3]>=0 else os.stat(p)[6]
    h=_ms_hash(p)[:16] if _ms_want.get(p.lower())==n else '-'
    print('F',n,h,p)
  except OSError as x:
   print('E',x.args[0] if x.args else 0,p)
try:
 with open(')"
                                    "%RECORD%"
                                    R"(','rb') as f:
  _ms_r=f.read()
 _ms_t=None
 try:
  _ms_t=_ms_r.decode()
 except Exception:
  pass
 _ms_j=None
 try:
  _ms_j=json.loads(_ms_t)
  if '\n' in _ms_t or '\r' in _ms_t:
   _ms_t=json.dumps(_ms_j)
 except Exception:
  pass
 if _ms_j is not None and '\n' not in _ms_t and '\r' not in _ms_t and '\x04' not in _ms_t:
  print('J',_ms_t)
 else:
  print('R',binascii.hexlify(_ms_r).decode())
 for q in _ms_j.get('files',[]):
  i=q.find('/')
  while i>0:
   _ms_enter.add(q[:i].lower());i=q.find('/',i+1)
except Exception:
 pass
_ms_walk('')
)";

// Folders the walk enters (folded): every folder of a build path, the folder a stale package of a build
// module would have, and the deploy record's folder. The device derives them from the paths in _ms_want
// rather than receiving a second list of nearly the same names over the link.
constexpr std::string_view k_enter_from_want = R"(for q in _ms_want:
 i=q.find('/')
 while i>0:
  _ms_enter.add(q[:i]);i=q.find('/',i+1)
 for x in ('.py','.mpy'):
  if q.endswith(x):
   _ms_enter.add(q[:-len(x)])
)";

std::string enter_table() {
    std::string_view record_dir =
        std::string_view(k_record_path).substr(0, std::string_view(k_record_path).find('/'));
    return "_ms_enter={" + python_string(fat_fold(record_dir)) + "}\n" + std::string(k_enter_from_want);
}

// Every build path (folded) with its size, or -1 when the device cannot hash (then no file is hashed).
std::string want_table(const project::Manifest& manifest, bool hash) {
    std::string out = "_ms_want={";
    for (const auto& f : manifest.files)
        out += python_string(fat_fold(f.path)) + ":" + (hash ? std::to_string(f.size) : "-1") + ",";
    return out + "}\n";
}

std::optional<std::string> unhex(std::string_view hex) {
    if (hex.size() % 2)
        return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        unsigned v = 0;
        auto [p, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, v, 16);
        if (ec != std::errc() || p != hex.data() + i + 2)
            return std::nullopt;
        out += char(v);
    }
    return out;
}

Result<void> parse_file_line(std::string_view rest, DeviceTree& tree) {
    auto s1 = rest.find(' ');
    auto s2 = s1 == rest.npos ? rest.npos : rest.find(' ', s1 + 1);
    std::uint64_t size = 0;
    if (s2 == rest.npos || std::from_chars(rest.data(), rest.data() + s1, size).ec != std::errc())
        return fail("bad file line");
    DeviceFile f{std::string(rest.substr(s2 + 1)), size, std::nullopt};
    if (auto h = rest.substr(s1 + 1, s2 - s1 - 1); h != "-")
        f.sha256 = std::string(h);
    tree.files[fat_fold(f.path)] = std::move(f);
    return {};
}

Result<void> parse_line(std::string_view line, DeviceSnapshot& snap) {
    if (line.starts_with("D ") || line.starts_with("d ")) {
        std::string path(line.substr(2));
        snap.tree.dirs[fat_fold(path)] = path;
        if (line[0] == 'd')
            snap.tree.unexplored.insert(fat_fold(path));
        return {};
    }
    if (line.starts_with("E ")) {
        auto rest = line.substr(2);
        auto space = rest.find(' ');
        if (space == rest.npos)
            return fail("bad unreadable-entry line");
        snap.unreadable.push_back(std::string(rest.substr(space + 1)) + " (OSError " +
                                  std::string(rest.substr(0, space)) + ")");
        return {};
    }
    if (line.starts_with("F "))
        return parse_file_line(line.substr(2), snap.tree);
    if (line.starts_with("J ")) {
        snap.record_json = std::string(line.substr(2));
        return {};
    }
    if (line.starts_with("R ")) {
        snap.record_json = unhex(line.substr(2));
        return snap.record_json ? Result<void>{} : fail("bad record line");
    }
    return line.empty() ? Result<void>{} : fail("unexpected line");
}

} // namespace

std::string snapshot_script(const project::Manifest& manifest, bool hash) {
    std::string script(k_walk);
    script.replace(script.find("%RECORD%"), 8, k_record_path);
    std::string head = hash ? std::string(device_hash_function()) : "";
    return head + want_table(manifest, hash) + enter_table() + script;
}

Result<DeviceSnapshot> parse_snapshot(std::string_view output, const std::string& port) {
    DeviceSnapshot snap;
    while (!output.empty()) {
        auto end = output.find('\n');
        std::string_view line = output.substr(0, end);
        if (line.ends_with('\r'))
            line.remove_suffix(1);
        if (auto r = parse_line(line, snap); !r)
            return fail("the device's file listing is not understood (" + r.error().message +
                            "): " + std::string(line.substr(0, 120)),
                        port);
        output = end == output.npos ? std::string_view() : output.substr(end + 1);
    }
    return snap;
}

void assume_equal_sizes_match(DeviceTree& tree, const project::Manifest& manifest) {
    for (const auto& f : manifest.files)
        if (auto it = tree.files.find(fat_fold(f.path)); it != tree.files.end() && it->second.size == f.size)
            it->second.sha256 = f.sha256;
}

void expand_digest_prefixes(DeviceTree& tree, const project::Manifest& manifest) {
    for (const auto& f : manifest.files)
        if (auto it = tree.files.find(fat_fold(f.path)); it != tree.files.end() && it->second.sha256 &&
                                                         it->second.sha256->size() == k_listing_digits &&
                                                         f.sha256.starts_with(*it->second.sha256))
            it->second.sha256 = f.sha256;
}

} // namespace mpyship::deploy
