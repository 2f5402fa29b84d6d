// `mpyship init [DIR]`: write a commented starter mpyship.toml (and src/ when missing); with --ci github,
// also a GitHub Actions workflow that builds on push and pull request and releases on tags.
#include "mpyship/cli/color.h"
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/commands.h"
#include "mpyship/cli/parse_args.h"
#include "mpyship/release/signing_key.h"
#include "mpyship/project/manifest.h"
#include "mpyship/project/project_config.h"
#include "mpyship/util/file_io.h"
#include "mpyship/util/version.h"

#include <algorithm>
#include <cctype>

#include <fmt/core.h>

namespace mpyship::cli {
namespace {

namespace fs = std::filesystem;

// The workflow installs a released mpyship: the pinned version's static .tar.gz from the release folder, its
// SHA-256 checked (pinned at `init`, else the folder's SHA256SUMS), then put on PATH. Only when no usable
// release is there does it build mpyship from source (repository variable MPYSHIP_REPO, tag v<version>),
// and the step says which of the two it did. Placeholders @...@ are filled by github_workflow().
constexpr std::string_view k_github_workflow = R"yaml(# Built by `mpyship init --ci github`.
name: mpyship

on:
  push:
    branches: [main, develop]
    paths: ["src/**", "mpyship.toml", ".github/workflows/mpyship.yml"]
    tags: ["v*"]
  pull_request:
  workflow_dispatch:

permissions:
  contents: write

jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0 # git describe needs the tags
      - name: Install mpyship
        shell: bash
        env:
          MPYSHIP_VERSION: "@VERSION@"
          MPYSHIP_SHA256: "@SHA256@" # of mpyship-VERSION-linux-x86_64.tar.gz; empty: the release's SHA256SUMS
          MPYSHIP_RELEASE_URL: ${{ vars.MPYSHIP_RELEASE_URL || '@RELEASE_URL@' }}
          MPYSHIP_REPO: ${{ vars.MPYSHIP_REPO }}
          MPYSHIP_REF: ${{ vars.MPYSHIP_REF || 'v@VERSION@' }}
        run: |
          # The release folder: MPYSHIP_RELEASE_URL, else the GitHub release of MPYSHIP_REPO.
          base="$MPYSHIP_RELEASE_URL"
          if [ -z "$base" ] && [ -n "$MPYSHIP_REPO" ]; then
            base="${MPYSHIP_REPO%.git}/releases/download/v$MPYSHIP_VERSION"
          fi
          name="mpyship-$MPYSHIP_VERSION-linux-$(uname -m).tar.gz"
          installed=""
          if [ -n "$base" ] && curl -fsSL --retry 3 -o "$RUNNER_TEMP/$name" "$base/$name"; then
            expected="$MPYSHIP_SHA256"
            if [ -z "$expected" ]; then
              curl -fsSL --retry 3 -o "$RUNNER_TEMP/SHA256SUMS" "$base/SHA256SUMS" ||
                { echo "::error::$base/SHA256SUMS could not be fetched to check $name"; exit 1; }
              expected=$(awk -v n="$name" '$2 == n || $2 == "*" n { print $1 }' "$RUNNER_TEMP/SHA256SUMS")
            fi
            actual=$(sha256sum "$RUNNER_TEMP/$name" | cut -d ' ' -f 1)
            if [ "$actual" != "$expected" ]; then
              echo "::error::$name has SHA-256 $actual, expected ${expected:-(none listed)}: not installed"
              exit 1
            fi
            mkdir -p "$RUNNER_TEMP/mpyship-release"
            tar -xzf "$RUNNER_TEMP/$name" -C "$RUNNER_TEMP/mpyship-release" --strip-components=1
            if "$RUNNER_TEMP/mpyship-release/bin/mpyship" --version; then
              echo "$RUNNER_TEMP/mpyship-release/bin" >> "$GITHUB_PATH"
              installed="release $MPYSHIP_VERSION ($base/$name, sha256 $actual)"
            fi
          fi
          if [ -z "$installed" ]; then
            if [ -z "$MPYSHIP_REPO" ]; then
              echo "::error::no usable mpyship $MPYSHIP_VERSION release at ${base:-(no release URL)}, and the repository variable MPYSHIP_REPO is not set to build it from source"
              exit 1
            fi
            echo "::warning::no usable mpyship $MPYSHIP_VERSION release at ${base:-(no release URL)}: building from source"
            git clone --depth 1 --branch "$MPYSHIP_REF" "$MPYSHIP_REPO" "$RUNNER_TEMP/mpyship"
            sudo apt-get update -qq
            sudo apt-get install -y -qq cmake ninja-build g++ pkg-config libfmt-dev nlohmann-json3-dev libcli11-dev \
              libtomlplusplus-dev libarchive-dev libsodium-dev zlib1g-dev libcpp-httplib-dev
            cmake -S "$RUNNER_TEMP/mpyship" -B "$RUNNER_TEMP/mpyship/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
              -DMPYSHIP_TESTS=OFF -DMPYSHIP_BENCH=OFF
            cmake --build "$RUNNER_TEMP/mpyship/build" --target mpyship
            echo "$RUNNER_TEMP/mpyship/build/src/mpyship" >> "$GITHUB_PATH"
            installed="source ($MPYSHIP_REPO at $MPYSHIP_REF)"
          fi
          echo "mpyship installed from $installed"
          echo "mpyship installed from $installed" >> "${GITHUB_STEP_SUMMARY:-/dev/null}"
      - name: Build
        run: mpyship build --strict
      - name: Package
        run: mpyship package
      - name: Verify
        run: |
          mpyship verify build
          mpyship verify build/mpy-files.tar.gz
          mpyship verify build/mpy-files.zip
      - uses: actions/upload-artifact@v4
        with:
          name: mpy-files
          path: build/mpy/
          retention-days: 90
      - uses: actions/upload-artifact@v4
        with:
          name: manifest
          path: build/manifest.json
          retention-days: 90
      - name: Attach release archives
        if: startsWith(github.ref, 'refs/tags/')
        env:
          GH_TOKEN: ${{ github.token }}
        run: |
          gh release view "$GITHUB_REF_NAME" >/dev/null 2>&1 || gh release create "$GITHUB_REF_NAME" --generate-notes
          gh release upload "$GITHUB_REF_NAME" build/mpy-files.tar.gz build/mpy-files.zip build/manifest.json --clobber
)yaml";

void replace_all(std::string& text, std::string_view from, std::string_view to) {
    for (std::size_t at = text.find(from); at != text.npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
}

std::string github_workflow(const std::string& version, const std::string& sha256, const std::string& url) {
    std::string text(k_github_workflow);
    replace_all(text, "@VERSION@", version);
    replace_all(text, "@SHA256@", sha256);
    replace_all(text, "@RELEASE_URL@", url);
    return text;
}

// The values go into the workflow's YAML and shell as they are: refuse anything that could break out.
std::optional<std::string> check_release_options(const std::string& version, const std::string& sha256,
                                                 const std::string& url) {
    auto only = [](const std::string& s, std::string_view allowed) {
        return std::all_of(s.begin(), s.end(), [&](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || allowed.find(c) != allowed.npos;
        });
    };
    auto lower_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
    if (version.empty() || !only(version, ".+-~_"))
        return "--mpyship-version '" + version + "': expected a version such as 0.1.0";
    if (!sha256.empty() && (sha256.size() != 64 || !std::all_of(sha256.begin(), sha256.end(), lower_hex)))
        return "--mpyship-sha256 '" + sha256 + "': expected 64 lowercase hex digits";
    bool http = url.starts_with("https://") || url.starts_with("http://");
    if (!url.empty() && (!http || !only(url, ":/.-_~%+@=&?")))
        return "--mpyship-url '" + url + "': expected an http(s) URL of the folder holding the release files";
    return std::nullopt;
}

Result<void> write_new(const fs::path& path, const std::string& text, bool force) {
    std::error_code ec;
    if (fs::exists(path, ec) && !force)
        return fail("already exists (use --force to overwrite)", path.string());
    fs::create_directories(path.parent_path(), ec);
    return write_file_atomic(path, text);
}

// src/main.py for an OTA project: the updater chooses the release to run before anything else imports.
constexpr std::string_view k_ota_main = R"(# Written by `mpyship init --ota`. Keep this file small: it is the one part of the app that an OTA update
# does not replace (it runs from the board's own folder). The app itself lives in app.py and its modules.
import mpyship_ota

mpyship_ota.boot()  # puts the release to run (the confirmed one, or a new one on trial) on sys.path

import app  # noqa: E402  (your code: src/app.py)

app.main()
)";

constexpr std::string_view k_ota_app = R"(# Your application. Call mpyship_ota.confirm() once it is sure it works: an update that is never
# confirmed is rolled back after a few boots. Call mpyship_ota.update() now and then; "updated" means a
# new release is ready, and a reset starts it.
import mpyship_ota


def main():
    print("hello from", mpyship_ota.status())
    mpyship_ota.confirm()
)";

std::string ota_section(const std::string& url, const std::string& public_key) {
    return "\n# Over-the-air updates (docs/ota.md): `mpyship publish --key mpyship-ota.key --out PUBDIR`, host\n"
           "# PUBDIR at `url`, and boards built from this project update from it.\n"
           "[ota]\n"
           "url = \"" + url + "\"\n"
           "public_keys = [\"" + public_key + "\"]\n"
           "# channel = \"stable\"\n"
           "# board = \"RPI_PICO_W\"        # refuse releases published for another board\n"
           "# max_boots = 3                # starts an unconfirmed release gets before it is rolled back\n";
}

// The project's signing key: the existing one, else a new one (outside src/, which never ships keys).
Result<std::string> ota_public_key(const fs::path& root) {
    fs::path key = root / "mpyship-ota.key";
    std::error_code ec;
    if (fs::exists(key, ec)) {
        auto existing = release::read_signing_key(key);
        if (!existing)
            return std::unexpected(existing.error());
        return release::public_key_text(existing->public_key);
    }
    auto fresh = release::generate_signing_key();
    if (auto w = release::write_signing_key(key, fresh, false); !w)
        return std::unexpected(w.error());
    fmt::print("wrote {} (the private signing key, mode 600: keep it out of version control) and {}.pub\n",
               key.string(), key.string());
    return release::public_key_text(fresh.public_key);
}

} // namespace

int cmd_init(std::string_view program, std::span<const std::string> args) {
    CLI::App app{
        "Write a commented starter mpyship.toml; with --ci github also .github/workflows/mpyship.yml.",
        std::string(program) + " init"};
    std::string dir = ".", target = "circuitpython", name, ci;
    bool force = false;
    app.add_option("dir", dir, "project folder (default: the current folder)");
    app.add_option("--target", target, "circuitpython or micropython")
        ->check(CLI::IsMember({"circuitpython", "micropython"}));
    app.add_option("--name", name, "project name (default: the folder's name)");
    app.add_option("--ci", ci, "also write a CI workflow")->check(CLI::IsMember({"github"}));
    app.add_flag("--force", force, "overwrite existing files");
    bool ota = false;
    std::string ota_url = "http://192.168.1.10:8000";
    app.add_flag("--ota", ota, "a MicroPython project with over-the-air updates: [ota] section, signing key, "
                               "src/main.py and src/app.py");
    app.add_option("--ota-url", ota_url, "with --ota: where the published tree will be hosted");
    std::string mpyship_version_pin(mpyship_version()), mpyship_sha256, mpyship_url;
    auto* pin = app.add_option("--mpyship-version", mpyship_version_pin,
                               "with --ci github: the mpyship release the workflow installs (default: this one's)");
    auto* sha = app.add_option("--mpyship-sha256", mpyship_sha256,
                               "with --ci github: SHA-256 of mpyship-VERSION-linux-x86_64.tar.gz (default: the "
                               "release folder's SHA256SUMS)");
    auto* url = app.add_option("--mpyship-url", mpyship_url,
                               "with --ci github: the folder holding the release files (default: the GitHub release "
                               "of the repository variable MPYSHIP_REPO)");
    if (auto rc = parse_args(app, args))
        return *rc;
    if (ci.empty() && (pin->count() || sha->count() || url->count())) {
        print_error("--mpyship-version, --mpyship-sha256 and --mpyship-url go with --ci github");
        return k_exit_usage;
    }
    if (auto bad = check_release_options(mpyship_version_pin, mpyship_sha256, mpyship_url)) {
        print_error(*bad);
        return k_exit_usage;
    }
    if (ota)
        target = "micropython";
    fs::path root = dir;
    if (name.empty())
        name = project::project_name_from_folder(root);
    std::string config = project::starter_config(name, *project::parse_target_name(target));
    std::vector<std::pair<fs::path, std::string>> files;
    if (ota) {
        std::error_code ec;
        fs::create_directories(root, ec);
        auto key = ota_public_key(root);
        if (!key) {
            print_error(key.error().to_string());
            return k_exit_failure;
        }
        config += ota_section(ota_url, *key);
        for (const auto& [rel, text] : {std::pair{"src/main.py", k_ota_main}, std::pair{"src/app.py", k_ota_app}})
            if (!fs::exists(root / rel, ec))
                files.emplace_back(root / rel, std::string(text));
    }
    files.insert(files.begin(), {root / project::k_config_file, config});
    if (ci == "github")
        files.emplace_back(root / ".github" / "workflows" / "mpyship.yml",
                           github_workflow(mpyship_version_pin, mpyship_sha256, mpyship_url));
    for (const auto& [path, text] : files) {
        if (auto w = write_new(path, text, force); !w) {
            print_error(w.error().to_string());
            return k_exit_failure;
        }
        fmt::print("wrote {}\n", path.string());
    }
    std::error_code ec;
    if (fs::create_directories(root / "src", ec))
        fmt::print("created {}\n", (root / "src").string());
    return k_exit_ok;
}

} // namespace mpyship::cli
