#include "mpyship/release/signed_release.h"

#include "mpyship/project/manifest.h"
#include "mpyship/release/canonical_json.h"
#include "mpyship/util/sha256.h"

namespace mpyship::release {
namespace {

constexpr std::string_view k_head = "{\"signed\":";
constexpr std::string_view k_middle = ",\"signatures\":[";
constexpr std::string_view k_tail = "]}";

bool is_hex64(const std::string& s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

Result<ReleaseFile> file_from_json(const nlohmann::json& f) {
    ReleaseFile out;
    try {
        out.path = f.at("path").get<std::string>();
        out.download_path = f.at("download_path").get<std::string>();
        out.sha256 = f.at("sha256").get<std::string>();
        out.size = f.at("size").get<std::uint64_t>();
        if (f.contains("z"))
            out.z = f.at("z").get<std::uint64_t>();
    } catch (const nlohmann::json::exception&) {
        return fail("a file entry needs path, download_path, sha256 and size");
    }
    if (!project::is_safe_relative_path(out.path))
        return fail("unsafe file path '" + out.path + "'");
    if (!is_hex64(out.sha256) || out.download_path != "objects/" + out.sha256)
        return fail("file '" + out.path + "': sha256 must be 64 lowercase hex digits and download_path objects/<sha256>");
    return out;
}

} // namespace

nlohmann::json release_json(const SignedRelease& r) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : r.files) {
        nlohmann::json j{{"path", f.path}, {"download_path", f.download_path}, {"sha256", f.sha256}, {"size", f.size}};
        if (f.z)
            j["z"] = *f.z;
        files.push_back(std::move(j));
    }
    nlohmann::json j{{"format", k_release_format},
                     {"version", r.version},
                     {"build_timestamp", r.build_timestamp},
                     {"sequence", r.sequence},
                     {"channel", r.channel},
                     {"target", r.target},
                     {"mpy_abi",
                      {{"header", r.mpy_abi.header},
                       {"version", r.mpy_abi.version},
                       {"sub_version", r.mpy_abi.sub_version},
                       {"small_int_bits", r.mpy_abi.small_int_bits}}},
                     {"files", files}};
    if (r.board)
        j["board"] = *r.board;
    if (r.expires)
        j["expires"] = *r.expires;
    return j;
}

Result<SignedRelease> release_from_json(const nlohmann::json& j) {
    SignedRelease r;
    try {
        if (j.at("format").get<int>() != k_release_format)
            return fail("unknown release format " + j.at("format").dump());
        r.version = j.at("version").get<std::string>();
        r.build_timestamp = j.at("build_timestamp").get<std::string>();
        r.sequence = j.at("sequence").get<std::uint64_t>();
        r.channel = j.at("channel").get<std::string>();
        r.target = j.at("target").get<std::string>();
        const auto& abi = j.at("mpy_abi");
        r.mpy_abi = {abi.at("header").get<std::string>(), abi.at("version").get<int>(),
                     abi.at("sub_version").get<int>(), abi.at("small_int_bits").get<int>()};
        if (j.contains("board"))
            r.board = j.at("board").get<std::string>();
        if (j.contains("expires"))
            r.expires = j.at("expires").get<std::int64_t>();
        for (const auto& f : j.at("files")) {
            auto file = file_from_json(f);
            if (!file)
                return std::unexpected(file.error());
            r.files.push_back(std::move(*file));
        }
    } catch (const nlohmann::json::exception& e) {
        return fail(std::string("the signed release is incomplete: ") + e.what());
    }
    if (r.sequence == 0)
        return fail("sequence must be at least 1");
    return r;
}

std::vector<std::uint8_t> signing_message(std::string_view signed_bytes) {
    std::vector<std::uint8_t> m(k_signing_context.begin(), k_signing_context.end());
    auto digest = Sha256().update(signed_bytes).digest();
    m.insert(m.end(), digest.begin(), digest.end());
    return m;
}

Result<std::string> make_envelope(const SignedRelease& release, std::span<const SigningKey> keys) {
    auto s = canonical_json(release_json(release));
    if (!s)
        return std::unexpected(s.error());
    auto message = signing_message(*s);
    std::string out = std::string(k_head) + *s + std::string(k_middle);
    for (std::size_t i = 0; i < keys.size(); ++i) {
        auto sig = sign(keys[i], message);
        auto entry = canonical_json({{"keyid", key_id(keys[i].public_key)}, {"sig", base64(sig)}});
        out += (i ? "," : "") + *entry;
    }
    return out + std::string(k_tail) + "\n";
}

Result<Envelope> split_envelope(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.remove_suffix(1);
    auto middle = text.rfind(k_middle);
    if (!text.starts_with(k_head) || middle == text.npos || !text.ends_with(k_tail) || middle < k_head.size())
        return fail("not a signed release manifest (expected {\"signed\":...,\"signatures\":[...]})");
    Envelope e;
    e.signed_bytes = std::string(text.substr(k_head.size(), middle - k_head.size()));
    auto sigs = nlohmann::json::parse(std::string("[") + std::string(text.substr(middle + k_middle.size(),
                                                                         text.size() - middle - k_middle.size() - k_tail.size())) + "]",
                                      nullptr, false);
    if (sigs.is_discarded() || !sigs.is_array())
        return fail("the signatures are not valid JSON");
    for (const auto& s : sigs) {
        if (!s.is_object() || !s.contains("keyid") || !s.contains("sig") || !s["keyid"].is_string() || !s["sig"].is_string())
            return fail("a signature needs keyid and sig");
        e.signatures.push_back({s["keyid"].get<std::string>(), s["sig"].get<std::string>()});
    }
    return e;
}

Result<SignedRelease> open_envelope(std::string_view text, std::span<const PublicKey> trusted, const std::string& name) {
    auto e = split_envelope(text);
    if (!e)
        return fail(e.error().message, name);
    auto message = signing_message(e->signed_bytes);
    bool verified = false;
    bool known_key = false;
    for (const auto& s : e->signatures)
        for (const auto& key : trusted) {
            if (s.keyid != key_id(key))
                continue;
            known_key = true;
            auto sig = unbase64(s.sig);
            Signature raw{};
            if (sig && sig->size() == raw.size()) {
                std::copy(sig->begin(), sig->end(), raw.begin());
                verified = verified || verify_signature(key, message, raw);
            }
        }
    if (!known_key)
        return fail("no signature by a trusted key (keyids " + [&] {
            std::string ids;
            for (const auto& s : e->signatures)
                ids += (ids.empty() ? "" : ", ") + s.keyid;
            return ids.empty() ? std::string("none") : ids;
        }() + ")", name);
    if (!verified)
        return fail("bad signature: the manifest was changed after signing, or signed by another key", name);
    auto parsed = nlohmann::json::parse(e->signed_bytes, nullptr, false);
    if (parsed.is_discarded())
        return fail("the signed part is not valid JSON", name);
    auto canonical = canonical_json(parsed);
    if (!canonical || *canonical != e->signed_bytes)
        return fail("the signed part is not canonical JSON (docs/ota.md)", name);
    auto release = release_from_json(parsed);
    if (!release)
        return fail(release.error().message, name);
    return release;
}

} // namespace mpyship::release
