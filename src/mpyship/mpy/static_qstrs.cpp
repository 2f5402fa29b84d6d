#include "mpyship/mpy/static_qstrs.h"

#include <array>
#include <string>
#include <unordered_map>

namespace mpyship::mpy {
namespace {

// Entry i of this array is static qstr i + 1.
constexpr std::string_view k_static_qstrs[] = {"",
                                               "__dir__",
                                               "\n",
                                               " ",
                                               "*",
                                               "/",
                                               "<module>",
                                               "_",
                                               "__call__",
                                               "__class__",
                                               "__delitem__",
                                               "__enter__",
                                               "__exit__",
                                               "__getattr__",
                                               "__getitem__",
                                               "__hash__",
                                               "__init__",
                                               "__int__",
                                               "__iter__",
                                               "__len__",
                                               "__main__",
                                               "__module__",
                                               "__name__",
                                               "__new__",
                                               "__next__",
                                               "__qualname__",
                                               "__repr__",
                                               "__setitem__",
                                               "__str__",
                                               "ArithmeticError",
                                               "AssertionError",
                                               "AttributeError",
                                               "BaseException",
                                               "EOFError",
                                               "Ellipsis",
                                               "Exception",
                                               "GeneratorExit",
                                               "ImportError",
                                               "IndentationError",
                                               "IndexError",
                                               "KeyError",
                                               "KeyboardInterrupt",
                                               "LookupError",
                                               "MemoryError",
                                               "NameError",
                                               "NoneType",
                                               "NotImplementedError",
                                               "OSError",
                                               "OverflowError",
                                               "RuntimeError",
                                               "StopIteration",
                                               "SyntaxError",
                                               "SystemExit",
                                               "TypeError",
                                               "ValueError",
                                               "ZeroDivisionError",
                                               "abs",
                                               "all",
                                               "any",
                                               "append",
                                               "args",
                                               "bool",
                                               "builtins",
                                               "bytearray",
                                               "bytecode",
                                               "bytes",
                                               "callable",
                                               "chr",
                                               "classmethod",
                                               "clear",
                                               "close",
                                               "const",
                                               "copy",
                                               "count",
                                               "dict",
                                               "dir",
                                               "divmod",
                                               "end",
                                               "endswith",
                                               "eval",
                                               "exec",
                                               "extend",
                                               "find",
                                               "format",
                                               "from_bytes",
                                               "get",
                                               "getattr",
                                               "globals",
                                               "hasattr",
                                               "hash",
                                               "id",
                                               "index",
                                               "insert",
                                               "int",
                                               "isalpha",
                                               "isdigit",
                                               "isinstance",
                                               "islower",
                                               "isspace",
                                               "issubclass",
                                               "isupper",
                                               "items",
                                               "iter",
                                               "join",
                                               "key",
                                               "keys",
                                               "len",
                                               "list",
                                               "little",
                                               "locals",
                                               "lower",
                                               "lstrip",
                                               "main",
                                               "map",
                                               "micropython",
                                               "next",
                                               "object",
                                               "open",
                                               "ord",
                                               "pop",
                                               "popitem",
                                               "pow",
                                               "print",
                                               "range",
                                               "read",
                                               "readinto",
                                               "readline",
                                               "remove",
                                               "replace",
                                               "repr",
                                               "reverse",
                                               "rfind",
                                               "rindex",
                                               "round",
                                               "rsplit",
                                               "rstrip",
                                               "self",
                                               "send",
                                               "sep",
                                               "set",
                                               "setattr",
                                               "setdefault",
                                               "sort",
                                               "sorted",
                                               "split",
                                               "start",
                                               "startswith",
                                               "staticmethod",
                                               "step",
                                               "stop",
                                               "str",
                                               "strip",
                                               "sum",
                                               "super",
                                               "throw",
                                               "to_bytes",
                                               "tuple",
                                               "type",
                                               "update",
                                               "upper",
                                               "utf-8",
                                               "value",
                                               "values",
                                               "write",
                                               "zip"};

const std::unordered_map<std::string_view, std::uint32_t>& index_by_text() {
    static const auto map = [] {
        std::unordered_map<std::string_view, std::uint32_t> m;
        for (std::uint32_t i = 0; i < std::size(k_static_qstrs); ++i)
            m.emplace(k_static_qstrs[i], i + 1);
        return m;
    }();
    return map;
}

} // namespace

std::size_t static_qstr_count() {
    return std::size(k_static_qstrs);
}

std::optional<std::string_view> static_qstr_text(std::uint32_t index) {
    if (index == 0 || index > std::size(k_static_qstrs))
        return std::nullopt;
    return k_static_qstrs[index - 1];
}

std::optional<std::uint32_t> static_qstr_index(std::string_view text) {
    auto& m = index_by_text();
    auto it = m.find(text);
    if (it == m.end())
        return std::nullopt;
    return it->second;
}

} // namespace mpyship::mpy
