// Fixed rules of a board drive: which paths deploy never removes or overwrites (boot_out.txt, settings.toml,
// the deploy record, host metadata folders, --keep globs) and in which order files are written (entry
// points last, and the files auto-reload runs — code.py, main.py, ... — after every other file).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mpyship::deploy {

// Why `path` is never removed or overwritten; empty when deploy may touch it.
std::string protection_reason(std::string_view path, const std::vector<std::string>& keep);

// 0: an ordinary file; 1: an entry point that runs only at reset (boot.py, safemode.py, ...);
// 2: the file auto-reload runs (code.txt, code.py, main.py, main.txt). Writes go in rank order.
int write_rank(std::string_view path, const std::vector<std::string>& entry_points);

} // namespace mpyship::deploy
