// Atoms and trailers: names (with const() substitution), literals, displays and comprehensions,
// calls and their argument lists, subscripts and slices, attribute access (math.pi folding).
#include "mpyship/compiler/compile_error.h"
#include "mpyship/compiler/const_fold.h"
#include "mpyship/compiler/number_literal.h"
#include "mpyship/compiler/parser_impl.h"

namespace mpyship::compiler {

ExprPtr Parser::parse_atom_expr() {
    SourcePos start = tok().pos;
    if (accept(Tok::kw_await)) {
        ExprPtr atom = parse_atom();
        // The reference folds `math.pi` only without `await` in front.
        return std::make_unique<UnaryExpr>(ExprKind::await, start,
                                           parse_trailers(std::move(atom), start, false));
    }
    ExprPtr atom = parse_atom();
    return parse_trailers(std::move(atom), start);
}

ExprPtr Parser::parse_trailers(ExprPtr atom, SourcePos start, bool fold_module_constants) {
    ExprPtr e = std::move(atom);
    int count = 0;
    while (at_trailer()) {
        ++count;
        const SourcePos trailer_pos = tok().pos;
        if (accept(Tok::del_period)) {
            std::string attr = take_name();
            const bool lone_attribute = fold_module_constants && count == 1 && !at_trailer();
            auto folded = lone_attribute ? module_constant(*e, attr) : std::nullopt;
            if (folded) {
                return std::make_unique<Constant>(SourcePos{0, 0}, std::move(*folded));
            }
            e = std::make_unique<Attribute>(start, std::move(e), std::move(attr));
            e->as<Attribute>().trailer_pos = trailer_pos;
        } else if (accept(Tok::del_bracket_open)) {
            e = std::make_unique<Subscript>(start, std::move(e), parse_subscript_list());
            e->as<Subscript>().trailer_pos = trailer_pos;
            expect(Tok::del_bracket_close);
        } else {
            e = parse_call_trailer(std::move(e), start, trailer_pos);
        }
    }
    return e;
}

bool Parser::at_trailer() const {
    return at(Tok::del_paren_open) || at(Tok::del_bracket_open) || at(Tok::del_period);
}

ExprPtr Parser::parse_call_trailer(ExprPtr func, SourcePos start, SourcePos trailer_pos) {
    advance();
    auto call = std::make_unique<Call>(start, std::move(func));
    call->trailer_pos = trailer_pos;
    call->trailing_comma = parse_arglist(call->args, Tok::del_paren_close);
    expect(Tok::del_paren_close);
    return call;
}

std::optional<ConstValue> Parser::module_constant(const Expr& atom, const std::string& attr) const {
    if (atom.kind != ExprKind::name || atom.as<Name>().id != "math") {
        return std::nullopt;
    }
    return math_constant(attr);
}

ExprPtr Parser::parse_atom() {
    DepthGuard guard(*this);
    switch (tok().kind) {
    case Tok::name:
        return parse_name_atom();
    case Tok::del_paren_open:
        return parse_paren_atom();
    case Tok::del_bracket_open:
        return parse_bracket_atom();
    case Tok::del_brace_open:
        return parse_brace_atom();
    default:
        return parse_literal_atom();
    }
}

ExprPtr Parser::parse_name_atom() {
    SourcePos pos = tok().pos;
    std::string id = take_name();
    if (auto it = m_consts.find(id); it != m_consts.end()) {
        auto constant = std::make_unique<Constant>(pos, it->second.value);
        constant->from_const_name = true;
        constant->boxed_int = it->second.boxed_int;
        return constant;
    }
    return std::make_unique<Name>(pos, std::move(id));
}

ExprPtr Parser::parse_literal_atom() {
    SourcePos pos = tok().pos;
    ConstValue value;
    switch (tok().kind) {
    case Tok::integer:
        value = parse_integer_literal(tok().text(), pos);
        break;
    case Tok::float_or_imag:
        value = parse_float_literal(tok().text(), pos);
        break;
    case Tok::string: { // string and bytes tokens own their text (token.h)
        bool interned = is_interned(tok().buffer);
        value = ConstValue{StrValue{tok().buffer, interned}};
        break;
    }
    case Tok::bytes:
        value = ConstValue{BytesValue{tok().buffer}};
        break;
    case Tok::ellipsis:
        value = ConstValue{EllipsisValue{}};
        break;
    case Tok::kw_None:
        value = ConstValue{NoneValue{}};
        break;
    case Tok::kw_True:
        value = ConstValue{true};
        break;
    case Tok::kw_False:
        value = ConstValue{false};
        break;
    default:
        syntax_error();
    }
    advance();
    return std::make_unique<Constant>(pos, std::move(value));
}

// ( ) | ( yield ... ) | ( x ) | ( x, ... ) | ( x for ... )
ExprPtr Parser::parse_paren_atom() {
    SourcePos open = tok().pos;
    advance();
    if (accept(Tok::del_paren_close)) {
        auto empty = std::make_unique<Sequence>(ExprKind::tuple, open);
        empty->parenthesized = true;
        return empty;
    }
    if (at(Tok::kw_yield)) {
        ExprPtr y = parse_yield_expr();
        expect(Tok::del_paren_close);
        return y;
    }
    SourcePos first_pos = tok().pos;
    ExprPtr first = at(Tok::op_star) ? parse_star_expr() : parse_namedexpr_test();
    if (at(Tok::kw_for)) {
        ExprPtr gen = parse_comprehension(open, Comprehension::Kind::generator, std::move(first), nullptr);
        gen->as<Comprehension>().scope_pos = first_pos;
        expect(Tok::del_paren_close);
        return gen;
    }
    if (accept(Tok::del_paren_close)) {
        first->in_parens = true;
        return first;
    }
    expect(Tok::del_comma);
    ExprList items;
    items.push_back(std::move(first));
    SourcePos rest_pos = tok().pos;
    bool trailing_comma = true;
    while (!at(Tok::del_paren_close)) {
        items.push_back(at(Tok::op_star) ? parse_star_expr() : parse_namedexpr_test());
        trailing_comma = accept(Tok::del_comma);
        if (!trailing_comma) {
            break;
        }
    }
    expect(Tok::del_paren_close);
    // The reference keeps the items after the first comma as one node of their own, with its own line, unless
    // that part is a single item without a trailing comma: then the tuple's line is the first item's.
    const bool rest_is_node = items.size() > 2 || (items.size() == 2 && trailing_comma);
    SourcePos fold_pos = rest_is_node ? rest_pos : first_pos;
    return make_tuple(open, std::move(items), true, true, fold_pos);
}

ExprPtr Parser::parse_bracket_atom() {
    SourcePos open = tok().pos;
    advance();
    auto list = std::make_unique<Sequence>(ExprKind::list, open);
    if (accept(Tok::del_bracket_close)) {
        return list;
    }
    SourcePos first_pos = tok().pos;
    ExprPtr first = at(Tok::op_star) ? parse_star_expr() : parse_namedexpr_test();
    if (at(Tok::kw_for)) {
        ExprPtr comp = parse_comprehension(open, Comprehension::Kind::list, std::move(first), nullptr);
        comp->as<Comprehension>().scope_pos = first_pos;
        expect(Tok::del_bracket_close);
        return comp;
    }
    list->elts.push_back(std::move(first));
    while (accept(Tok::del_comma)) {
        if (at(Tok::del_bracket_close)) {
            list->trailing_comma = true;
            break;
        }
        list->elts.push_back(at(Tok::op_star) ? parse_star_expr() : parse_namedexpr_test());
    }
    expect(Tok::del_bracket_close);
    return list;
}

ExprPtr Parser::parse_brace_atom() {
    SourcePos open = tok().pos;
    advance();
    if (accept(Tok::del_brace_close)) {
        return std::make_unique<Dict>(open);
    }
    SourcePos first_pos = tok().pos;
    ExprPtr key = parse_test();
    ExprPtr value = accept(Tok::del_colon) ? parse_test() : nullptr;
    bool is_dict = value != nullptr;
    if (at(Tok::kw_for)) {
        auto kind = is_dict ? Comprehension::Kind::dict : Comprehension::Kind::set;
        ExprPtr comp = parse_comprehension(open, kind, std::move(key), std::move(value));
        comp->as<Comprehension>().scope_pos = first_pos;
        expect(Tok::del_brace_close);
        return comp;
    }
    auto dict = std::make_unique<Dict>(open);
    auto set = std::make_unique<Sequence>(ExprKind::set, open);
    set->items_pos = first_pos;
    for (;;) {
        if (is_dict) {
            dict->item_pos.push_back(first_pos);
            dict->keys.push_back(std::move(key));
            dict->values.push_back(std::move(value));
        } else {
            if (value && !set->kv_key) { // `{x, k: v}`: the code generator rejects it
                set->kv_key = std::move(key);
                set->kv_index = set->elts.size();
            }
            set->elts.push_back(value ? std::move(value) : std::move(key));
        }
        if (!accept(Tok::del_comma) || at(Tok::del_brace_close)) {
            break;
        }
        first_pos = tok().pos;
        key = parse_test();
        value = accept(Tok::del_colon) ? parse_test() : nullptr;
    }
    expect(Tok::del_brace_close);
    if (is_dict) {
        return dict;
    }
    return set;
}

PoolVector<CompFor> Parser::parse_comp_fors() {
    PoolVector<CompFor> fors;
    while (at(Tok::kw_for)) {
        CompFor f;
        f.pos = tok().pos;
        advance();
        f.target = parse_exprlist();
        expect(Tok::kw_in);
        f.iter = parse_or_test();
        while (accept(Tok::kw_if)) {
            f.ifs.push_back(parse_test_nocond());
        }
        fors.push_back(std::move(f));
    }
    return fors;
}

ExprPtr Parser::parse_comprehension(SourcePos start, Comprehension::Kind kind, ExprPtr element,
                                    ExprPtr value) {
    auto node = std::make_unique<Comprehension>(start, kind);
    node->scope_pos = start;
    node->element = std::move(element);
    node->value = std::move(value);
    node->generators = parse_comp_fors();
    return node;
}

Argument Parser::parse_argument() {
    Argument arg;
    arg.pos = tok().pos;
    if (accept(Tok::op_star)) {
        arg.kind = Argument::Kind::star;
        arg.value = parse_test();
        return arg;
    }
    if (accept(Tok::op_dbl_star)) {
        arg.kind = Argument::Kind::double_star;
        arg.value = parse_test();
        return arg;
    }
    ExprPtr e = parse_test();
    if (at(Tok::kw_for)) {
        arg.value = parse_comprehension(arg.pos, Comprehension::Kind::generator, std::move(e), nullptr);
        arg.value->as<Comprehension>().bare_argument = true;
        arg.bare_node = true;
    } else if (accept(Tok::op_assign)) {
        arg.kind = Argument::Kind::keyword;
        arg.keyword = std::move(e);
        arg.value = parse_test();
    } else if (accept(Tok::op_walrus)) {
        arg.value = std::make_unique<NamedExpr>(arg.pos, std::move(e), parse_test());
        arg.bare_node = true;
    } else {
        arg.value = std::move(e);
    }
    return arg;
}

// Returns whether the list ended with a comma (`f(x,)`), which makes it a list node in the reference.
bool Parser::parse_arglist(ArgumentList& args, Tok closer) {
    bool comma = false;
    while (!at(closer)) {
        args.push_back(parse_argument());
        comma = accept(Tok::del_comma);
        if (!comma) {
            break;
        }
    }
    return comma;
}

ExprPtr Parser::parse_subscript() {
    SourcePos start = tok().pos;
    ExprPtr lower;
    if (!at(Tok::del_colon)) {
        lower = parse_test();
        if (!at(Tok::del_colon)) {
            return lower;
        }
    }
    advance();
    auto slice = std::make_unique<Slice>(start);
    slice->lower = std::move(lower);
    auto ends_part = [this] {
        return at(Tok::del_bracket_close) || at(Tok::del_comma) || at(Tok::del_colon);
    };
    if (!ends_part()) {
        slice->upper = parse_test();
    }
    if (accept(Tok::del_colon)) {
        slice->has_step_colon = true;
        if (!at(Tok::del_bracket_close) && !at(Tok::del_comma)) {
            slice->step = parse_test();
        }
    }
    return slice;
}

ExprPtr Parser::parse_subscript_list() {
    SourcePos start = tok().pos;
    ExprList items;
    bool comma = false;
    do {
        if (comma && at(Tok::del_bracket_close)) {
            break;
        }
        items.push_back(parse_subscript());
    } while ((comma = accept(Tok::del_comma)));
    if (items.size() == 1 && !comma) {
        return std::move(items[0]);
    }
    return make_tuple(start, std::move(items), false, true, start);
}

} // namespace mpyship::compiler
