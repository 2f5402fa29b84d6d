#include "mpyship/release/ota_publish.h"

#include "mpyship/project/manifest.h"
#include "mpyship/release/verify.h"
#include "mpyship/util/file_io.h"
#include "mpyship/util/sha256.h"
#include "mpyship/util/zlib_stream.h"


namespace mpyship::release {
namespace {

namespace fs = std::filesystem;

Result<void> make_dirs(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        return fail("cannot create folder: " + ec.message(), dir.string());
    return {};
}

// An object already in PUBDIR is kept when its bytes are right (the same content from an earlier release).
bool object_is_there(const fs::path& path, const std::string& sha256) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        return false;
    auto bytes = read_file(path);
    return bytes && sha256_hex(*bytes) == sha256;
}

MpyAbi abi_of(const project::Manifest& m) {
    MpyAbi abi;
    abi.header = m.target == "circuitpython" ? "C" : "M";
    auto dot = m.mpy_version.find('.');
    if (dot != std::string::npos) {
        abi.version = std::atoi(m.mpy_version.substr(0, dot).c_str());
        abi.sub_version = std::atoi(m.mpy_version.substr(dot + 1).c_str());
    }
    return abi;
}

struct ObjectWriter {
    const fs::path& out;
    PublishReport& report;

    Result<ReleaseFile> write(const project::ManifestFile& f, const Bytes& bytes) {
        ReleaseFile r{f.path, "objects/" + f.sha256, f.sha256, f.size, std::nullopt};
        fs::path object = out / "objects" / f.sha256;
        if (!object_is_there(object, f.sha256)) {
            if (auto w = write_file_atomic(object, bytes); !w)
                return std::unexpected(w.error());
            ++report.objects_written;
        }
        auto z = zlib_compress(bytes);
        if (!z.empty() && z.size() < bytes.size()) {
            fs::path twin = out / "objects" / (f.sha256 + ".z");
            auto existing = read_file(twin);
            if (!existing || *existing != z)
                if (auto w = write_file_atomic(twin, z); !w)
                    return std::unexpected(w.error());
            r.z = z.size();
            ++report.compressed;
        }
        return r;
    }
};

std::string package_json(const SignedRelease& r, const std::string& name) {
    nlohmann::ordered_json urls = nlohmann::ordered_json::array();
    for (const auto& f : r.files)
        urls.push_back({f.path, "../" + f.download_path});
    nlohmann::ordered_json j{{"name", name}, {"version", r.version}, {"urls", urls}, {"deps", nlohmann::json::array()}};
    return j.dump(2) + "\n";
}

Result<SignedRelease> release_for(const PublishOptions& o, const project::Manifest& m, PublishReport& report) {
    auto previous = current_sequence(o.out, o.channel);
    if (!previous)
        return std::unexpected(previous.error());
    SignedRelease r;
    r.sequence = o.sequence.value_or(*previous + 1);
    if (r.sequence <= *previous)
        return fail("--sequence " + std::to_string(r.sequence) + " is not above the channel's current release " +
                        std::to_string(*previous) + ": devices refuse a sequence they have already seen",
                    (o.out / o.channel / "manifest.json").string());
    r.version = m.version;
    r.build_timestamp = m.build_timestamp;
    r.channel = o.channel;
    r.target = m.target;
    r.mpy_abi = abi_of(m);
    r.board = o.board;
    r.expires = o.expires;
    ObjectWriter objects{o.out, report};
    for (const auto& f : m.files) {
        auto bytes = read_file(o.build_dir / "mpy" / f.path);
        if (!bytes)
            return std::unexpected(bytes.error());
        // Each file is checked against the manifest as it is read: a damaged build is never published.
        if (bytes->size() != f.size || sha256_hex(*bytes) != f.sha256)
            return fail("the build does not match its manifest; run `mpyship build`",
                        (o.build_dir / "mpy" / f.path).string());
        auto file = objects.write(f, *bytes);
        if (!file)
            return std::unexpected(file.error());
        r.files.push_back(std::move(*file));
    }
    return r;
}

} // namespace

bool is_valid_channel(std::string_view name) {
    return !name.empty() && name.size() <= 64 && name != "." && name != ".." && name != "objects" &&
           name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
               std::string_view::npos;
}

Result<std::uint64_t> current_sequence(const fs::path& out, const std::string& channel) {
    fs::path path = out / channel / "manifest.json";
    std::error_code ec;
    if (!fs::exists(path, ec))
        return 0;
    auto text = read_text_file(path);
    auto envelope = text ? split_envelope(*text) : std::unexpected(text.error());
    if (!envelope)
        return fail("cannot read the channel's current release: " + envelope.error().message, path.string());
    auto j = nlohmann::json::parse(envelope->signed_bytes, nullptr, false);
    if (j.is_discarded() || !j.contains("sequence") || !j["sequence"].is_number_unsigned())
        return fail("the channel's current release has no sequence", path.string());
    return j["sequence"].get<std::uint64_t>();
}

Result<PublishReport> publish_release(const PublishOptions& o) {
    if (!is_valid_channel(o.channel))
        return fail("channel names use letters, digits, '.', '_' and '-' (got '" + o.channel + "')");
    auto manifest = load_manifest(o.build_dir / project::k_manifest_file);
    if (!manifest)
        return std::unexpected(manifest.error());
    PublishReport report;
    for (const auto& dir : {o.out / "objects", o.out / o.channel / "releases"})
        if (auto d = make_dirs(dir); !d)
            return std::unexpected(d.error());
    auto release = release_for(o, *manifest, report);
    if (!release)
        return std::unexpected(release.error());
    auto envelope = make_envelope(*release, std::span(&o.key, 1));
    if (!envelope)
        return std::unexpected(envelope.error());
    fs::path kept = o.out / o.channel / "releases" / (std::to_string(release->sequence) + ".json");
    std::error_code ec;
    if (fs::exists(kept, ec))
        return fail("a release with this sequence was already published", kept.string());
    report.manifest = o.out / o.channel / "manifest.json";
    for (const auto& [path, text] : {std::pair{kept, *envelope},
                                     std::pair{o.out / o.channel / "package.json", package_json(*release, o.name)},
                                     std::pair{report.manifest, *envelope}})
        if (auto w = write_file_atomic(path, text); !w)
            return std::unexpected(w.error());
    report.sequence = release->sequence;
    report.version = release->version;
    report.files = release->files.size();
    return report;
}

} // namespace mpyship::release
