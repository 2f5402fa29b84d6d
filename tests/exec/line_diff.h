// A line diff of two texts for test failure messages: changed lines marked "- " (expected) and "+ "
// (actual), with two unchanged lines of context around each change.
#pragma once

#include <string>

namespace mpyship::test {

std::string line_diff(const std::string& expected, const std::string& actual);

} // namespace mpyship::test
