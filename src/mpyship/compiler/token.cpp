#include "mpyship/compiler/token.h"

namespace mpyship::compiler {

std::string_view token_name(Tok kind) {
    switch (kind) {
    case Tok::end_of_input:
        return "end of input";
    case Tok::error:
        return "erroneous token";
    case Tok::newline:
        return "newline";
    case Tok::indent:
        return "indent";
    case Tok::dedent:
        return "dedent";
    case Tok::name:
        return "name";
    case Tok::integer:
        return "integer";
    case Tok::float_or_imag:
        return "float";
    case Tok::string:
        return "string";
    case Tok::bytes:
        return "bytes";
    case Tok::ellipsis:
        return "'...'";
    default:
        return "token";
    }
}

} // namespace mpyship::compiler
