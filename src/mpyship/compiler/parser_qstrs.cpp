// Names already interned inside the reference mpy-cross (MicroPython v1.28.0) before parsing starts,
// limited to those longer than 10 bytes: shorter strings are always interned by the parser. A longer
// string literal equal to one of these becomes an interned qstr instead of a string object.
// Generated from the reference build's genhdr/qstrdefs.generated.h (data, not code).
#include "mpyship/compiler/parser_qstrs.h"

namespace mpyship::compiler {

const std::vector<std::string_view>& reference_long_qstrs() {
    static const std::vector<std::string_view> k_qstrs{
        "__delitem__",
        "__getattr__",
        "__getitem__",
        "__qualname__",
        "__setitem__",
        "ArithmeticError",
        "AssertionError",
        "AttributeError",
        "BaseException",
        "GeneratorExit",
        "ImportError",
        "IndentationError",
        "KeyboardInterrupt",
        "LookupError",
        "MemoryError",
        "NotImplementedError",
        "OverflowError",
        "RuntimeError",
        "StopIteration",
        "SyntaxError",
        "ZeroDivisionError",
        "classmethod",
        "micropython",
        "staticmethod",
        "Interpolation",
        "StopAsyncIteration",
        "UnicodeError",
        "ViperTypeError",
        "__build_class__",
        "__complex__",
        "__contains__",
        "__repl_print__",
        "__reversed__",
        "__template__",
        "__traceback__",
        "bound_method",
        "difference_update",
        "format_spec",
        "heap_unlock",
        "interpolations",
        "intersection",
        "intersection_update",
        "maximum recursion depth exceeded",
        "string.templatelib",
        "symmetric_difference",
        "symmetric_difference_update",
        "templatelib",
        "unpack_from",
        "vcvt_f32_s32",
        "vcvt_s32_f32",
    };
    return k_qstrs;
}

const std::unordered_set<std::string_view>& reference_long_qstr_set() {
    static const std::unordered_set<std::string_view> set(reference_long_qstrs().begin(),
                                                          reference_long_qstrs().end());
    return set;
}

} // namespace mpyship::compiler
