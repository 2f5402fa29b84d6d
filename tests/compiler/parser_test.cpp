// Parser: AST dumps of representative snippets, and parse-time errors with their lines.
#include "frontend_test_util.h"

#include <gtest/gtest.h>

namespace mpyship::compiler {
namespace {

using test::dump;
using test::error_of;

TEST(Parser, Statements) {
    EXPECT_EQ(dump("a = b = c\nx += 1\ny: int = 2\ndel a, b\n"),
              "(Assign a b c)\n(AugAssign x += 1)\n(AnnAssign y int 2)\n(Del (Tuple a b))\n");
    EXPECT_EQ(dump("import a.b as c, d\nfrom ..m import (x as y, z,)\nfrom . import *\n"),
              "(Import a.b as c d)\n(ImportFrom ..m x as y z)\n(ImportFrom . *)\n");
    EXPECT_EQ(dump("raise E from e\nassert x, 'm'\nglobal g, h\n"),
              "(Raise E e)\n(Assert x 'm')\n(Global g h)\n");
    EXPECT_EQ(dump("'doc'\n1\nx\n"), "(Pass)\n(Pass)\n(Expr x)\n");
}

TEST(Parser, CompoundStatements) {
    EXPECT_EQ(dump("if a:\n  b\nelif c:\n  d\nelse:\n  e\n"),
              "(If a [(Expr b)] [(If c [(Expr d)] [(Expr e)])])\n");
    EXPECT_EQ(dump("for x, *y in z:\n  pass\nelse: pass\n"),
              "(For (Tuple x (Star y)) z [(Pass)] [(Pass)])\n");
    EXPECT_EQ(
        dump("try:\n  a\nexcept E as e:\n  b\nexcept:\n  c\nelse:\n  d\nfinally:\n  f\n"),
        "(Try [(Expr a)] (except E as e [(Expr b)]) (except - [(Expr c)]) [(Expr d)] finally [(Expr f)])\n");
    EXPECT_EQ(dump("async def f(a, b: int = 1, *c, d, **e) -> r:\n  async with x as y, z:\n    await q\n"),
              "(AsyncDef f (a b:int=1 *c d **e) r [(AsyncWith x as y z [(Expr (Await q))])])\n");
    EXPECT_EQ(dump("@a.b(1)\n@c\nclass K(B, metaclass=M):\n  pass\n"),
              "(Class K (Call (. a b) 1) c ( B metaclass=M) [(Pass)])\n");
    EXPECT_EQ(dump("def f(*): pass\n"), "(Def f (*) - [(Pass)])\n");
}

TEST(Parser, Expressions) {
    EXPECT_EQ(dump("x = a if b else lambda y=1, *z: y\n"), "(Assign x (IfExp b a (Lambda (y=1 *z) y)))\n");
    EXPECT_EQ(dump("x = a < b <= c is not d not in e\n"),
              "(Assign x (Compare a < b <= c is-not d not-in e))\n");
    EXPECT_EQ(dump("x = f(a, *b, c=1, **d)[1:2, ::3].e\n"),
              "(Assign x (. ([] (Call f a *b c=1 **d) (Tuple (Slice 1 2 -) (Slice - - 3))) e))\n");
    EXPECT_EQ(dump("x = [i for i in y if i for j in z]\n"),
              "(Assign x (ListComp i (for i y i) (for j z)))\n");
    EXPECT_EQ(
        dump("x = {k: v for k, v in d}, {a for a in b}, (g for g in h)\n"),
        "(Assign x (Tuple (DictComp k v (for (Tuple k v) d)) (SetComp a (for a b)) (GenExp g (for g h))))\n");
    EXPECT_EQ(dump("if (n := f(x)):\n  pass\n"), "(If (Walrus n (Call f x)) [(Pass)] [])\n");
    EXPECT_EQ(dump("def g():\n  x = yield\n  yield from y\n  z = yield a, b\n"),
              "(Def g () - [(Assign x (Yield -)) (Expr (YieldFrom y)) (Assign z (Yield (Tuple a b)))])\n");
    EXPECT_EQ(
        dump("x = {1: a, b: 2}\ny = {a, b}\nz = f(x for x in y, 1)\n"),
        "(Assign x (Dict 1:a b:2))\n(Assign y (Set a b))\n(Assign z (Call f (GenExp x (for x y)) 1))\n");
    EXPECT_EQ(dump("x = a and b or not c\n"), "(Assign x (or (and a b) (not c)))\n");
}

TEST(Parser, Errors) {
    EXPECT_EQ(error_of("x = (1 +\n"), "SyntaxError: invalid syntax @2");
    EXPECT_EQ(error_of("x = 1\n  y = 2\n"), "IndentationError: unexpected indent @2");
    EXPECT_EQ(error_of("def f(a, /): pass\n"), "SyntaxError: invalid syntax @1");
    EXPECT_EQ(error_of("x = [*a for a in b]\nwith (a as b): pass\n"), "SyntaxError: invalid syntax @2");
    EXPECT_EQ(error_of("@a[0]\ndef f(): pass\n"), "SyntaxError: invalid syntax @1");
    EXPECT_EQ(error_of("x = 0b12\n"), "SyntaxError: invalid syntax for integer with base 2: '12' @1");
    EXPECT_EQ(error_of("x = 0777\n"), "SyntaxError: invalid syntax for integer with base 0: '0777' @1");
    EXPECT_EQ(error_of("x = 1.5.real\n"), "SyntaxError: invalid syntax for number @1");
    EXPECT_EQ(error_of("x = " + std::string(256, 'a') + "\n"), "RuntimeError: name too long");
    EXPECT_EQ(error_of("X = const(y)\n"), "SyntaxError: not a constant @1");
    EXPECT_EQ(error_of("x = f'{}'\n"), "SyntaxError: malformed f-string @1");
    EXPECT_EQ(error_of("x = f'{}'\n", Target::circuitpython), "ok"); // the argument becomes ()
    EXPECT_EQ(error_of("x = " + std::string(5000, '(') + "\n").substr(0, 11), "MemoryError");
}

} // namespace
} // namespace mpyship::compiler
