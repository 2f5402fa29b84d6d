#include "mpyship/release/signing_key.h"

#include "mpyship/util/file_io.h"
#include "mpyship/util/sha256.h"
#include "mpyship/util/text_lines.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mpyship::release {
namespace {

constexpr std::string_view k_public_prefix = "ed25519:";
constexpr std::string_view k_secret_prefix = "ed25519-secret:";

void init_sodium() {
    static const bool ready = sodium_init() >= 0;
    (void)ready;
}

std::string key_file_text(const SigningKey& key) {
    return "# mpyship OTA signing key (Ed25519). Keep it secret: whoever holds it can sign releases\n"
           "# that every device trusting the public key below will install.\n"
           "# public: " +
           public_key_text(key.public_key) + "\n" + std::string(k_secret_prefix) +
           base64(std::span(key.secret.data(), 32)) + "\n";
}

Result<void> write_new_file(const std::filesystem::path& path, std::string_view text, mode_t mode, bool overwrite) {
    if (!overwrite) {
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd < 0)
            return fail(errno == EEXIST ? "already exists (--force replaces it)"
                                        : std::string("cannot create: ") + std::strerror(errno),
                        path.string());
        ::close(fd);
    }
    return write_file_atomic(path, text, mode);
}

} // namespace

std::string base64(std::span<const std::uint8_t> bytes) {
    init_sodium();
    std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
    out.resize(std::strlen(out.c_str()));
    return out;
}

Result<std::vector<std::uint8_t>> unbase64(std::string_view text) {
    init_sodium();
    std::vector<std::uint8_t> out(text.size() * 3 / 4 + 3);
    std::size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != text.data() + text.size())
        return fail("not valid base64");
    out.resize(len);
    return out;
}

SigningKey generate_signing_key() {
    init_sodium();
    SigningKey k;
    crypto_sign_keypair(k.public_key.data(), k.secret.data());
    return k;
}

Result<void> write_signing_key(const std::filesystem::path& path, const SigningKey& key, bool overwrite) {
    if (auto w = write_new_file(path, key_file_text(key), 0600, overwrite); !w)
        return w;
    return write_new_file(path.string() + ".pub", public_key_text(key.public_key) + "\n", 0644, true);
}

Result<SigningKey> read_signing_key(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return fail(std::string("cannot read the signing key: ") + std::strerror(errno), path.string());
    if (st.st_mode & 077)
        return fail("the signing key can be read by others (mode " +
                        std::to_string((st.st_mode >> 6) & 7) + std::to_string((st.st_mode >> 3) & 7) +
                        std::to_string(st.st_mode & 7) + "); run `chmod 600 " + path.string() + "`",
                    path.string());
    auto text = read_text_file(path);
    if (!text)
        return std::unexpected(text.error());
    for (auto line : split_lines(*text)) {
        line = trim(line);
        if (!line.starts_with(k_secret_prefix))
            continue;
        auto seed = unbase64(line.substr(k_secret_prefix.size()));
        if (!seed || seed->size() != 32)
            return fail("the signing key is damaged (expected 32 bytes of base64 after 'ed25519-secret:')",
                        path.string());
        init_sodium();
        SigningKey k;
        crypto_sign_seed_keypair(k.public_key.data(), k.secret.data(), seed->data());
        return k;
    }
    return fail("not an mpyship signing key (no 'ed25519-secret:' line; make one with `mpyship keygen`)",
                path.string());
}

std::string public_key_text(const PublicKey& key) { return std::string(k_public_prefix) + base64(key); }

Result<PublicKey> parse_public_key(std::string_view text) {
    text = trim(text);
    if (!text.starts_with(k_public_prefix))
        return fail("a public key looks like 'ed25519:<base64>'");
    auto bytes = unbase64(text.substr(k_public_prefix.size()));
    if (!bytes || bytes->size() != 32)
        return fail("a public key is 32 bytes of base64 after 'ed25519:'");
    PublicKey k;
    std::copy(bytes->begin(), bytes->end(), k.begin());
    return k;
}

Result<PublicKey> read_public_key(const std::string& text_or_path) {
    if (std::string_view(text_or_path).starts_with(k_public_prefix))
        return parse_public_key(text_or_path);
    auto text = read_text_file(text_or_path);
    if (!text)
        return std::unexpected(text.error());
    for (auto line : split_lines(*text)) {
        line = trim(line);
        if (auto at = line.find(k_public_prefix); at != std::string_view::npos && !line.starts_with("ed25519-s")) {
            auto key = parse_public_key(line.substr(at));
            if (!key)
                return fail(key.error().message, text_or_path);
            return key;
        }
    }
    return fail("no 'ed25519:' public key in the file", text_or_path);
}

std::string key_id(const PublicKey& key) { return sha256_hex(key).substr(0, 16); }

Signature sign(const SigningKey& key, std::span<const std::uint8_t> message) {
    init_sodium();
    Signature sig{};
    crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), key.secret.data());
    return sig;
}

bool verify_signature(const PublicKey& key, std::span<const std::uint8_t> message, const Signature& sig) {
    init_sodium();
    return crypto_sign_verify_detached(sig.data(), message.data(), message.size(), key.data()) == 0;
}

} // namespace mpyship::release
