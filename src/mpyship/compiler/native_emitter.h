// The native emitter (@micropython.native): turns one scope's symbolic bytecode (the CodeItems the code
// generator recorded through the bytecode Emitter) into machine code for a NativeTarget, followed by
// the prelude the runtime reads (signature, name and argument qstrs).
//
// Why a translation of the recorded items rather than a second walk of the parse tree: mpy-cross drives
// its native emitter with exactly the calls it makes to its bytecode emitter, so the items are the same
// sequence of operations, labels and stack adjustments the reference's native emitter sees. Byte
// identity then only depends on reproducing how each operation moves values, not on a second copy of
// the code generator.
//
// Operations not translated yet raise a CompileError ("mpyship: native code for X is not implemented
// yet") that marks the module as needing native code, so a project build ships it as source.
#pragma once

#include "mpyship/compiler/emitter.h"
#include "mpyship/compiler/module_tables.h"
#include "mpyship/compiler/native_target.h"
#include "mpyship/compiler/token.h"
#include "mpyship/mpy/model.h"

namespace mpyship::compiler {

struct NativeScope {
    Emitter& emitter; // the scope's items; qstr/constant items of the scope pass already carry indices
    mpy::NativeArch arch;
    std::string name;    // for errors
    SourcePos def_pos;   // the def, for errors without a better line
    bool refs_globals = false; // the scope declares or uses a name as global
    NativeModuleState* module_state = nullptr; // shared by the module's native functions (null: this one only)
    std::uint32_t arch_flags = 0;              // -march-flags
    bool is_module = false; // the module's own code (-X emit=native)
};

bool has_native_emitter(mpy::NativeArch arch);

// A generator or coroutine: a yield was met, or its signature says so (an async def that never awaits).
bool is_generator_scope(const Emitter& em);

// Registers the qstrs and constants the code uses, in the reference's order, then the argument names.
mpy::NativeCode emit_native_function(const NativeScope& scope, QstrTable& qstrs, ConstantTable& constants);

} // namespace mpyship::compiler
