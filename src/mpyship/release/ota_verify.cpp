#include "mpyship/release/ota_verify.h"

#include "mpyship/release/ota_publish.h"
#include "mpyship/release/signed_release.h"
#include "mpyship/util/file_io.h"
#include "mpyship/util/sha256.h"
#include "mpyship/util/zlib_stream.h"

#include <algorithm>
#include <set>

namespace mpyship::release {
namespace {

namespace fs = std::filesystem;

struct TreeChecker {
    fs::path root;
    std::span<const PublicKey> trusted;
    VerifyReport report;
    std::set<std::string> checked_objects;

    void problem(ProblemKind kind, std::string path, std::string detail) {
        report.problems.push_back({kind, std::move(path), std::move(detail)});
    }

    void check_object(const ReleaseFile& f) {
        if (!checked_objects.insert(f.sha256).second)
            return;
        ++report.files_checked;
        auto bytes = read_file(root / f.download_path);
        if (!bytes)
            return problem(ProblemKind::missing, f.download_path, "object of " + f.path + " is not there");
        if (bytes->size() != f.size || sha256_hex(*bytes) != f.sha256)
            return problem(ProblemKind::wrong_hash, f.download_path, "object of " + f.path + " has other content");
        if (!f.z)
            return;
        auto z = read_file(root / (f.download_path + ".z"));
        if (!z || z->size() != *f.z)
            return problem(ProblemKind::wrong_size, f.download_path + ".z", "compressed twin missing or of another size");
        auto inflated = zlib_inflate(*z, f.size);
        if (!inflated || sha256_hex(*inflated) != f.sha256)
            return problem(ProblemKind::wrong_hash, f.download_path + ".z", "compressed twin does not inflate to the object");
    }

    std::optional<SignedRelease> check_manifest(const fs::path& path) {
        auto text = read_text_file(path);
        auto release = text ? open_envelope(*text, trusted, path.string()) : std::unexpected(text.error());
        std::string rel = path.lexically_relative(root).generic_string();
        if (!release) {
            problem(ProblemKind::bad_signature, rel, release.error().message);
            return std::nullopt;
        }
        for (const auto& f : release->files)
            check_object(f);
        return *release;
    }

    void check_channel(const fs::path& dir) {
        auto current = check_manifest(dir / "manifest.json");
        std::uint64_t newest = 0;
        std::error_code ec;
        for (fs::directory_iterator it(dir / "releases", ec), end; !ec && it != end; it.increment(ec))
            if (it->path().extension() == ".json")
                if (auto r = check_manifest(it->path()))
                    newest = std::max(newest, r->sequence);
        if (current && current->sequence < newest)
            problem(ProblemKind::wrong_hash, (dir / "manifest.json").lexically_relative(root).generic_string(),
                    "is sequence " + std::to_string(current->sequence) + " but release " + std::to_string(newest) +
                        " was published after it");
    }
};

} // namespace

bool is_published_tree(const fs::path& path) {
    std::error_code ec;
    if (fs::is_regular_file(path, ec))
        return path.filename() == "manifest.json" && fs::is_directory(path.parent_path().parent_path() / "objects", ec);
    return fs::is_directory(path / "objects", ec);
}

Result<VerifyReport> verify_published(const fs::path& path, std::span<const PublicKey> trusted) {
    if (trusted.empty())
        return fail("verifying a published tree needs --pubkey (the key devices trust)", path.string());
    std::error_code ec;
    bool one_manifest = fs::is_regular_file(path, ec);
    TreeChecker c{one_manifest ? path.parent_path().parent_path() : path, trusted, {}, {}};
    c.report.source = path.string();
    if (one_manifest) {
        c.check_manifest(path);
    } else {
        std::vector<fs::path> channels;
        for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec))
            if (fs::is_regular_file(it->path() / "manifest.json"))
                channels.push_back(it->path());
        if (channels.empty())
            return fail("no channel folder with a manifest.json (publish with `mpyship publish`)", path.string());
        std::sort(channels.begin(), channels.end());
        for (const auto& ch : channels)
            c.check_channel(ch);
    }
    std::stable_sort(c.report.problems.begin(), c.report.problems.end(),
                     [](const auto& a, const auto& b) { return a.path < b.path; });
    return c.report;
}

} // namespace mpyship::release
