#include "mpyship/cli/help_model.h"

#include "mpyship/util/text_lines.h"

#include <cstdio>
#include <fcntl.h>
#include <iostream>
#include <optional>
#include <unistd.h>

namespace mpyship::cli {
namespace {

// CLI11 pads the name column to 30 characters; a longer name puts the description on the next line.
constexpr std::size_t k_cli11_name_width = 30;

std::size_t indent_of(std::string_view line) {
    std::size_t n = 0;
    while (n < line.size() && line[n] == ' ')
        ++n;
    return n;
}

// "--delete{recorded}" -> "--delete", "-O[N]" -> "-O", "-march=<arch>" -> "-march=".
std::string clean_name(std::string_view name) {
    if (std::size_t eq = name.find('='); eq != name.npos)
        return std::string(name.substr(0, eq + 1)); // "-msmall-int-bits=number" -> "-msmall-int-bits="
    return std::string(name.substr(0, name.find_first_of("{[<")));
}

// The first word of a head is its names ("-j,--jobs"), the rest its value spelling.
HelpItem item_from_head(std::string_view head) {
    HelpItem item;
    head = trim(head);
    std::size_t space = head.find(' ');
    std::string_view names = head.substr(0, space);
    item.value = space == head.npos ? "" : std::string(trim(head.substr(space)));
    if (item.value.starts_with(':')) // "--delete{recorded} :{recorded,all}": a default, then choices
        item.value = "[=" + item.value.substr(1) + "]";
    while (!names.empty()) {
        std::size_t comma = names.find(',');
        if (auto n = clean_name(names.substr(0, comma)); !n.empty())
            item.names.push_back(n);
        names = comma == names.npos ? std::string_view{} : names.substr(comma + 1);
    }
    return item;
}

// One item line of a section; nullopt for a line that continues the previous item's text. `wrapped`: the
// next line continues this one, so a line without a column gap is a name too long for its column.
std::optional<HelpItem> parse_item_line(std::string_view line, bool wrapped) {
    std::size_t indent = indent_of(line);
    if (indent > 2)
        return std::nullopt;
    std::string_view rest = line.substr(indent);
    // mpy-cross layout: "-o : output file ..." and "  emit={...} -- set the default code emitter"
    for (std::string_view sep : {std::string_view(" : "), std::string_view(" -- ")})
        if (std::size_t at = rest.find(sep); at != rest.npos && rest.substr(0, at).find(' ') == rest.npos) {
            HelpItem item = item_from_head(rest.substr(0, at));
            item.text = std::string(trim(rest.substr(at + sep.size())));
            return item;
        }
    // CLI11 and subcommand lists: names, padding, description.
    std::size_t gap = rest.find("  ");
    if (gap != rest.npos && indent + gap < k_cli11_name_width) {
        HelpItem item = item_from_head(rest.substr(0, gap));
        item.text = std::string(trim(rest.substr(gap)));
        return item;
    }
    // A name filling the column exactly ("--method TEXT:{esptool,uf2} esptool or uf2").
    if (!wrapped && line.size() > k_cli11_name_width && line[k_cli11_name_width - 1] == ' ') {
        HelpItem item = item_from_head(line.substr(indent, k_cli11_name_width - indent));
        item.text = std::string(trim(line.substr(k_cli11_name_width)));
        return item;
    }
    return item_from_head(rest);
}

bool is_section_title(std::string_view line) {
    return !line.empty() && line[0] != ' ' && line.back() == ':' && line.find(" : ") == line.npos &&
           !line.starts_with('-');
}

void append_text(std::string& text, std::string_view more) {
    if (more.empty())
        return;
    if (!text.empty())
        text += '\n';
    text += more;
}

} // namespace

bool is_subcommand_section(std::string_view title) {
    return title == "Subcommands" || title == "Verbs" || title == "Commands";
}

std::vector<std::string> HelpItem::choices() const {
    std::size_t open = value.find('{');
    std::size_t close = value.find('}', open);
    std::vector<std::string> out;
    if (open == value.npos || close == value.npos)
        return out;
    std::string_view list = std::string_view(value).substr(open + 1, close - open - 1);
    while (!list.empty()) {
        std::size_t comma = list.find(',');
        out.emplace_back(trim(list.substr(0, comma)));
        list = comma == list.npos ? std::string_view{} : list.substr(comma + 1);
    }
    return out;
}

std::vector<const HelpItem*> CommandHelp::options() const {
    std::vector<const HelpItem*> out;
    for (const auto& s : sections)
        for (const auto& i : s.items)
            if (i.is_option())
                out.push_back(&i);
    return out;
}

std::vector<const HelpItem*> CommandHelp::positionals() const {
    std::vector<const HelpItem*> out;
    for (const auto& s : sections)
        if (s.title == "Positionals")
            for (const auto& i : s.items)
                out.push_back(&i);
    return out;
}

CommandHelp parse_help(std::string_view text) {
    CommandHelp help;
    bool in_description = true;
    HelpSection* section = nullptr;
    auto lines = split_lines(text);
    for (std::size_t n = 0; n < lines.size(); ++n) {
        std::string_view line = lines[n];
        if (line.ends_with('\r'))
            line.remove_suffix(1);
        std::string_view trimmed = trim(line);
        if (in_description && (trimmed.starts_with("Usage:") || trimmed.starts_with("usage:"))) {
            help.usage = std::string(trim(trimmed.substr(6)));
            in_description = false;
        } else if (in_description) {
            append_text(help.description, trimmed);
        } else if (trimmed.empty()) {
            continue;
        } else if (is_section_title(line)) {
            help.sections.push_back({std::string(trimmed.substr(0, trimmed.size() - 1)), {}});
            section = &help.sections.back();
        } else if (section && indent_of(line) == 0 && !line.starts_with('-')) {
            section = nullptr; // a closing remark ("Run 'mpyship device VERB --help' ...")
            append_text(help.description, trimmed);
        } else if (section) {
            bool wrapped = n + 1 < lines.size() && indent_of(lines[n + 1]) > 2;
            if (auto item = parse_item_line(line, wrapped))
                section->items.push_back(std::move(*item));
            else if (!section->items.empty())
                append_text(section->items.back().text, trimmed);
        } else {
            append_text(help.description, trimmed); // text after the usage line, before any section
        }
    }
    return help;
}

std::string capture_help(const Command& command, const std::vector<std::string>& words) {
    std::vector<std::string> args = words;
    args.push_back("--help");
    std::fflush(stdout);
    std::cout.flush();
    std::FILE* sink = std::tmpfile();
    if (!sink)
        return {};
    // stderr is set aside too: a command whose --help fails must not print into a completion script's output.
    std::fflush(stderr);
    int saved_out = ::dup(STDOUT_FILENO), saved_err = ::dup(STDERR_FILENO);
    int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    ::dup2(::fileno(sink), STDOUT_FILENO);
    if (null >= 0)
        ::dup2(null, STDERR_FILENO);
    command.run("mpyship", args);
    std::cout.flush();
    std::fflush(stdout);
    std::fflush(stderr);
    ::dup2(saved_out, STDOUT_FILENO);
    ::dup2(saved_err, STDERR_FILENO);
    for (int fd : {saved_out, saved_err, null})
        if (fd >= 0)
            ::close(fd);
    std::string text;
    std::rewind(sink);
    char buffer[4096];
    for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, sink)) > 0;)
        text.append(buffer, n);
    std::fclose(sink);
    return text;
}

std::vector<CommandHelp> collect_help() {
    std::vector<CommandHelp> out;
    for (const auto& command : commands()) {
        CommandHelp help = parse_help(capture_help(command, {}));
        help.path = command.name;
        help.summary = command.summary;
        for (const auto& s : help.sections) {
            if (!is_subcommand_section(s.title))
                continue;
            for (const auto& item : s.items) {
                CommandHelp sub = parse_help(capture_help(command, {item.names.front()}));
                sub.path = help.path + " " + item.names.front();
                sub.summary = item.text;
                help.subcommands.push_back(std::move(sub));
            }
        }
        out.push_back(std::move(help));
    }
    return out;
}

std::span<const GlobalOption> global_options() {
    static const std::vector<GlobalOption> k_options = {
        {"-h,--help", "", "print the list of commands", {}},
        {"-V,--version", "", "print the version (also `mpyship version [--json]`)", {}},
        {"--color", "WHEN", "colour errors, warnings and notes: auto (a terminal, unless NO_COLOR is set), always "
                            "or never", {"auto", "always", "never"}},
    };
    return k_options;
}

} // namespace mpyship::cli
