// The viper emitter (@micropython.viper): like the native emitter it translates one scope's recorded
// CodeItems into machine code, but every value carries a type (viper_types.h). Integers, booleans and
// pointers live in registers as machine values; arguments are converted to their annotated types on
// entry and the result to an object on return; mixing types is a ViperTypeError with mpy-cross's text.
//
// Locals get their type from their annotation (arguments) or their first assignment: a first pass over
// the items settles them (and measures the stack), the second emits the code with the types known.
// What is not translated yet raises "mpyship: viper code for X is not implemented yet".
#pragma once

#include "mpyship/compiler/native_emitter.h"

#include <string>
#include <vector>

namespace mpyship::compiler {

// mpy-cross gives a viper type error the line of the first statement that marks a line (one of a block
// of two or more) and completes after it; the rest of that statement's block is then not compiled, but the
// statements around the block go on (a loop's own test, for one), and an error there still replaces the
// text (not the line). The code generator notes where each such statement ends (after `items` of the
// scope's items) and where its block ends.
struct ViperUnitEnd {
    std::size_t items = 0;
    std::uint32_t line = 0;
    std::size_t block_end = static_cast<std::size_t>(-1); // the item count at the end of its block
};

// What the code generator knows about a viper function beyond its items.
struct ViperInfo {
    std::vector<std::string> arg_annotations; // per positional argument: the annotation's name, or ""
    std::string return_annotation;            // "" without one
    std::vector<std::string> local_names;     // by local number, for error messages
    // The function uses a global name other than the casts int, uint, ptr, ptr8, ptr16, ptr32 (which
    // mpy-cross compiles without a global: bool does count), so it switches to its module's globals.
    bool refs_globals = false;
    std::vector<ViperUnitEnd> unit_ends; // in item order
};

bool has_viper_emitter(mpy::NativeArch arch);

mpy::NativeCode emit_viper_function(const NativeScope& scope, const ViperInfo& info, QstrTable& qstrs,
                                    ConstantTable& constants);

} // namespace mpyship::compiler
