#include "mpyship/cli/completion_scripts.h"

#include <algorithm>
#include <fmt/core.h>

namespace mpyship::cli {
namespace {

// Only plain words reach a script unquoted (option names and choices are always plain; anything else is
// left out rather than risk a broken script).
bool plain_word(std::string_view w) {
    return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '_' || c == '.' || c == '=' || c == '+' || c == '/';
    });
}

std::string join_words(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words)
        if (plain_word(w))
            out += (out.empty() ? "" : " ") + w;
    return out;
}

// A one-line description: the first line, cut at a sentence end, at most 80 characters.
std::string short_text(std::string_view text) {
    text = text.substr(0, text.find('\n'));
    if (std::size_t dot = text.find(". "); dot != text.npos)
        text = text.substr(0, dot);
    std::string out(text.substr(0, 80));
    if (text.size() > 80)
        out.replace(77, 3, "...");
    return out;
}

std::string single_quoted(std::string_view s) {
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// One command or subcommand, flattened for the script generators.
struct Node {
    std::string path; // "build", "firmware build"
    std::string summary;
    std::vector<std::string> options;       // every option name
    std::vector<std::string> value_options; // names of options that take a value
    std::vector<std::pair<std::string, std::vector<std::string>>> option_choices; // "--target" -> values
    std::vector<std::pair<std::string, std::string>> option_texts;             // name -> description
    std::vector<std::pair<std::string, std::string>> next_words; // subcommands or positional choices + text
};

Node node_of(const CommandHelp& h, const std::vector<CommandHelp>& all) {
    Node n{h.path, short_text(h.summary), {}, {}, {}, {}, {}};
    for (const HelpItem* o : h.options()) {
        for (const auto& name : o->names) {
            if (!plain_word(name))
                continue;
            n.options.push_back(name);
            n.option_texts.emplace_back(name, short_text(o->text));
            bool optional_value = o->value.starts_with("[=");
            if (o->takes_value() && !optional_value)
                n.value_options.push_back(name);
            if (auto c = o->choices(); !c.empty() && !optional_value)
                n.option_choices.emplace_back(name, c);
        }
    }
    for (const auto& sub : h.subcommands)
        n.next_words.emplace_back(sub.path.substr(sub.path.rfind(' ') + 1), short_text(sub.summary));
    if (h.path == "help")
        for (const auto& c : all)
            n.next_words.emplace_back(c.path, short_text(c.summary));
    for (const HelpItem* p : h.positionals())
        for (const auto& c : p->choices())
            n.next_words.emplace_back(c, short_text(p->text));
    return n;
}

std::vector<Node> nodes_of(const std::vector<CommandHelp>& help) {
    std::vector<Node> out;
    for (const auto& h : help) {
        out.push_back(node_of(h, help));
        for (const auto& sub : h.subcommands)
            out.push_back(node_of(sub, help));
    }
    return out;
}

std::vector<std::string> names_of(std::string_view names) {
    std::vector<std::string> out;
    while (!names.empty()) {
        std::size_t comma = names.find(',');
        out.emplace_back(names.substr(0, comma));
        names = comma == names.npos ? std::string_view{} : names.substr(comma + 1);
    }
    return out;
}

std::vector<std::string> global_names(bool with_values_only) {
    std::vector<std::string> out;
    for (const auto& g : global_options())
        if (!with_values_only || !g.value.empty())
            for (auto& n : names_of(g.names))
                out.push_back(std::move(n));
    return out;
}

std::vector<std::string> firsts(const std::vector<std::pair<std::string, std::string>>& pairs) {
    std::vector<std::string> out;
    for (const auto& p : pairs)
        out.push_back(p.first);
    return out;
}

// Shared by bash and zsh: the loop that finds the command path typed so far, skipping options and their
// values. `first_word`: index of the first word after the program name; `cwords`: the words array.
std::string path_finder(const std::vector<Node>& nodes, std::string_view fn, std::string_view first_word,
                        std::string_view cwords, std::string_view ccur) {
    std::string out = fmt::format("{}_value_options() {{\n    case $1 in\n", fn);
    for (const auto& n : nodes)
        if (!n.value_options.empty())
            out += fmt::format("        {}) echo \"{}\" ;;\n", single_quoted(n.path), join_words(n.value_options));
    out += "    esac\n}\n\n";
    std::string subpaths;
    for (const auto& n : nodes)
        if (n.path.find(' ') != n.path.npos)
            subpaths += " " + n.path.substr(0, n.path.find(' ')) + "|" + n.path.substr(n.path.find(' ') + 1);
    out += fmt::format("{}_path() {{\n", fn);
    out += fmt::format("    local vals=\" {} \" w i more\n    found=()\n", join_words(global_names(true)));
    out += fmt::format("    for (( i = {}; i < {}; i++ )); do\n", first_word, ccur);
    out += fmt::format("        w=${{{}[i]}}\n", cwords);
    out += "        if [[ $w == -* ]]; then\n"
           "            [[ $vals == *\" $w \"* ]] && (( i++ ))\n"
           "            continue\n"
           "        fi\n"
           "        found+=(\"$w\")\n";
    out += fmt::format("        more=$({}_value_options \"${{found[*]}}\")\n", fn);
    out += "        [[ -n $more ]] && vals=\" $more \"\n    done\n";
    out += fmt::format("    local subpaths=\"{} \"\n", subpaths);
    return out;
}

std::string bash_script(const std::vector<Node>& nodes, const std::vector<CommandHelp>& help) {
    std::string out = "# bash completion for mpyship, generated by `mpyship completion bash` from its commands' help.\n"
                      "# Load it with: source <(mpyship completion bash)\n\n";
    out += path_finder(nodes, "_mpyship", "1", "COMP_WORDS", "COMP_CWORD");
    out += "    cmdpath=${found[0]:-}\n    npos=${#found[@]}\n"
           "    if (( npos >= 2 )) && [[ $subpaths == *\" ${found[0]}|${found[1]} \"* ]]; then\n"
           "        cmdpath=\"${found[0]} ${found[1]}\"\n        (( npos -= 2 ))\n"
           "    elif (( npos >= 1 )); then\n        (( npos -= 1 ))\n    fi\n}\n\n";
    out += "_mpyship() {\n"
           "    local cur=${COMP_WORDS[COMP_CWORD]} prev= cmdpath npos cands=\n"
           "    local -a found\n"
           "    (( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
           "    COMPREPLY=()\n"
           "    _mpyship_path\n";
    for (const auto& g : global_options())
        if (!g.choices.empty()) {
            std::vector<std::string> c(g.choices.begin(), g.choices.end());
            out += fmt::format("    if [[ $prev == {} ]]; then\n        COMPREPLY=($(compgen -W \"{}\" -- \"$cur\"))\n"
                               "        return 0\n    fi\n", g.names, join_words(c));
        }
    std::vector<std::string> commands;
    for (const auto& h : help)
        commands.push_back(h.path);
    out += "    case $cmdpath in\n";
    out += fmt::format("        '')\n            if [[ $cur == -* ]]; then cands=\"{}\"; else cands=\"{}\"; fi ;;\n",
                       join_words(global_names(false)), join_words(commands));
    for (const auto& n : nodes) {
        out += fmt::format("        {})\n            case $prev in\n", single_quoted(n.path));
        for (const auto& [name, choices] : n.option_choices)
            out += fmt::format("                {}) cands=\"{}\" ;;\n", name, join_words(choices));
        std::vector<std::string> free_values;
        for (const auto& v : n.value_options)
            if (std::none_of(n.option_choices.begin(), n.option_choices.end(), [&](auto& c) { return c.first == v; }))
                free_values.push_back(v);
        if (!free_values.empty()) {
            std::string alts;
            for (const auto& v : free_values)
                alts += (alts.empty() ? "" : "|") + v;
            out += fmt::format("                {}) return 0 ;; # a value: the shell's default completion\n", alts);
        }
        out += fmt::format("                *) if [[ $cur == -* ]]; then cands=\"{}\"", join_words(n.options));
        if (!n.next_words.empty())
            out += fmt::format("; elif (( npos == 0 )); then cands=\"{}\"", join_words(firsts(n.next_words)));
        out += "; fi ;;\n            esac ;;\n";
    }
    out += "    esac\n"
           "    [[ -n $cands ]] && COMPREPLY=($(compgen -W \"$cands\" -- \"$cur\"))\n"
           "    return 0\n}\n\n"
           "complete -o default -F _mpyship mpyship\n";
    return out;
}

// zsh `_describe` entries: 'name:description' with the name's colons escaped.
std::string describe_array(std::string_view var, const std::vector<std::pair<std::string, std::string>>& items) {
    std::string out = fmt::format("        local -a {}=(", var);
    for (const auto& [name, text] : items)
        if (plain_word(name))
            out += "\n            " + single_quoted(name + ":" + text);
    return out + "\n        )\n";
}

std::string zsh_script(const std::vector<Node>& nodes, const std::vector<CommandHelp>& help) {
    std::string out = "#compdef mpyship\n"
                      "# zsh completion for mpyship, generated by `mpyship completion zsh` from its commands' help.\n"
                      "# Load it with: source <(mpyship completion zsh)  (after compinit), or put it in $fpath as _mpyship.\n\n";
    out += path_finder(nodes, "_mpyship", "2", "words", "CURRENT");
    out += "    cmdpath=${found[1]:-}\n    npos=${#found}\n"
           "    if (( npos >= 2 )) && [[ $subpaths == *\" ${found[1]}|${found[2]} \"* ]]; then\n"
           "        cmdpath=\"${found[1]} ${found[2]}\"\n        (( npos -= 2 ))\n"
           "    elif (( npos >= 1 )); then\n        (( npos -= 1 ))\n    fi\n}\n\n";
    out += "_mpyship() {\n"
           "    local cur=${words[CURRENT]} prev=${words[CURRENT-1]} cmdpath npos\n"
           "    local -a found\n"
           "    _mpyship_path\n";
    for (const auto& g : global_options())
        if (!g.choices.empty()) {
            std::vector<std::string> c(g.choices.begin(), g.choices.end());
            out += fmt::format("    if [[ $prev == {} ]]; then\n        compadd -- {}\n        return\n    fi\n", g.names,
                               join_words(c));
        }
    std::vector<std::pair<std::string, std::string>> commands, globals;
    for (const auto& h : help)
        commands.emplace_back(h.path, short_text(h.summary));
    for (const auto& g : global_options())
        for (const auto& name : names_of(g.names))
            globals.emplace_back(name, std::string(g.text));
    out += "    case $cmdpath in\n        '')\n";
    out += describe_array("opts", globals) + describe_array("cmds", commands);
    out += "            if [[ $cur == -* ]]; then _describe -t options option opts; else _describe -t commands command cmds; fi ;;\n";
    for (const auto& n : nodes) {
        out += fmt::format("        {})\n            case $prev in\n", single_quoted(n.path));
        for (const auto& [name, choices] : n.option_choices)
            out += fmt::format("                {}) compadd -- {}; return ;;\n", name, join_words(choices));
        if (!n.value_options.empty()) {
            std::string alts;
            for (const auto& v : n.value_options)
                alts += (alts.empty() ? "" : "|") + v;
            out += fmt::format("                {}) _files; return ;;\n", alts);
        }
        out += "            esac\n";
        out += describe_array("opts", n.option_texts);
        if (!n.next_words.empty())
            out += describe_array("next", n.next_words);
        out += "            if [[ $cur == -* ]]; then _describe -t options option opts";
        if (!n.next_words.empty())
            out += "; elif (( npos == 0 )); then _describe -t values value next";
        out += "; else _files; fi ;;\n";
    }
    out += "    esac\n}\n\n"
           "if [[ $funcstack[1] == _mpyship ]]; then\n    _mpyship \"$@\"\nelse\n    compdef _mpyship mpyship\nfi\n";
    return out;
}

std::string fish_script(const std::vector<Node>& nodes, const std::vector<CommandHelp>& help) {
    std::string out =
        "# fish completion for mpyship, generated by `mpyship completion fish` from its commands' help.\n"
        "# Load it with: mpyship completion fish | source\n\n"
        "# The command words typed so far (options and their values left out).\n"
        "function __mpyship_words\n"
        "    set -l tokens (commandline -opc)\n"
        "    set -l skip 0\n"
        "    for t in $tokens[2..-1]\n"
        "        if test $skip -eq 1\n            set skip 0\n            continue\n        end\n"
        "        if string match -q -- '-*' $t\n"
        "            contains -- $t $__mpyship_value_options; and set skip 1\n"
        "            continue\n        end\n"
        "        echo $t\n    end\nend\n\n"
        "# True when the typed command words are exactly the arguments (no argument: nothing typed yet).\n"
        "function __mpyship_at\n"
        "    set -l w (__mpyship_words)\n"
        "    test (count $w) -eq (count $argv); or return 1\n"
        "    for i in (seq (count $argv))\n        test \"$w[$i]\" = \"$argv[$i]\"; or return 1\n    end\nend\n\n"
        "# True when the typed command words start with the arguments.\n"
        "function __mpyship_in\n"
        "    set -l w (__mpyship_words)\n"
        "    test (count $w) -ge (count $argv); or return 1\n"
        "    for i in (seq (count $argv))\n        test \"$w[$i]\" = \"$argv[$i]\"; or return 1\n    end\n"
        "    set -l subs $__mpyship_subcommand_paths\n"
        "    if test (count $argv) -eq 1 -a (count $w) -ge 2\n"
        "        contains -- \"$w[1] $w[2]\" $subs; and return 1\n    end\n"
        "    return 0\nend\n\n";
    std::vector<std::string> value_options = global_names(true), subpaths;
    for (const auto& n : nodes) {
        value_options.insert(value_options.end(), n.value_options.begin(), n.value_options.end());
        if (n.path.find(' ') != n.path.npos)
            subpaths.push_back(single_quoted(n.path));
    }
    std::sort(value_options.begin(), value_options.end());
    value_options.erase(std::unique(value_options.begin(), value_options.end()), value_options.end());
    out += fmt::format("set -g __mpyship_value_options {}\n", join_words(value_options));
    std::string subs;
    for (const auto& s : subpaths)
        subs += " " + s;
    out += fmt::format("set -g __mpyship_subcommand_paths{}\n\n", subs);
    out += "complete -c mpyship -e\n";
    for (const auto& g : global_options()) {
        std::string flags;
        for (const auto& name : names_of(g.names))
            flags += name.starts_with("--") ? " -l " + name.substr(2) : " -s " + name.substr(1);
        std::vector<std::string> c(g.choices.begin(), g.choices.end());
        out += fmt::format("complete -c mpyship -n __mpyship_at{}{} -d {}\n", flags,
                           c.empty() ? std::string() : " -x -a " + single_quoted(join_words(c)), single_quoted(g.text));
    }
    for (const auto& h : help)
        out += fmt::format("complete -c mpyship -n __mpyship_at -f -a {} -d {}\n", h.path,
                           single_quoted(short_text(h.summary)));
    for (const auto& n : nodes) {
        std::string cond = single_quoted("__mpyship_in " + n.path);
        for (const auto& [word, text] : n.next_words)
            if (plain_word(word))
                out += fmt::format("complete -c mpyship -n {} -f -a {} -d {}\n",
                                   single_quoted("__mpyship_at " + n.path), word, single_quoted(text));
        for (const auto& [name, text] : n.option_texts) {
            std::string flag = name.starts_with("--") ? "-l " + name.substr(2) : "-o " + name.substr(1);
            if (name.size() == 2 && name[0] == '-')
                flag = "-s " + name.substr(1);
            std::string arg;
            for (const auto& [o, choices] : n.option_choices)
                if (o == name)
                    arg = " -x -a " + single_quoted(join_words(choices));
            if (arg.empty() && std::find(n.value_options.begin(), n.value_options.end(), name) != n.value_options.end())
                arg = " -r";
            out += fmt::format("complete -c mpyship -n {} {}{} -d {}\n", cond, flag, arg, single_quoted(text));
        }
    }
    return out;
}

} // namespace

std::optional<std::string> completion_script(std::string_view shell, const std::vector<CommandHelp>& help) {
    auto nodes = nodes_of(help);
    if (shell == "bash")
        return bash_script(nodes, help);
    if (shell == "zsh")
        return zsh_script(nodes, help);
    if (shell == "fish")
        return fish_script(nodes, help);
    return std::nullopt;
}

} // namespace mpyship::cli
