// A small generated tree with MicroPython's shape (py/, lib/micropython-lib, ports/unix with variants,
// ports/fake with boards, ports/qemu) whose Makefiles record their arguments and environment into the build
// folder, compile a frozen module with $(MICROPY_MPYCROSS), and write fake images. make_vars FAIL=1 makes
// the build fail with error lines. Plus a project folder using it.
#pragma once

#include <filesystem>
#include <string>

namespace mpyship::test {

void write_text(const std::filesystem::path& path, const std::string& text);
std::string read_text(const std::filesystem::path& path);

// Writes the tree at `dir` (py/mpconfig.h holds "#define FAKE_LEVEL 1").
void write_fake_micropython(const std::filesystem::path& dir);

// A project at `dir` with src/app.py, src/lib/util.py and src/main.py, and `firmware_section` as [firmware].
void write_fake_project(const std::filesystem::path& dir, const std::string& firmware_section);

// A unified diff of py/mpconfig.h changing FAKE_LEVEL from `from` to `to`.
std::string level_patch(int from, int to);

} // namespace mpyship::test
