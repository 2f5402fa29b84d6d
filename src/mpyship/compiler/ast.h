// The typed syntax tree the parser produces and the code generator consumes.
//
// Shape: `Expr` and `Stmt` base structs carry a kind enum and a SourcePos; concrete nodes derive from
// them (use `node.as<Call>()` after checking `kind`). Children are owned by unique_ptr; optional
// children are null.
//
// What is already done by the front end (so codegen must NOT redo or undo it):
//  * f-strings are desugared exactly like the reference: f'a{x!r:>{w}}' arrives as the call
//    'a{!r:>{}}'.format((x), (w)) -- a Call of Attribute(Constant str, "format") -- and a plain
//    f'abc' as 'abc'.format(). t-strings (MicroPython target) arrive as the call
//    __template__(('a', 'b'), x, 'x', None, '', ...) of the global name `__template__`. Compile them
//    like any other call; the bytecode then matches the reference.
//  * adjacent string literals are concatenated; `__debug__` is already True/False.
//  * constant folding: int/float arithmetic, unary + - ~, `not`, `and`/`or` short-circuiting of
//    constants, math.pi/e/tau/inf/nan, `X = const(v)` names, constant tuples. Folded values are Constant
//    nodes. `X = const(v)` keeps an Assign of the Constant; `_X = const(v)` becomes a
//    SimpleStmt of kind const_def (the reference's line-less `pass`).
//  * an expression statement whose value is a Constant (docstrings included) becomes Pass.
//  * and/or chains already had constant operands removed; BoolOp always has >= 2 values.
// Not done here (codegen's job): dead code for constant-false `if`/`while` tests (see
// Constant::truthiness()), scope analysis, and every compile-time error that carries ", in scope".
//
// Line numbers: `pos.line` is the line of the first token of the construct (for statements the
// first token of the statement; for a decorated def/class the `@`; for elif the `elif`). The
// reference only moves the line-number table forward for structured nodes: codegen should call
// set_line(pos.line) for every node except Name, Constant that the reference keeps as a leaf (small
// int, interned str, None/True/False/... unless from_const_name), and Starred inside calls. Folded
// constants have line 0. Trailers also mark their own line (trailer_pos); so does an indented block
// of two or more statements (its first statement's line).
#pragma once

#include "mpyship/compiler/big_int.h"
#include "mpyship/compiler/node_pool.h"
#include "mpyship/compiler/token.h"

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace mpyship::compiler {

// ---------------------------------------------------------------------------------------------
// Constant values
struct NoneValue {
    bool operator==(const NoneValue&) const = default;
};
struct EllipsisValue {
    bool operator==(const EllipsisValue&) const = default;
};
struct ImagValue { // an imaginary literal such as 2j (never folded)
    double imag = 0;
    bool operator==(const ImagValue&) const = default;
};
struct StrValue {
    std::string bytes;     // UTF-8
    bool interned = false; // the reference made it a qstr (LOAD_CONST_STRING) rather than an object
    bool operator==(const StrValue&) const = default;
};
struct BytesValue {
    std::string bytes;
    bool operator==(const BytesValue&) const = default;
};
struct ConstValue;
using ConstTuple = std::vector<ConstValue>;

struct ConstValue {
    std::variant<NoneValue, bool, EllipsisValue, BigInt, double, ImagValue, StrValue, BytesValue, ConstTuple>
        value;
    bool operator==(const ConstValue&) const = default;

    bool is_int() const { return std::holds_alternative<BigInt>(value); }
    bool is_float() const { return std::holds_alternative<double>(value); }
    bool is_number() const { return is_int() || is_float(); } // what arithmetic folding accepts
    bool truthiness() const;
};

// ---------------------------------------------------------------------------------------------
// Expressions
enum class ExprKind : std::uint8_t {
    constant,
    name,
    attribute,
    subscript,
    slice,
    call,
    bin_op,
    unary_op,
    bool_op,
    compare,
    if_exp,
    lambda,
    named_expr,
    tuple,
    list,
    set,
    dict,
    comprehension,
    yield,
    yield_from,
    await,
    starred,
};

struct Expr {
    ExprKind kind;
    // Written as ( x ): the reference keeps a node for the parentheses, which ends a store target's
    // trailer chain ((a.m()).s = 1 calls m in the method form, a.m().s = 1 does not).
    bool in_parens = false;
    SourcePos pos;
    explicit Expr(ExprKind k, SourcePos p) : kind(k), pos(p) {}
    virtual ~Expr() = default;
    Expr(const Expr&) = delete;
    Expr& operator=(const Expr&) = delete;
    // Nodes come from the node pool (see node_pool.h); the sized delete returns them to it.
    static void* operator new(std::size_t size) { return node_pool::allocate(size); }
    static void operator delete(void* p, std::size_t size) noexcept { node_pool::deallocate(p, size); }
    template <typename T> T& as() { return static_cast<T&>(*this); }
    template <typename T> const T& as() const { return static_cast<const T&>(*this); }
};
using ExprPtr = std::unique_ptr<Expr>;
using ExprList = PoolVector<ExprPtr>;

struct Constant : Expr {
    ConstValue value;
    // A name replaced by its const() value (pos: the name). The reference holds such a value as a
    // constant object (LOAD_CONST_OBJ, with a line entry) unless it is a small int -- even None,
    // True, an interned str or ().
    bool from_const_name = false;
    // The negation of a big int (an int beyond the host's 63-bit small ints) stays a big-int object in
    // the reference even when the result, -(2**62), would fit: a constant object, never a small int.
    bool boxed_int = false;
    Constant(SourcePos p, ConstValue v) : Expr(ExprKind::constant, p), value(std::move(v)) {}
};

struct Name : Expr {
    std::string id;
    Name(SourcePos p, std::string i) : Expr(ExprKind::name, p), id(std::move(i)) {}
};

// Attribute, Subscript and Call written as trailers (`a.x`, `a[i]`, `a(...)`) record in
// `trailer_pos` the `.`, `[` or `(` that opens the trailer; the reference marks that line after
// compiling `a` (not for the `.f(` of a method call). Line 0 elsewhere (decorators).
struct Attribute : Expr {
    ExprPtr value;
    std::string attr;
    SourcePos trailer_pos{0, 0};
    Attribute(SourcePos p, ExprPtr v, std::string a)
        : Expr(ExprKind::attribute, p), value(std::move(v)), attr(std::move(a)) {}
};

struct Subscript : Expr {
    ExprPtr value;
    ExprPtr index; // may be a Slice, or a Tuple containing Slices
    SourcePos trailer_pos{0, 0};
    Subscript(SourcePos p, ExprPtr v, ExprPtr i)
        : Expr(ExprKind::subscript, p), value(std::move(v)), index(std::move(i)) {}
};

struct Slice : Expr { // a:b:c; any part may be null. `has_step_colon` distinguishes a:b: from a:b.
    ExprPtr lower, upper, step;
    bool has_step_colon = false;
    explicit Slice(SourcePos p) : Expr(ExprKind::slice, p) {}
};

struct Argument {
    enum class Kind : std::uint8_t { positional, star, double_star, keyword };
    Kind kind = Kind::positional;
    ExprPtr value;
    ExprPtr keyword; // for Kind::keyword: what stood left of '=' (a Name when valid; codegen checks)
    SourcePos pos;
    bool bare_node = false; // unparenthesized `x for ...` or `x := v`: an `argument` node in the reference
};

using ArgumentList = PoolVector<Argument>;

struct Call : Expr {
    ExprPtr func;
    ArgumentList args; // in source order; codegen validates the order
    SourcePos trailer_pos{0, 0};
    bool trailing_comma = false; // `f(x,)`: const(x,) is "not a constant" in the reference
    Call(SourcePos p, ExprPtr f) : Expr(ExprKind::call, p), func(std::move(f)) {}
};

enum class BinOpKind : std::uint8_t {
    bit_or,
    bit_xor,
    bit_and,
    lshift,
    rshift,
    add,
    sub,
    mul,
    matmul,
    div,
    mod,
    floordiv,
    pow
};

struct BinOp : Expr { // a chain a+b-c is left-nested: BinOp(BinOp(a,+,b),-,c); all share a's line
    BinOpKind op;
    ExprPtr left, right;
    // mpy-cross folds this to an int too big for us to keep (huge_fold.h): a constant there, so as a statement
    // of its own it is dropped and as a condition it is true.
    bool reference_folded = false;
    BinOp(SourcePos p, BinOpKind o, ExprPtr l, ExprPtr r)
        : Expr(ExprKind::bin_op, p), op(o), left(std::move(l)), right(std::move(r)) {}
};

enum class UnaryOpKind : std::uint8_t { positive, negative, invert, not_ };

struct UnaryOp : Expr {
    UnaryOpKind op;
    ExprPtr operand;
    bool reference_folded = false; // as BinOp's: -x, ~x, +x of an int the reference folds (huge_fold.h)
    UnaryOp(SourcePos p, UnaryOpKind o, ExprPtr e)
        : Expr(ExprKind::unary_op, p), op(o), operand(std::move(e)) {}
};

struct BoolOp : Expr {
    bool is_and = false;
    ExprList values;
    BoolOp(SourcePos p, bool a) : Expr(ExprKind::bool_op, p), is_and(a) {}
};

enum class CompareKind : std::uint8_t {
    less,
    more,
    equal,
    less_equal,
    more_equal,
    not_equal,
    in,
    not_in,
    is,
    is_not
};

struct Compare : Expr {
    ExprPtr left;
    PoolVector<CompareKind> ops;
    ExprList comparators;
    Compare(SourcePos p, ExprPtr l) : Expr(ExprKind::compare, p), left(std::move(l)) {}
};

struct IfExp : Expr {
    ExprPtr body, test, orelse;
    explicit IfExp(SourcePos p) : Expr(ExprKind::if_exp, p) {}
};

struct Param {
    enum class Kind : std::uint8_t { normal, star, double_star };
    Kind kind = Kind::normal;
    std::string name; // empty for a bare '*'
    ExprPtr annotation;
    ExprPtr default_value;
    SourcePos pos;
};
using ParamList = PoolVector<Param>; // in source order; codegen validates order and duplicates

struct Lambda : Expr {
    ParamList params;
    ExprPtr body;
    explicit Lambda(SourcePos p) : Expr(ExprKind::lambda, p) {}
};

struct NamedExpr : Expr { // target := value
    ExprPtr target, value;
    NamedExpr(SourcePos p, ExprPtr t, ExprPtr v)
        : Expr(ExprKind::named_expr, p), target(std::move(t)), value(std::move(v)) {}
};

struct Sequence : Expr { // Tuple, List, Set
    ExprList elts;
    bool parenthesized = false; // Tuple only: written as ( ... )
    bool trailing_comma = false; // List only: `[x,]`, a list of items in the reference's tree even for one
    // Set only, `{x, k: v}` ("expecting just a value for set"): the first k: v item's key (its value is
    // elts[kv_index]) and where the items start.
    ExprPtr kv_key;
    std::size_t kv_index = 0;
    SourcePos items_pos;
    Sequence(ExprKind k, SourcePos p) : Expr(k, p) {}
};

struct Dict : Expr {
    ExprList keys;
    ExprList values; // a null value marks `{k: v, x}` -> "expecting key:value for dict"
    // Where each item starts: its line is recorded even when the key is a folded constant (no line).
    PoolVector<SourcePos> item_pos;
    explicit Dict(SourcePos p) : Expr(ExprKind::dict, p) {}
};

struct CompFor {
    ExprPtr target;
    ExprPtr iter;
    ExprList ifs;
    SourcePos pos; // of `for`
};

struct Comprehension : Expr {
    enum class Kind : std::uint8_t { list, set, dict, generator };
    Kind comp_kind;
    ExprPtr element; // the key for dicts
    ExprPtr value;   // dicts only
    PoolVector<CompFor> generators;
    SourcePos scope_pos;        // first token inside the brackets: the comprehension function's first line
    bool bare_argument = false; // `f(x for x in y)`: marks no line, blocks the for-range form
    Comprehension(SourcePos p, Kind k) : Expr(ExprKind::comprehension, p), comp_kind(k) {}
};

struct UnaryExpr : Expr { // Yield (value may be null), YieldFrom, Await, Starred
    ExprPtr value;
    UnaryExpr(ExprKind k, SourcePos p, ExprPtr v) : Expr(k, p), value(std::move(v)) {}
};

// ---------------------------------------------------------------------------------------------
// Statements
enum class StmtKind : std::uint8_t {
    expr,
    assign,
    aug_assign,
    ann_assign,
    del,
    pass,
    break_,
    continue_,
    return_,
    raise,
    global,
    nonlocal,
    assert_,
    import,
    import_from,
    if_,
    while_,
    for_,
    try_,
    with,
    function_def,
    class_def,
    const_def, // what `_X = const(v)` leaves behind: no code and no line entry of its own (pos: the `_X`)
};

struct Stmt {
    StmtKind kind;
    // One of the statements of a line with a `;` (even a trailing one): the reference keeps such a line as a
    // list node, even of one statement, which marks error lines as a block does (CodeGen::defer_error).
    bool in_semicolon_line = false;
    SourcePos pos;
    explicit Stmt(StmtKind k, SourcePos p) : kind(k), pos(p) {}
    virtual ~Stmt() = default;
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    // Nodes come from the node pool (see node_pool.h); the sized delete returns them to it.
    static void* operator new(std::size_t size) { return node_pool::allocate(size); }
    static void operator delete(void* p, std::size_t size) noexcept { node_pool::deallocate(p, size); }
    template <typename T> T& as() { return static_cast<T&>(*this); }
    template <typename T> const T& as() const { return static_cast<const T&>(*this); }
};
using StmtPtr = std::unique_ptr<Stmt>;
using StmtList = PoolVector<StmtPtr>;

struct ExprStmt : Stmt { // also Return (value may be null), Del (value is the target list)
    ExprPtr value;
    ExprStmt(StmtKind k, SourcePos p, ExprPtr v) : Stmt(k, p), value(std::move(v)) {}
};

struct Assign : Stmt { // t1 = t2 = value
    ExprList targets;
    ExprPtr value;
    explicit Assign(SourcePos p) : Stmt(StmtKind::assign, p) {}
};

struct AugAssign : Stmt {
    ExprPtr target;
    BinOpKind op;
    ExprPtr value;
    AugAssign(SourcePos p, ExprPtr t, BinOpKind o, ExprPtr v)
        : Stmt(StmtKind::aug_assign, p), target(std::move(t)), op(o), value(std::move(v)) {}
};

struct AnnAssign : Stmt {
    ExprPtr target, annotation, value; // value may be null
    explicit AnnAssign(SourcePos p) : Stmt(StmtKind::ann_assign, p) {}
};

struct SimpleStmt : Stmt { // pass, break, continue
    explicit SimpleStmt(StmtKind k, SourcePos p) : Stmt(k, p) {}
};

struct Raise : Stmt {
    ExprPtr exc, cause;
    explicit Raise(SourcePos p) : Stmt(StmtKind::raise, p) {}
};

struct NameListStmt : Stmt { // global, nonlocal
    std::vector<std::string> names;
    explicit NameListStmt(StmtKind k, SourcePos p) : Stmt(k, p) {}
};

struct Assert : Stmt {
    ExprPtr test, msg;
    explicit Assert(SourcePos p) : Stmt(StmtKind::assert_, p) {}
};

struct ImportAlias {
    std::string name;   // dotted, e.g. "a.b.c"; "*" for `from m import *`
    std::string asname; // empty when absent
};

struct Import : Stmt {
    std::vector<ImportAlias> names;
    explicit Import(SourcePos p) : Stmt(StmtKind::import, p) {}
};

struct ImportFrom : Stmt {
    int level = 0;      // leading dots ('...' counts 3)
    std::string module; // dotted; may be empty with level > 0
    std::vector<ImportAlias> names;
    bool star = false;
    explicit ImportFrom(SourcePos p) : Stmt(StmtKind::import_from, p) {}
};

struct If : Stmt { // elif becomes a nested If in orelse with is_elif set
    ExprPtr test;
    StmtList body, orelse;
    bool is_elif = false;
    explicit If(SourcePos p) : Stmt(StmtKind::if_, p) {}
};

struct While : Stmt {
    ExprPtr test;
    StmtList body, orelse;
    explicit While(SourcePos p) : Stmt(StmtKind::while_, p) {}
};

struct For : Stmt {
    ExprPtr target, iter;
    StmtList body, orelse;
    bool is_async = false;
    explicit For(SourcePos p) : Stmt(StmtKind::for_, p) {}
};

struct ExceptHandler {
    ExprPtr type;     // null for a bare except
    std::string name; // empty when no `as`
    StmtList body;
    SourcePos pos;
};

struct Try : Stmt {
    StmtList body;
    PoolVector<ExceptHandler> handlers;
    StmtList orelse, finalbody;
    bool has_finally = false;
    explicit Try(SourcePos p) : Stmt(StmtKind::try_, p) {}
};

struct WithItem {
    ExprPtr context;
    ExprPtr target; // may be null
};

struct With : Stmt {
    PoolVector<WithItem> items;
    StmtList body;
    bool is_async = false;
    explicit With(SourcePos p) : Stmt(StmtKind::with, p) {}
};

struct FunctionDef : Stmt { // pos: the `def` (or `async`); decorated_pos: the first '@' if decorated
    std::string name;
    ParamList params;
    ExprPtr returns;
    StmtList body;
    ExprList decorators; // each a Name/Attribute chain, possibly called
    bool is_async = false;
    SourcePos decorated_pos;
    explicit FunctionDef(SourcePos p) : Stmt(StmtKind::function_def, p) {}
};

struct ClassDef : Stmt {
    std::string name;
    ArgumentList bases; // bases and keywords, in source order
    bool has_parens = false;
    StmtList body;
    ExprList decorators;
    SourcePos decorated_pos;
    explicit ClassDef(SourcePos p) : Stmt(StmtKind::class_def, p) {}
};

struct Module {
    StmtList body;
    // When the source holds no token at all before its end (only line continuations, spaces, comments on
    // the last line), the end's line; else 0. The reference marks that line for an empty module (`\`
    // alone: line 2), but line 1 when a line end comes first (`\` then an empty line).
    std::uint32_t bare_end_line = 0;
    // The line of the source's first token (a line end included) when that line is not line 1 and the
    // module has two or more statements, or one after a first line end; else 0. Only line continuations put
    // the first token there (`\` then an empty or comment line, or the first statement). The reference's
    // module node takes the line of its first token and marks it, which shows when that token is a line end
    // or starts a statement that marks no line (a removed const; measured on both targets).
    std::uint32_t first_token_line = 0;
};

} // namespace mpyship::compiler
