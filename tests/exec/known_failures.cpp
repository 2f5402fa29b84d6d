// Reading and rewriting the known-failure list; only the first word of a line is the name.
#include "known_failures.h"

#include "../support/test_support.h"

#include <fstream>
#include <sstream>

namespace mpyship::test {
namespace {

// name -> the rest of its line
std::map<std::string, std::string> load_lines() {
    std::map<std::string, std::string> lines;
    std::ifstream in(known_failures_file());
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#')
            continue;
        std::istringstream words(line);
        std::string name, kind;
        words >> name;
        std::getline(words >> std::ws, kind);
        lines[name] = kind;
    }
    return lines;
}

} // namespace

std::filesystem::path known_failures_file() {
    return data_dir() / "exec_known_failures.txt";
}

const std::set<std::string>& known_failures() {
    static const std::set<std::string> names = [] {
        std::set<std::string> out;
        for (const auto& [name, kind] : load_lines())
            out.insert(name);
        return out;
    }();
    return names;
}

void update_known_failures(const std::set<std::string>& ran,
                           const std::map<std::string, std::string>& failed) {
    auto lines = load_lines();
    std::erase_if(lines, [&](const auto& entry) { return ran.contains(entry.first); });
    lines.insert(failed.begin(), failed.end());
    std::ofstream out(known_failures_file());
    out << "# Exec corpus programs that do not print their golden output yet when compiled by mpyship:\n"
        << "# NAME KIND (see tests/exec/exec_corpus_test.cpp). Regenerate with "
           "MPYSHIP_EXEC_UPDATE_KNOWN=1.\n";
    for (const auto& [name, kind] : lines)
        out << name << " " << kind << "\n";
}

} // namespace mpyship::test
