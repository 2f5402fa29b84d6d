// Small helpers shared by the front-end tests: parse to a dump, parse to an error.
#pragma once

#include "mpyship/compiler/ast_dump.h"
#include "mpyship/compiler/compile_error.h"
#include "mpyship/compiler/parser.h"

#include <string>

namespace mpyship::compiler::test {

inline Options options_for(Target target) {
    Options o;
    o.target = target;
    return o;
}

inline std::string dump(const std::string& src, Target target = Target::micropython) {
    return dump_module(parse_module(src, options_for(target)));
}

// "Kind: message @line", or "ok".
inline std::string error_of(const std::string& src, Target target = Target::micropython) {
    try {
        parse_module(src, options_for(target));
    } catch (const CompileError& e) {
        return e.kind + ": " + e.message + (e.has_traceback ? " @" + std::to_string(e.pos.line) : "");
    }
    return "ok";
}

} // namespace mpyship::compiler::test
