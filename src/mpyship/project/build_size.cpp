#include "mpyship/project/build_size.h"

#include "mpyship/mpy/reader.h"
#include "mpyship/mpy/writer.h"
#include "mpyship/project/manifest.h"
#include "mpyship/util/file_io.h"

#include <algorithm>
#include <map>
#include <set>

namespace mpyship::project {
namespace {

namespace fs = std::filesystem;

std::uint64_t vuint_size(std::uint64_t v) {
    Bytes b;
    mpy::put_vuint(b, v);
    return b.size();
}

std::uint64_t native_bytes(const mpy::RawCode& rc) {
    std::uint64_t n = 0;
    if (rc.kind != mpy::CodeKind::bytecode)
        n += rc.native.code.size() + rc.native.rodata.size() + rc.native.relocations.size();
    for (const auto& child : rc.children)
        n += native_bytes(child);
    return n;
}

void collect_strings(const mpy::Constant& c, std::set<std::string>& out) {
    if (c.kind == mpy::ObjKind::str)
        out.insert(c.data);
    for (const auto& item : c.items)
        collect_strings(item, out);
}

// The strings a module stores itself: non-static qstrs and str constants.
std::set<std::string> own_strings(const mpy::Module& m) {
    std::set<std::string> out;
    for (const auto& q : m.qstrs)
        if (!q.is_static)
            out.insert(q.text);
    for (const auto& c : m.constants)
        collect_strings(c, out);
    return out;
}

// The source a build file came from: lib/a.mpy <- lib/a.py; copied files keep their name.
std::string source_for(const std::string& path, const fs::path& src_dir) {
    std::string candidate = path;
    if (path.ends_with(".mpy"))
        candidate = path.substr(0, path.size() - 4) + ".py";
    std::error_code ec;
    return fs::is_regular_file(src_dir / candidate, ec) ? candidate : std::string();
}

std::vector<SharedString> shared_strings(const std::map<std::string, std::set<std::string>>& files_of) {
    std::vector<SharedString> out;
    for (const auto& [text, files] : files_of)
        if (files.size() > 1)
            out.push_back({text, {files.begin(), files.end()}, (text.size() + 1) * (files.size() - 1)});
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.extra_bytes > b.extra_bytes; });
    return out;
}

void add_sections(MpySections& total, const MpySections& s) {
    total.header += s.header;
    total.qstrs += s.qstrs;
    total.constants += s.constants;
    total.bytecode += s.bytecode;
    total.native += s.native;
}

} // namespace

MpySections mpy_sections(const mpy::Module& m, std::uint64_t file_size) {
    MpySections s;
    s.header = mpy::k_header_size + (m.header.has_arch_flags ? vuint_size(m.header.arch_flags) : 0);
    std::uint64_t written = mpy::write_module(m).size();
    mpy::Module without = m;
    without.qstrs.clear();
    s.qstrs = written - mpy::write_module(without).size() + vuint_size(0);
    without = m;
    without.constants.clear();
    s.constants = written - mpy::write_module(without).size() + vuint_size(0);
    s.native = native_bytes(m.root);
    std::uint64_t counted = s.header + s.qstrs + s.constants + s.native;
    s.bytecode = file_size > counted ? file_size - counted : 0; // raw-code framing + preludes + opcodes
    return s;
}

Result<SizeReport> measure_build(const ProjectConfig& config) {
    fs::path manifest_path = config.out_dir() / "manifest.json";
    auto text = read_text_file(manifest_path);
    auto manifest = text ? manifest_from_json(*text, manifest_path.string()) : std::unexpected(text.error());
    if (!manifest)
        return std::unexpected(manifest.error());
    SizeReport report;
    std::map<std::string, std::set<std::string>> files_of;
    for (const auto& f : manifest->files) {
        fs::path file = config.out_dir() / "mpy" / f.path;
        auto bytes = read_file(file);
        if (!bytes)
            return std::unexpected(bytes.error());
        if (bytes->size() != f.size)
            return fail("the file is " + std::to_string(bytes->size()) + " bytes but the manifest says " +
                            std::to_string(f.size) + ": rebuild",
                        file.string());
        FileSize fsz{f.path, source_for(f.path, config.src_dir()), std::nullopt, f.size, std::nullopt};
        std::error_code ec;
        if (!fsz.source.empty())
            fsz.source_size = fs::file_size(config.src_dir() / fsz.source, ec);
        if (f.path.ends_with(".mpy")) {
            auto module = mpy::read_module(*bytes);
            if (!module)
                return fail(module.error().to_string(), file.string());
            fsz.sections = mpy_sections(*module, bytes->size());
            add_sections(report.sections_total, *fsz.sections);
            for (const auto& s : own_strings(*module))
                files_of[s].insert(f.path);
        }
        report.source_total += fsz.source_size.value_or(0);
        report.size_total += fsz.size;
        report.files.push_back(std::move(fsz));
    }
    report.shared_strings = shared_strings(files_of);
    return report;
}

} // namespace mpyship::project
