// An official mpy-cross binary run as a black box on one program: the program is written as t.py in a
// private work directory and compiled from there (so the embedded name and error texts say "t.py").
#pragma once

#include "outcome.h"

#include <filesystem>

namespace mpyship::parity {

class ReferenceCompiler {
public:
    ReferenceCompiler(std::filesystem::path binary, std::filesystem::path work_dir);
    Outcome compile(const std::string& source, const Config& config) const;

private:
    std::filesystem::path m_binary;
    std::filesystem::path m_dir;
};

} // namespace mpyship::parity
