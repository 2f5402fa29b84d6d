// `mpyship init [DIR]`: write a commented starter mpyship.toml (and src/ when missing); with --ci github,
// also a GitHub Actions workflow that builds on push and pull request and releases on tags.
#include "mpyship/cli/command_table.h"
#include "mpyship/cli/commands.h"
#include "mpyship/cli/parse_args.h"
#include "mpyship/project/manifest.h"
#include "mpyship/project/project_config.h"
#include "mpyship/util/file_io.h"

#include <fmt/core.h>

namespace mpyship::cli {
namespace {

namespace fs = std::filesystem;

// The workflow builds mpyship from source (Debian packages only), so it needs the URL of an mpyship
// repository: set the repository variable MPYSHIP_REPO (and optionally MPYSHIP_REF).
constexpr const char* k_github_workflow = R"(# Built by `mpyship init --ci github`.
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
        env:
          MPYSHIP_REPO: ${{ vars.MPYSHIP_REPO }}
          MPYSHIP_REF: ${{ vars.MPYSHIP_REF || 'main' }}
        run: |
          git clone --depth 1 --branch "$MPYSHIP_REF" "$MPYSHIP_REPO" "$RUNNER_TEMP/mpyship"
          sudo apt-get update -qq
          sudo apt-get install -y -qq cmake ninja-build g++ libfmt-dev nlohmann-json3-dev libcli11-dev \
            libtomlplusplus-dev libarchive-dev libsodium-dev libssl-dev
          cmake -S "$RUNNER_TEMP/mpyship" -B "$RUNNER_TEMP/mpyship/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
            -DMPYSHIP_TESTS=OFF -DMPYSHIP_BENCH=OFF
          cmake --build "$RUNNER_TEMP/mpyship/build" --target mpyship
          echo "$RUNNER_TEMP/mpyship/project/src/mpyship" >> "$GITHUB_PATH"
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
)";

Result<void> write_new(const fs::path& path, const std::string& text, bool force) {
    std::error_code ec;
    if (fs::exists(path, ec) && !force)
        return fail("already exists (use --force to overwrite)", path.string());
    fs::create_directories(path.parent_path(), ec);
    return write_file_atomic(path, text);
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
    if (auto rc = parse_args(app, args))
        return *rc;
    fs::path root = dir;
    if (name.empty())
        name = project::project_name_from_folder(root);
    std::vector<std::pair<fs::path, std::string>> files{
        {root / project::k_config_file, project::starter_config(name, *project::parse_target_name(target))}};
    if (ci == "github")
        files.emplace_back(root / ".github" / "workflows" / "mpyship.yml", k_github_workflow);
    for (const auto& [path, text] : files) {
        if (auto w = write_new(path, text, force); !w) {
            fmt::print(stderr, "error: {}\n", w.error().to_string());
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
