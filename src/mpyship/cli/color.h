// Colour for diagnostics (`--color auto|always|never`, NO_COLOR): the kind of an `error:`, `warning:` or
// `note:` line and its location are coloured, and so is the caret line under a source excerpt. Auto means
// colour only on a terminal, and never when NO_COLOR is set or TERM is "dumb": output to a pipe or a file
// stays plain text.
#pragma once

#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship::cli {

enum class ColorMode { automatic, always, never };

std::optional<ColorMode> parse_color_mode(std::string_view text);
void set_color_mode(ColorMode mode);
// Whether text written to `stream` gets colour now.
bool color_enabled(std::FILE* stream);

// `text` with ANSI colour added to its diagnostic lines (the rest unchanged).
std::string colorize_diagnostics(std::string_view text);

// Writes `text` to `stream`, coloured when colour is on for that stream.
void print_diagnostics(std::FILE* stream, std::string_view text);
// "error: MESSAGE" (stderr), "warning: MESSAGE" (stderr), "note: MESSAGE" (the given stream).
void print_error(std::string_view message);
void print_warning(std::string_view message);
void print_note(std::FILE* stream, std::string_view message);

// Removes `--color WHEN` / `--color=WHEN` from `args` (up to a `--`) and applies it. An error message when
// the value is missing or not one of auto, always, never.
std::optional<std::string> take_color_option(std::vector<std::string>& args);

} // namespace mpyship::cli
