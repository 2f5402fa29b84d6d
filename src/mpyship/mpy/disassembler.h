// The disassembler: a Module as readable text (header, qstr table, constants, then each raw code's prelude
// and instructions with decoded arguments, children indented under their parent) or as JSON with the same
// content. `mpyship inspect` prints it and the compiler tests diff it.
#pragma once

#include "mpyship/mpy/model.h"
#include "mpyship/mpy/opcodes.h"

#include <nlohmann/json.hpp>
#include <string>

namespace mpyship::mpy {

std::string disassemble(const Module& module);
nlohmann::ordered_json disassemble_json(const Module& module);

// Pieces shared by both forms.
std::string constant_repr(const Constant& c);
std::string qstr_name(const Module& module, std::uint64_t index);
std::string describe_operand(const Module& module, const RawCode& rc, const Instruction& ins);
struct LineMark {
    std::size_t offset; // bytecode offset from which `line` applies
    std::uint32_t line;
};
std::vector<LineMark> line_marks(const Prelude& prelude);
std::string scope_flags_text(std::uint32_t flags);

} // namespace mpyship::mpy
