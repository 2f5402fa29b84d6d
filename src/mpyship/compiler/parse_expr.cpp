// Expression parsing from `test` down to `power`, with the reference's folding rules applied as each
// construct completes: a binary-operator chain folds only when every operand is a number, and/or
// drop constant operands, `not`/unary ops fold constants, tuples of constants become constants.
#include "mpyship/compiler/const_fold.h"
#include "mpyship/compiler/huge_fold.h"
#include "mpyship/compiler/parser_impl.h"

#include <array>
#include <limits>

namespace mpyship::compiler {
namespace {

struct BinaryLevel {
    Tok tokens[5];
    BinOpKind ops[5];
    int count;
};

// expr: '|', xor_expr: '^', and_expr: '&', shift_expr, arith_expr, term
constexpr BinaryLevel k_levels[] = {
    {{Tok::op_pipe}, {BinOpKind::bit_or}, 1},
    {{Tok::op_caret}, {BinOpKind::bit_xor}, 1},
    {{Tok::op_ampersand}, {BinOpKind::bit_and}, 1},
    {{Tok::op_dbl_less, Tok::op_dbl_more}, {BinOpKind::lshift, BinOpKind::rshift}, 2},
    {{Tok::op_plus, Tok::op_minus}, {BinOpKind::add, BinOpKind::sub}, 2},
    {{Tok::op_star, Tok::op_at, Tok::op_slash, Tok::op_percent, Tok::op_dbl_slash},
     {BinOpKind::mul, BinOpKind::matmul, BinOpKind::div, BinOpKind::mod, BinOpKind::floordiv},
     5},
};
constexpr int k_level_count = 6;

// Per token kind: the binary level whose operator it is (-1: none) and the operator.
struct BinaryTokenInfo {
    std::array<std::int8_t, 256> level;
    std::array<BinOpKind, 256> op;
};

constexpr BinaryTokenInfo k_binary_tokens = [] {
    BinaryTokenInfo info{};
    info.level.fill(-1);
    for (int level = 0; level < k_level_count; ++level) {
        for (int i = 0; i < k_levels[level].count; ++i) {
            const auto t = static_cast<std::size_t>(k_levels[level].tokens[i]);
            info.level[t] = static_cast<std::int8_t>(level);
            info.op[t] = k_levels[level].ops[i];
        }
    }
    return info;
}();

// The level whose operator `kind` is, or -1 when it is no binary operator.
int binary_op_level(Tok kind) {
    return k_binary_tokens.level[static_cast<std::size_t>(kind)];
}

std::optional<BinOpKind> level_op(int level, Tok kind) {
    if (binary_op_level(kind) != level) {
        return std::nullopt;
    }
    return k_binary_tokens.op[static_cast<std::size_t>(kind)];
}

ExprPtr make_constant(SourcePos pos, ConstValue v) {
    return std::make_unique<Constant>(pos, std::move(v));
}

// An operand of a float operation over an int the reference folds beyond what we keep (huge_fold.h): that
// int (`huge`, of sign `sign`) or a host number (`value`).
struct HugeOrNumber {
    bool huge = false;
    int sign = 1;
    ConstValue value;
};

std::optional<HugeOrNumber> huge_or_number(const Expr& e) {
    if (is_reference_folded(e))
        return HugeOrNumber{true, reference_huge_sign(e), {}};
    if (e.kind == ExprKind::constant && e.as<Constant>().value.is_number())
        return HugeOrNumber{false, 1, e.as<Constant>().value};
    return std::nullopt;
}

// The reference converts the huge int to a float, which at that size is an infinity of its sign.
ConstValue as_float(const HugeOrNumber& v) {
    if (v.huge)
        return ConstValue{v.sign * std::numeric_limits<double>::infinity()};
    return v.value.is_float() ? v.value : ConstValue{std::get<BigInt>(v.value.value).to_double()};
}

// Whether `a op b`, one side huge and `other` the host number, is a float operation: a float on the other
// side, or `/`. The reference folds it (`2. - 2**5**9` is -inf there).
bool is_float_step(BinOpKind op, const HugeOrNumber& other) {
    return other.value.is_float() || op == BinOpKind::div;
}

// `a op b` folded as the reference folds a float operation over a huge int; nullopt for anything else.
std::optional<ConstValue> fold_float_with_huge(BinOpKind op, const Expr& a, const Expr& b) {
    if (is_reference_folded(a) == is_reference_folded(b)) // the common case: neither is huge
        return std::nullopt;
    const auto x = huge_or_number(a);
    const auto y = huge_or_number(b);
    if (!x || !y || !is_float_step(op, x->huge ? *y : *x))
        return std::nullopt;
    return fold_binary(op, as_float(*x), as_float(*y));
}

// Whether the reference folds the whole chain `operands[0] ops[0] operands[1] ...` (it folds a chain only
// when every step folds) and a step of it is a float operation over a huge int: a dry run on values.
bool chain_folds_over_huge_float(const ExprList& operands, const std::vector<BinOpKind>& ops) {
    std::optional<HugeOrNumber> acc = huge_or_number(*operands[0]);
    if (!acc)
        return false;
    bool over_huge = false;
    for (std::size_t i = 0; i < ops.size(); ++i) {
        const std::optional<HugeOrNumber> next = huge_or_number(*operands[i + 1]);
        if (!next || (acc->huge && next->huge))
            return false;
        if (!acc->huge && !next->huge) {
            auto r = fold_binary(ops[i], acc->value, next->value);
            if (!r)
                return false;
            acc = HugeOrNumber{false, 1, std::move(*r)};
            continue;
        }
        const HugeOrNumber& other = acc->huge ? *next : *acc;
        if (is_float_step(ops[i], other)) {
            auto r = fold_binary(ops[i], as_float(*acc), as_float(*next));
            if (!r)
                return false;
            acc = HugeOrNumber{false, 1, std::move(*r)};
            over_huge = true;
            continue;
        }
        // an int step over the huge value: it stays huge (make_unfolded marks it when the model agrees)
        const int sign = huge_step_sign(ops[i], acc->huge ? acc->sign : next->sign, next->huge,
                                        std::get<BigInt>(other.value.value));
        acc = HugeOrNumber{true, sign, {}};
    }
    return over_huge;
}

// `a op b` left unfolded; two int constants are marked when mpy-cross folds them all the same (huge_fold.h).
// `float_fold`: false inside a chain the reference does not fold as a whole.
ExprPtr make_unfolded(SourcePos start, BinOpKind op, ExprPtr a, ExprPtr b, Target target, bool float_fold = true) {
    if (auto folded = float_fold ? fold_float_with_huge(op, *a, *b) : std::nullopt)
        return make_constant(SourcePos{0, 0}, std::move(*folded));
    auto node = std::make_unique<BinOp>(start, op, std::move(a), std::move(b));
    const bool left_int = node->left->kind == ExprKind::constant && node->left->as<Constant>().value.is_int();
    const bool right_int = node->right->kind == ExprKind::constant && node->right->as<Constant>().value.is_int();
    if ((left_int || is_reference_folded(*node->left)) && (right_int || is_reference_folded(*node->right))) {
        node->reference_folded = true; // so that the model looks at it
        node->reference_folded = reference_huge_value(*node, target).has_value();
    }
    return node;
}

std::optional<ConstValue> fold_chain(const ExprList& operands, const std::vector<BinOpKind>& ops) {
    for (const auto& e : operands) {
        if (e->kind != ExprKind::constant || !e->as<Constant>().value.is_number()) {
            return std::nullopt;
        }
    }
    ConstValue acc = operands[0]->as<Constant>().value;
    for (std::size_t i = 0; i < ops.size(); ++i) {
        auto r = fold_binary(ops[i], acc, operands[i + 1]->as<Constant>().value);
        if (!r) {
            return std::nullopt;
        }
        acc = std::move(*r);
    }
    return acc;
}

std::optional<CompareKind> compare_op(Tok kind) {
    switch (kind) {
    case Tok::op_less:
        return CompareKind::less;
    case Tok::op_more:
        return CompareKind::more;
    case Tok::op_equal:
        return CompareKind::equal;
    case Tok::op_less_equal:
        return CompareKind::less_equal;
    case Tok::op_more_equal:
        return CompareKind::more_equal;
    case Tok::op_not_equal:
        return CompareKind::not_equal;
    case Tok::kw_in:
        return CompareKind::in;
    default:
        return std::nullopt;
    }
}

// Tokens that continue a comparison after its first operand (`not` of `not in`, `is` of `is not`).
constexpr std::array<bool, 256> k_comparison_tokens = [] {
    std::array<bool, 256> t{};
    for (Tok k : {Tok::op_less, Tok::op_more, Tok::op_equal, Tok::op_less_equal, Tok::op_more_equal, Tok::op_not_equal,
                  Tok::kw_in, Tok::kw_not, Tok::kw_is})
        t[static_cast<std::size_t>(k)] = true;
    return t;
}();

bool starts_test(Tok kind) {
    switch (kind) {
    case Tok::name:
    case Tok::integer:
    case Tok::float_or_imag:
    case Tok::string:
    case Tok::bytes:
    case Tok::ellipsis:
    case Tok::kw_None:
    case Tok::kw_True:
    case Tok::kw_False:
    case Tok::del_paren_open:
    case Tok::del_bracket_open:
    case Tok::del_brace_open:
    case Tok::op_minus:
    case Tok::op_plus:
    case Tok::op_tilde:
    case Tok::kw_not:
    case Tok::kw_lambda:
    case Tok::kw_await:
    case Tok::op_star:
        return true;
    default:
        return false;
    }
}

} // namespace

ExprPtr Parser::parse_namedexpr_test() {
    SourcePos start = tok().pos;
    ExprPtr e = parse_test();
    if (accept(Tok::op_walrus)) {
        return std::make_unique<NamedExpr>(start, std::move(e), parse_test());
    }
    return e;
}

ExprPtr Parser::parse_test() {
    DepthGuard guard(*this);
    if (at(Tok::kw_lambda)) {
        return parse_lambda(false);
    }
    SourcePos start = tok().pos;
    ExprPtr body = parse_or_test();
    if (!accept(Tok::kw_if)) {
        return body;
    }
    auto node = std::make_unique<IfExp>(start);
    node->body = std::move(body);
    node->test = parse_or_test();
    expect(Tok::kw_else);
    node->orelse = parse_test();
    return node;
}

ExprPtr Parser::parse_test_nocond() {
    DepthGuard guard(*this);
    return at(Tok::kw_lambda) ? parse_lambda(true) : parse_or_test();
}

ExprPtr Parser::parse_lambda(bool nocond) {
    auto node = std::make_unique<Lambda>(tok().pos);
    advance();
    node->params = parse_params(Tok::del_colon, false);
    expect(Tok::del_colon);
    node->body = nocond ? parse_test_nocond() : parse_test();
    return node;
}

ExprPtr Parser::fold_bool_chain(SourcePos start, bool is_and, ExprList values) {
    ExprList kept;
    for (std::size_t i = 0; i < values.size(); ++i) {
        bool last = i + 1 == values.size();
        const Expr& e = *values[i];
        // An int the reference folds and we do not keep (huge_fold.h) is a constant there, and never zero.
        const bool huge = is_reference_folded(e);
        bool is_const = huge || is_constant_expr(e);
        bool truth = huge || (is_const && constant_of(e).truthiness());
        if (last || (is_const && truth != is_and)) {
            kept.push_back(std::move(values[i])); // the deciding constant ends the chain
            break;
        }
        if (!is_const) {
            kept.push_back(std::move(values[i]));
        }
    }
    if (kept.size() == 1) {
        return std::move(kept[0]);
    }
    auto node = std::make_unique<BoolOp>(start, is_and);
    node->values = std::move(kept);
    return node;
}

// Each level from or_test down to factor does something only at its own operator (a prefix `not`, + - ~,
// or an operator after its operand), and every level's node starts where its first operand does. So when
// the first token is none of the prefixes, the operand is parsed at the power level at once and the levels
// above it are finished from there: the same tree, without five calls per operand on the way down.
ExprPtr Parser::parse_or_test() {
    SourcePos start = tok().pos;
    switch (tok().kind) {
    case Tok::kw_not:
    case Tok::op_plus:
    case Tok::op_minus:
    case Tok::op_tilde:
        return finish_or_test(start, parse_and_test());
    default:
        break;
    }
    ExprPtr operand = parse_power(); // a whole factor
    for (int l = binary_op_level(tok().kind); l >= 0; l = binary_op_level(tok().kind)) {
        operand = finish_binary_level(l, start, std::move(operand));
    }
    // Most operands are followed by none of these: the finishing calls are skipped then.
    if (k_comparison_tokens[static_cast<std::size_t>(tok().kind)])
        operand = finish_comparison(start, std::move(operand));
    if (at(Tok::kw_and))
        operand = finish_and_test(start, std::move(operand));
    return at(Tok::kw_or) ? finish_or_test(start, std::move(operand)) : std::move(operand);
}

// `first` is an and_test that started at `start`: the rest of the or_test.
ExprPtr Parser::finish_or_test(SourcePos start, ExprPtr first) {
    if (!at(Tok::kw_or)) {
        return first;
    }
    ExprList values;
    values.push_back(std::move(first));
    while (accept(Tok::kw_or)) {
        values.push_back(parse_and_test());
    }
    return values.size() == 1 ? std::move(values[0]) : fold_bool_chain(start, false, std::move(values));
}

ExprPtr Parser::parse_and_test() {
    SourcePos start = tok().pos;
    return finish_and_test(start, parse_not_test());
}

// `first` is a not_test that started at `start`: the rest of the and_test.
ExprPtr Parser::finish_and_test(SourcePos start, ExprPtr first) {
    if (!at(Tok::kw_and)) {
        return first;
    }
    ExprList values;
    values.push_back(std::move(first));
    while (accept(Tok::kw_and)) {
        values.push_back(parse_not_test());
    }
    return values.size() == 1 ? std::move(values[0]) : fold_bool_chain(start, true, std::move(values));
}

ExprPtr Parser::parse_not_test() {
    if (!at(Tok::kw_not)) {
        return parse_comparison();
    }
    DepthGuard guard(*this);
    SourcePos start = tok().pos;
    advance();
    ExprPtr operand = parse_not_test();
    if (is_constant_expr(*operand)) {
        return make_constant(SourcePos{0, 0}, ConstValue{!constant_of(*operand).truthiness()});
    }
    if (is_reference_folded(*operand)) { // an int the reference folds: never zero
        return make_constant(SourcePos{0, 0}, ConstValue{false});
    }
    return std::make_unique<UnaryOp>(start, UnaryOpKind::not_, std::move(operand));
}

ExprPtr Parser::parse_comparison() {
    SourcePos start = tok().pos;
    return finish_comparison(start, parse_binary_level(0));
}

// `left` is an `expr` (binary level 0) that started at `start`: the rest of the comparison.
ExprPtr Parser::finish_comparison(SourcePos start, ExprPtr left) {
    std::unique_ptr<Compare> node;
    for (;;) {
        std::optional<CompareKind> op = compare_op(tok().kind);
        if (op) {
            advance();
        } else if (accept(Tok::kw_not)) {
            expect(Tok::kw_in);
            op = CompareKind::not_in;
        } else if (accept(Tok::kw_is)) {
            op = accept(Tok::kw_not) ? CompareKind::is_not : CompareKind::is;
        } else {
            break;
        }
        if (!node) {
            node = std::make_unique<Compare>(start, std::move(left));
        }
        node->ops.push_back(*op);
        node->comparators.push_back(parse_binary_level(0));
    }
    if (!node) {
        return left;
    }
    return node;
}

// Levels `level` and deeper, iteratively: parse a factor, then collect each operator chain from the
// deepest level up. A chain's operands take every deeper operator, so the token left after collecting
// level l is an operator of a shallower level or none. Without an operator (the common case) the
// factor comes straight back.
ExprPtr Parser::parse_binary_level(int level) {
    SourcePos start = tok().pos;
    ExprPtr operand = parse_factor();
    for (int l = binary_op_level(tok().kind); l >= level; l = binary_op_level(tok().kind)) {
        operand = finish_binary_level(l, start, std::move(operand));
    }
    return operand;
}

// The chain `first op operand op operand ...` of level `level`, folded when all operands are numbers.
// A single operator (the common case) needs no operand lists.
ExprPtr Parser::finish_binary_level(int level, SourcePos start, ExprPtr first) {
    const auto first_op = level_op(level, tok().kind);
    if (!first_op) {
        return first;
    }
    advance();
    ExprPtr second = parse_binary_level(level + 1);
    if (level_op(level, tok().kind)) {
        return finish_binary_chain(level, start, std::move(first), *first_op, std::move(second));
    }
    if (first->kind == ExprKind::constant && second->kind == ExprKind::constant) {
        const ConstValue& a = first->as<Constant>().value;
        const ConstValue& b = second->as<Constant>().value;
        if (a.is_number() && b.is_number()) {
            if (auto folded = fold_binary(*first_op, a, b)) {
                return make_constant(SourcePos{0, 0}, std::move(*folded));
            }
        }
    }
    return make_unfolded(start, *first_op, std::move(first), std::move(second), m_options.target);
}

// A chain of two or more operators: `first op second` and the rest still to parse.
ExprPtr Parser::finish_binary_chain(int level, SourcePos start, ExprPtr first, BinOpKind op, ExprPtr second) {
    ExprList operands;
    std::vector<BinOpKind> ops{op};
    operands.push_back(std::move(first));
    operands.push_back(std::move(second));
    while (auto next = level_op(level, tok().kind)) {
        advance();
        ops.push_back(*next);
        operands.push_back(parse_binary_level(level + 1));
    }
    if (auto folded = fold_chain(operands, ops)) {
        return make_constant(SourcePos{0, 0}, std::move(*folded));
    }
    // Chains that fold only through a float over an int the reference folds beyond what we keep
    // (`1.5 + 2**5**9 + 3`): fold the constant steps too, as the reference folds the whole chain.
    const bool over_huge = chain_folds_over_huge_float(operands, ops);
    ExprPtr acc = std::move(operands[0]);
    for (std::size_t i = 0; i < ops.size(); ++i) {
        if (over_huge && acc->kind == ExprKind::constant && operands[i + 1]->kind == ExprKind::constant) {
            if (auto folded = fold_binary(ops[i], acc->as<Constant>().value, operands[i + 1]->as<Constant>().value)) {
                acc = make_constant(SourcePos{0, 0}, std::move(*folded));
                continue;
            }
        }
        acc = make_unfolded(start, ops[i], std::move(acc), std::move(operands[i + 1]), m_options.target, over_huge);
    }
    return acc;
}

ExprPtr Parser::parse_factor() {
    UnaryOpKind op;
    if (at(Tok::op_plus)) {
        op = UnaryOpKind::positive;
    } else if (at(Tok::op_minus)) {
        op = UnaryOpKind::negative;
    } else if (at(Tok::op_tilde)) {
        op = UnaryOpKind::invert;
    } else {
        return parse_power();
    }
    DepthGuard guard(*this);
    SourcePos start = tok().pos;
    advance();
    ExprPtr operand = parse_factor();
    if (operand->kind == ExprKind::constant) {
        const ConstValue& value = operand->as<Constant>().value;
        if (auto folded = fold_unary(op, value)) {
            const bool boxed = op == UnaryOpKind::negative && is_host_big_int(value);
            ExprPtr result = make_constant(SourcePos{0, 0}, std::move(*folded));
            result->as<Constant>().boxed_int = boxed;
            return result;
        }
    }
    auto node = std::make_unique<UnaryOp>(start, op, std::move(operand));
    if (is_reference_folded(*node->operand)) {
        node->reference_folded = true; // so that the model looks at it
        node->reference_folded = reference_huge_value(*node, m_options.target).has_value();
    }
    return node;
}

ExprPtr Parser::parse_power() {
    SourcePos start = tok().pos;
    ExprPtr base = parse_atom_expr();
    if (!accept(Tok::op_dbl_star)) {
        return base;
    }
    ExprPtr exponent = parse_factor();
    if (base->kind == ExprKind::constant && exponent->kind == ExprKind::constant) {
        const auto& b = base->as<Constant>().value;
        const auto& e = exponent->as<Constant>().value;
        if (b.is_number() && e.is_number()) {
            if (auto folded = fold_binary(BinOpKind::pow, b, e)) {
                return make_constant(SourcePos{0, 0}, std::move(*folded));
            }
        }
    }
    return make_unfolded(start, BinOpKind::pow, std::move(base), std::move(exponent), m_options.target);
}

ExprPtr Parser::parse_star_expr() {
    SourcePos start = tok().pos;
    expect(Tok::op_star);
    return std::make_unique<UnaryExpr>(ExprKind::starred, start, parse_binary_level(0));
}

ExprPtr Parser::make_tuple(SourcePos pos, ExprList elts, bool parenthesized, bool fold, SourcePos fold_pos) {
    bool all_const = fold;
    for (const auto& e : elts) {
        all_const = all_const && is_constant_expr(*e);
    }
    if (all_const && !elts.empty()) {
        ConstTuple items;
        for (const auto& e : elts) {
            items.push_back(constant_of(*e));
        }
        return make_constant(fold_pos, ConstValue{std::move(items)});
    }
    auto node = std::make_unique<Sequence>(ExprKind::tuple, pos);
    node->elts = std::move(elts);
    node->parenthesized = parenthesized;
    return node;
}

// testlist / testlist_star_expr: a trailing comma or more than one item makes a tuple.
ExprPtr Parser::parse_testlist(bool allow_star, bool fold) {
    SourcePos start = tok().pos;
    auto parse_item = [&] { return allow_star && at(Tok::op_star) ? parse_star_expr() : parse_test(); };
    ExprPtr first = parse_item();
    if (!accept(Tok::del_comma)) {
        return first; // the common case: a lone expression, no tuple and no list to allocate
    }
    ExprList items;
    items.push_back(std::move(first));
    while (starts_test(tok().kind)) {
        items.push_back(parse_item());
        if (!accept(Tok::del_comma)) {
            break;
        }
    }
    return make_tuple(start, std::move(items), false, fold, start);
}

ExprPtr Parser::parse_exprlist() {
    SourcePos start = tok().pos;
    ExprList items;
    bool comma = false;
    do {
        if (comma && !starts_test(tok().kind)) {
            break;
        }
        items.push_back(at(Tok::op_star) ? parse_star_expr() : parse_binary_level(0));
    } while ((comma = accept(Tok::del_comma)));
    if (items.size() == 1 && !comma) {
        return std::move(items[0]);
    }
    return make_tuple(start, std::move(items), false, false, start);
}

ExprPtr Parser::parse_yield_expr() {
    SourcePos start = tok().pos;
    expect(Tok::kw_yield);
    if (accept(Tok::kw_from)) {
        return std::make_unique<UnaryExpr>(ExprKind::yield_from, start, parse_test());
    }
    ExprPtr value;
    if (starts_test(tok().kind) && !at(Tok::op_star)) {
        value = parse_testlist(false, true);
    }
    return std::make_unique<UnaryExpr>(ExprKind::yield, start, std::move(value));
}

ExprPtr Parser::parse_rhs() {
    return at(Tok::kw_yield) ? parse_yield_expr() : parse_testlist(true, true);
}

} // namespace mpyship::compiler
