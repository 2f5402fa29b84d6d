// `mpyship keygen [--out FILE]`: an Ed25519 key pair for signing OTA releases.
#include "mpyship/cli/color.h"
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/commands.h"
#include "mpyship/cli/parse_args.h"
#include "mpyship/release/signing_key.h"

#include <fmt/core.h>

namespace mpyship::cli {

int cmd_keygen(std::string_view program, std::span<const std::string> args) {
    CLI::App app{"Make an Ed25519 key pair for signing OTA releases (`mpyship publish --key FILE`). The private "
                 "key file is created 0600; FILE.pub holds the public key that devices trust.",
                 std::string(program) + " keygen"};
    std::string out = "mpyship-ota.key";
    bool force = false;
    app.add_option("--out", out, "private key file (default: mpyship-ota.key)");
    app.add_flag("--force", force, "replace an existing key file (devices trusting the old key will refuse "
                                   "releases signed with the new one)");
    if (auto rc = parse_args(app, args))
        return *rc;
    auto key = release::generate_signing_key();
    if (auto w = release::write_signing_key(out, key, force); !w) {
        print_error(w.error().to_string());
        return k_exit_failure;
    }
    std::string pub = release::public_key_text(key.public_key);
    fmt::print("wrote {} (private, mode 600) and {}.pub\n", out, out);
    fmt::print("public key: {} (keyid {})\n\n", pub, release::key_id(key.public_key));
    fmt::print("Devices trust it through mpyship.toml:\n\n[ota]\nurl = \"http://HOST/PATH\"\npublic_keys = [\"{}\"]\n", pub);
    return k_exit_ok;
}

} // namespace mpyship::cli
