// tests/data/exec_known_failures.txt: the exec corpus programs that do not print their golden output yet
// when compiled by mpyship, one "NAME KIND" line each (KIND says how: compile-error, wrong-output, ...).
// The list may only shrink: exec_corpus_test.cpp fails on any other failure and on a listed success.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>

namespace mpyship::test {

std::filesystem::path known_failures_file();

// Program names on the list.
const std::set<std::string>& known_failures();

// Rewrites the list: drops the programs in `ran`, then adds `failed` (name -> kind).
void update_known_failures(const std::set<std::string>& ran,
                           const std::map<std::string, std::string>& failed);

} // namespace mpyship::test
