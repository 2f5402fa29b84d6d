// The back end reproduces the reference byte for byte: each test drives the emitters by hand the way the
// code generator will for tests/data/backend/NAME.py and compares with NAME.mpy, written by mpy-cross
// v1.28.0 (`mpy-cross -o NAME.mpy -s NAME.py NAME.py`). Mismatches are reported as a disassembly diff.
#include "../support/test_support.h"
#include "mpyship/compiler/compile_error.h"
#include "mpyship/compiler/module_builder.h"
#include "mpyship/compiler/small_int.h"
#include "mpyship/mpy/disassembler.h"
#include "mpyship/mpy/reader.h"
#include "mpyship/mpy/writer.h"

#include <gtest/gtest.h>

#include <sstream>

namespace mpyship::compiler {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

// A line diff (longest common subsequence): "-" expected only, "+" actual only.
std::string line_diff(const std::string& expected, const std::string& actual) {
    const auto a = split_lines(expected), b = split_lines(actual);
    std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
    for (std::size_t i = a.size(); i-- > 0;)
        for (std::size_t j = b.size(); j-- > 0;)
            lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    std::string out;
    std::size_t i = 0, j = 0;
    while (i < a.size() || j < b.size()) {
        if (i < a.size() && j < b.size() && a[i] == b[j]) {
            out += "  " + a[i++] + "\n";
            ++j;
        } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
            out += "+ " + b[j++] + "\n";
        } else {
            out += "- " + a[i++] + "\n";
        }
    }
    return out;
}

void expect_golden(const std::string& name, const mpy::Module& actual) {
    const auto golden = test::read_bytes(test::data_dir() / "backend" / (name + ".mpy"));
    const mpy::Bytes bytes = mpy::write_module(actual);
    if (bytes == mpy::Bytes(golden.begin(), golden.end()))
        return;
    auto expected = mpy::read_module(golden);
    ASSERT_TRUE(expected.has_value()) << expected.error().to_string();
    ADD_FAILURE() << name << ".mpy differs (- reference, + ours):\n"
                  << line_diff(mpy::disassemble(*expected), mpy::disassemble(actual));
}

Options options_for(const std::string& name) {
    Options options;
    options.source_name = name + ".py";
    return options;
}

ScopeSignature module_signature() {
    return ScopeSignature{"<module>", {}, 0, 0, 0, 0, 0, {}};
}

void end_module(Emitter& m) {
    m.load_const_none();
    m.return_value();
    m.set_signature(module_signature());
}

TEST(BackendGolden, Hello) {
    ModuleBuilder builder(options_for("hello"));
    Emitter& m = builder.emitter(ModuleBuilder::k_module_scope);
    m.set_source_line(1);
    m.load_name("print");
    m.load_const_string("hello");
    m.call_function(1, 0, false);
    m.pop_top();
    end_module(m);
    expect_golden("hello", builder.build());
}

TEST(BackendGolden, Closure) {
    ModuleBuilder builder(options_for("closure"));
    Emitter& m = builder.emitter(ModuleBuilder::k_module_scope);
    const ScopeId outer_id = builder.new_scope(ModuleBuilder::k_module_scope);
    m.set_source_line(1);
    m.make_function(outer_id, false);
    m.store_name("outer");
    end_module(m);

    Emitter& outer = builder.emitter(outer_id);
    const ScopeId inner_id = builder.new_scope(outer_id);
    outer.set_source_line(2);
    outer.load_fast(0);
    outer.make_closure(inner_id, 1, false);
    outer.store_fast(2);
    outer.set_source_line(4);
    outer.load_fast(2);
    outer.return_value();
    outer.set_signature(ScopeSignature{"outer", {"a", "b"}, 2, 0, 0, 0, 3, {0}});

    Emitter& inner = builder.emitter(inner_id);
    inner.set_source_line(3);
    inner.load_deref(0);
    inner.load_fast(1);
    inner.binary_op(BinaryOp::add);
    inner.return_value();
    inner.set_signature(ScopeSignature{"inner", {"*", "c"}, 2, 0, 0, 0, 2, {}});
    expect_golden("closure", builder.build());
}

mpy::Constant float_constant(std::string repr) {
    return mpy::Constant{mpy::ObjKind::float_, std::move(repr), {}};
}

TEST(BackendGolden, Constants) {
    ModuleBuilder builder(options_for("constants"));
    Emitter& m = builder.emitter(ModuleBuilder::k_module_scope);
    auto assign = [&](std::uint32_t line, const mpy::Constant& value, const std::string& name) {
        m.set_source_line(line);
        m.load_const_obj(value);
        m.store_name(name);
    };
    assign(1, mpy::Constant{mpy::ObjKind::int_, "12345678901234567890", {}}, "x");
    assign(2, float_constant("1.5"), "y");
    assign(3, str_constant("a string that is long"), "z");
    assign(4, bytes_constant("bytes!"), "w");
    assign(
        5,
        mpy::Constant{mpy::ObjKind::tuple, "", {int_constant(1), str_constant("two"), float_constant("3.0")}},
        "t");
    m.set_source_line(6);
    m.load_name("y");
    m.store_name("x");
    assign(7, float_constant("1.5"), "x");
    assign(8, float_constant("-0.0"), "neg");
    assign(9, float_constant("0.0"), "zero");
    m.set_source_line(10);
    m.load_const_int(1000000);
    m.store_name("small");
    end_module(m);
    expect_golden("constants", builder.build());
}

TEST(BackendGolden, LineNumberGaps) {
    ModuleBuilder builder(options_for("lines"));
    Emitter& m = builder.emitter(ModuleBuilder::k_module_scope);
    const std::pair<std::uint32_t, const char*> statements[] = {
        {1, "a"}, {42, "b"}, {3043, "c"}, {3050, "d"}};
    std::int64_t value = 1;
    for (auto [line, name] : statements) {
        m.set_source_line(line);
        m.load_const_int(value++);
        m.store_name(name);
    }
    end_module(m);
    expect_golden("lines", builder.build());
}

// try: f() / except ValueError as e: print(e) / except: pass / finally: g()
void emit_except_clauses(Emitter& m, Label done) {
    const Label no_match = m.new_label();
    m.dup_top();
    m.load_name("ValueError");
    m.binary_op(BinaryOp::exception_match);
    m.pop_jump_if(false, no_match);
    m.store_name("e");
    const Label cleanup = m.new_label();
    m.setup_finally(cleanup);
    m.set_source_line(4);
    m.load_name("print");
    m.load_name("e");
    m.call_function(1, 0, false);
    m.pop_top();
    m.load_const_none();
    m.place_label(cleanup);
    m.adjust_stack(1);
    m.load_const_none();
    m.store_name("e");
    m.delete_name("e");
    m.adjust_stack(-1);
    m.end_finally();
    m.pop_except_jump(done);
    m.place_label(no_match);
    m.adjust_stack(1);

    const Label bare_end = m.new_label();
    m.pop_top();
    m.set_source_line(6);
    m.pop_except_jump(done);
    m.place_label(bare_end);
    m.adjust_stack(1);
}

TEST(BackendGolden, TryExceptFinally) {
    ModuleBuilder builder(options_for("try_except"));
    Emitter& m = builder.emitter(ModuleBuilder::k_module_scope);
    m.set_source_line(1);
    const Label finally_block = m.new_label();
    m.setup_finally(finally_block);
    const Label handler = m.new_label(), success = m.new_label();
    m.setup_except(handler);
    m.set_source_line(2);
    m.load_name("f");
    m.call_function(0, 0, false);
    m.pop_top();
    m.pop_except_jump(success);
    m.place_label(handler);
    m.start_except_handler();
    const Label done = m.new_label();
    emit_except_clauses(m, done);
    m.end_finally();
    m.end_except_handler();
    m.place_label(success);
    m.place_label(done);
    m.load_const_none();
    m.place_label(finally_block);
    m.adjust_stack(1);
    m.set_source_line(8);
    m.load_name("g");
    m.call_function(0, 0, false);
    m.pop_top();
    m.adjust_stack(-1);
    m.end_finally();
    end_module(m);
    expect_golden("try_except", builder.build());
}

// acc += it * scale + ... (7 terms)
void emit_long_statement(Emitter& f, std::uint32_t line) {
    f.set_source_line(line);
    f.load_fast(5);
    for (int term = 0; term < 7; ++term) {
        f.load_fast(6);
        f.load_fast(1);
        f.binary_op(BinaryOp::multiply);
        if (term > 0)
            f.binary_op(BinaryOp::add);
    }
    f.binary_op(BinaryOp::inplace_add);
    f.store_fast(5);
}

void emit_for_loop(Emitter& f) {
    const Label next = f.new_label(), loop_end = f.new_label(), break_to = f.new_label();
    f.set_source_line(3);
    f.load_fast(0);
    f.get_iter(true);
    f.place_label(next);
    f.for_iter(loop_end);
    f.store_fast(6);
    f.set_source_line(4);
    const Label else_branch = f.new_label(), end_if = f.new_label();
    f.load_fast(6);
    f.load_const_int(100);
    f.binary_op(BinaryOp::more);
    f.pop_jump_if(false, else_branch);
    for (std::uint32_t line = 5; line <= 9; ++line)
        emit_long_statement(f, line);
    f.jump(end_if);
    f.place_label(else_branch);
    f.set_source_line(11);
    f.unwind_jump(break_to, 0, true);
    f.place_label(end_if);
    f.jump(next);
    f.place_label(loop_end);
    f.for_iter_end();
    f.place_label(break_to);
}

void emit_while_loop(Emitter& f) {
    const Label condition = f.new_label(), body = f.new_label();
    f.set_source_line(12);
    f.jump(condition);
    f.place_label(body);
    f.set_source_line(13);
    f.load_fast(5);
    f.load_const_int(1);
    f.binary_op(BinaryOp::add);
    f.store_fast(5);
    f.place_label(condition);
    f.load_fast(5);
    f.load_const_int(1000);
    f.binary_op(BinaryOp::less);
    f.pop_jump_if(true, body);
}

void emit_total(Emitter& f) {
    f.set_source_line(2);
    f.load_const_int(0);
    f.store_fast(5);
    emit_for_loop(f);
    emit_while_loop(f);
    f.set_source_line(14);
    f.load_fast(5);
    f.load_method("bit_length");
    f.load_fast(2);
    f.load_const_string("x");
    f.load_fast(5);
    f.call_method(1, 1, false);
    f.return_value();
    const std::uint32_t flags = mpy::k_scope_varargs | mpy::k_scope_varkeywords | mpy::k_scope_defkwargs;
    f.set_signature(ScopeSignature{"total", {"items", "scale", "key"}, 2, 1, 1, flags, 7, {}});
}

TEST(BackendGolden, FunctionWithLoopsAndLongJumps) {
    ModuleBuilder builder(options_for("func_loop"));
    Emitter& m = builder.emitter(ModuleBuilder::k_module_scope);
    m.set_source_line(1);
    const ScopeId total = builder.new_scope(ModuleBuilder::k_module_scope);
    m.load_const_int(2);
    m.build_tuple(1);
    m.build_map(0);
    m.load_const_none();
    m.load_const_string("key");
    m.store_map();
    m.make_function(total, true);
    m.store_name("total");
    m.set_source_line(15);
    m.load_name("print");
    m.load_name("total");
    for (int i = 1; i <= 3; ++i)
        m.load_const_int(i);
    m.build_list(3);
    m.call_function(1, 0, false);
    m.call_function(1, 0, false);
    m.pop_top();
    end_module(m);
    emit_total(builder.emitter(total));
    expect_golden("func_loop", builder.build());
}

// The outer jump is sized 2 bytes while the inner ones still are; once they shrink, so does it.
TEST(BackendGolden, JumpsShrinkOverSeveralPasses) {
    ModuleBuilder builder(options_for("jump_shrink"));
    Emitter& m = builder.emitter(ModuleBuilder::k_module_scope);
    const Label outer_end = m.new_label();
    m.set_source_line(1);
    m.load_name("a");
    m.pop_jump_if(false, outer_end);
    for (std::uint32_t line = 2; line <= 9; ++line) {
        const Label skip = m.new_label();
        m.set_source_line(line);
        m.load_name("b");
        m.pop_jump_if(false, skip);
        m.load_const_int(1);
        m.store_name("c");
        m.place_label(skip);
    }
    m.place_label(outer_end);
    m.set_source_line(10);
    m.load_const_int(2);
    m.store_name("d");
    end_module(m);
    expect_golden("jump_shrink", builder.build());
}

// Unreachable code emits no bytes, but its lines, qstrs, constants and children still count.
TEST(BackendGolden, DeadCodeStillRegisters) {
    ModuleBuilder builder(options_for("dead_code"));
    Emitter& m = builder.emitter(ModuleBuilder::k_module_scope);
    const ScopeId f_id = builder.new_scope(ModuleBuilder::k_module_scope);
    m.set_source_line(1);
    m.make_function(f_id, false);
    m.store_name("f");
    m.set_source_line(7);
    m.load_const_obj(mpy::Constant{mpy::ObjKind::float_, "1.5", {}});
    m.store_name("x");
    end_module(m);

    Emitter& f = builder.emitter(f_id);
    f.set_source_line(2);
    f.load_const_obj(mpy::Constant{mpy::ObjKind::float_, "2.5", {}});
    f.store_fast(0);
    f.set_source_line(3);
    f.load_const_none();
    f.return_value();
    f.set_source_line(4);
    f.load_const_obj(str_constant("dead string here!"));
    f.load_global("b");
    f.store_attr("zork");
    f.set_source_line(5);
    const ScopeId g_id = builder.new_scope(f_id);
    f.make_function(g_id, false);
    f.store_fast(1);
    f.set_source_line(6);
    f.load_const_obj(mpy::Constant{mpy::ObjKind::float_, "7.5", {}});
    f.return_value();
    f.set_signature(ScopeSignature{"f", {}, 0, 0, 0, 0, 2, {}});

    Emitter& g = builder.emitter(g_id);
    g.set_source_line(5);
    g.load_const_none();
    g.return_value();
    g.set_signature(ScopeSignature{"g", {}, 0, 0, 0, 0, 0, {}});
    expect_golden("dead_code", builder.build());
}

// mpy-cross: "RuntimeError: bytecode overflow" (no traceback) when a jump needs more than 15 bits.
TEST(BackendGolden, BytecodeOverflow) {
    ModuleBuilder builder(options_for("overflow"));
    Emitter& m = builder.emitter(ModuleBuilder::k_module_scope);
    const Label end = m.new_label();
    m.load_name("x");
    m.pop_jump_if(false, end);
    for (int i = 0; i < 11000; ++i) {
        m.load_const_int(1);
        m.load_name("y");
        m.store_attr("a");
    }
    m.place_label(end);
    end_module(m);
    try {
        builder.build();
        ADD_FAILURE() << "expected a bytecode overflow";
    } catch (const CompileError& error) {
        EXPECT_EQ(error.kind, "RuntimeError");
        EXPECT_EQ(error.message, "bytecode overflow");
        EXPECT_FALSE(error.has_traceback);
    }
}

// def f(x=lambda: y.attr1): return z.attr2 -- f's scope is created before the lambda in its defaults, so
// f's qstrs come first although the lambda is child 0.
TEST(BackendGolden, ScopesAreOrderedByCreation) {
    ModuleBuilder builder(options_for("scope_order"));
    Emitter& m = builder.emitter(ModuleBuilder::k_module_scope);
    m.set_source_line(1);
    const ScopeId f_id = builder.new_scope(ModuleBuilder::k_module_scope);
    const ScopeId lambda_id = builder.new_scope(ModuleBuilder::k_module_scope);
    m.make_function(lambda_id, false);
    m.build_tuple(1);
    m.load_null();
    m.make_function(f_id, true);
    m.store_name("f");
    end_module(m);

    auto emit_body = [&](ScopeId id, std::uint32_t line, const char* global, const char* attr) {
        Emitter& e = builder.emitter(id);
        e.set_source_line(line);
        e.load_global(global);
        e.load_attr(attr);
        e.return_value();
    };
    emit_body(lambda_id, 1, "y", "attr1");
    builder.emitter(lambda_id).set_signature(ScopeSignature{"<lambda>", {}, 0, 0, 0, 0, 0, {}});
    emit_body(f_id, 2, "z", "attr2");
    builder.emitter(f_id).set_signature(ScopeSignature{"f", {"x"}, 1, 0, 1, 0, 1, {}});
    expect_golden("scope_order", builder.build());
}

// CircuitPython: header 'C'; its prelude keeps the async flag (0x10), MicroPython's drops it.
TEST(BackendTarget, CircuitPythonHeaderAndAsyncFlag) {
    for (Target target : {Target::micropython, Target::circuitpython}) {
        Options options = options_for("t");
        options.target = target;
        ModuleBuilder builder(options);
        Emitter& m = builder.emitter(ModuleBuilder::k_module_scope);
        const ScopeId coro = builder.new_scope(ModuleBuilder::k_module_scope);
        m.make_function(coro, false);
        m.store_name("coro");
        end_module(m);
        Emitter& c = builder.emitter(coro);
        c.load_const_none();
        c.return_value();
        c.set_signature(
            ScopeSignature{"coro", {}, 0, 0, 0, mpy::k_scope_generator | k_scope_flag_async, 0, {}});
        const mpy::Module module = builder.build();
        const bool cp = target == Target::circuitpython;
        EXPECT_EQ(module.header.magic, cp ? 'C' : 'M');
        EXPECT_EQ(module.root.children.at(0).prelude.scope_flags, cp ? 0x11u : 0x01u);
    }
}

} // namespace
} // namespace mpyship::compiler
