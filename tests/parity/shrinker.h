// Shrinks a program to a minimal one that still shows the same difference: delta debugging over lines,
// then over characters, keeping any candidate for which `still_differs` holds. Each test of a candidate
// runs both compilers, so the number of tests is bounded.
#pragma once

#include <functional>
#include <string>

namespace mpyship::parity {

std::string shrink(const std::string& program, const std::function<bool(const std::string&)>& still_differs,
                   int max_tests = 3000);

} // namespace mpyship::parity
