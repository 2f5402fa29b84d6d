#include "mpyship/cli/color.h"

#include "mpyship/util/text_lines.h"

#include <cstdlib>
#include <unistd.h>

namespace mpyship::cli {
namespace {

ColorMode g_mode = ColorMode::automatic;

constexpr std::string_view k_reset = "\033[0m";
constexpr std::string_view k_bold = "\033[1m";

struct Label {
    std::string_view text;
    std::string_view color;
};
constexpr Label k_labels[] = {
    {"error: ", "\033[1;31m"},   // bold red
    {"warning: ", "\033[1;35m"}, // bold magenta
    {"note: ", "\033[1;36m"},    // bold cyan
};
constexpr std::string_view k_caret_color = "\033[1;32m"; // bold green

// A caret line: blanks, then '^', then optional '~' underlining.
bool is_caret_line(std::string_view line) {
    std::string_view t = trim(line);
    return t.starts_with('^') && t.find_first_not_of("^~") == t.npos;
}

// The diagnostic label of a line: at its start or right after a "location: " prefix.
std::optional<std::pair<std::size_t, const Label*>> find_label(std::string_view line) {
    std::optional<std::pair<std::size_t, const Label*>> best;
    for (const auto& label : k_labels) {
        for (std::size_t at = line.find(label.text); at != line.npos; at = line.find(label.text, at + 1)) {
            bool after_location = at == 0 || (at >= 2 && line.substr(at - 2, 2) == ": " &&
                                              line.substr(0, at - 2).find(' ') == line.npos);
            if (after_location) {
                if (!best || at < best->first)
                    best = std::pair{at, &label};
                break;
            }
        }
    }
    return best;
}

std::string colorize_line(std::string_view line) {
    if (is_caret_line(line)) {
        std::size_t start = line.find('^');
        return std::string(line.substr(0, start)) + std::string(k_caret_color) + std::string(line.substr(start)) +
               std::string(k_reset);
    }
    auto label = find_label(line);
    if (!label)
        return std::string(line);
    auto [at, l] = *label;
    std::string out;
    if (at > 0) // "path:3:5:" bold, the space after it plain
        out += std::string(k_bold) + std::string(line.substr(0, at - 1)) + std::string(k_reset) + " ";
    std::string_view word = l->text.substr(0, l->text.size() - 1); // "error:" (the space stays plain)
    out += std::string(l->color) + std::string(word) + std::string(k_reset);
    out += line.substr(at + word.size());
    return out;
}

} // namespace

std::optional<ColorMode> parse_color_mode(std::string_view text) {
    if (text == "auto")
        return ColorMode::automatic;
    if (text == "always")
        return ColorMode::always;
    if (text == "never")
        return ColorMode::never;
    return std::nullopt;
}

void set_color_mode(ColorMode mode) {
    g_mode = mode;
}

bool color_enabled(std::FILE* stream) {
    if (g_mode != ColorMode::automatic)
        return g_mode == ColorMode::always;
    if (const char* no_color = std::getenv("NO_COLOR"); no_color && *no_color)
        return false;
    if (const char* term = std::getenv("TERM"); term && std::string_view(term) == "dumb")
        return false;
    return ::isatty(::fileno(stream)) == 1;
}

std::string colorize_diagnostics(std::string_view text) {
    std::string out;
    for (std::size_t start = 0; start < text.size();) {
        std::size_t nl = text.find('\n', start);
        std::size_t end = nl == text.npos ? text.size() : nl;
        out += colorize_line(text.substr(start, end - start));
        if (nl != text.npos)
            out += '\n';
        start = end + 1;
    }
    return out;
}

void print_diagnostics(std::FILE* stream, std::string_view text) {
    std::string shown = color_enabled(stream) ? colorize_diagnostics(text) : std::string(text);
    std::fwrite(shown.data(), 1, shown.size(), stream);
}

void print_error(std::string_view message) {
    print_diagnostics(stderr, "error: " + std::string(message) + "\n");
}

void print_warning(std::string_view message) {
    print_diagnostics(stderr, "warning: " + std::string(message) + "\n");
}

void print_note(std::FILE* stream, std::string_view message) {
    print_diagnostics(stream, "note: " + std::string(message) + "\n");
}

std::optional<std::string> take_color_option(std::vector<std::string>& args) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--")
            break;
        std::string value;
        std::size_t taken = 1;
        if (args[i] == "--color") {
            if (i + 1 >= args.size())
                return "--color needs a value: auto, always or never";
            value = args[i + 1];
            taken = 2;
        } else if (args[i].starts_with("--color=")) {
            value = args[i].substr(8);
        } else {
            continue;
        }
        auto mode = parse_color_mode(value);
        if (!mode)
            return "--color must be auto, always or never, not '" + value + "'";
        set_color_mode(*mode);
        args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i + taken));
        --i;
    }
    return std::nullopt;
}

} // namespace mpyship::cli
