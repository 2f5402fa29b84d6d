// The code generator: walks the typed AST once per scope in two passes, as the reference does. The scope
// pass declares identifiers, creates child scopes and finds compile-time errors (its bytecode goes to a
// scratch emitter); after all scopes had it, locals are numbered and the code pass drives each scope's
// real Emitter. Implementation is split by topic: codegen.cpp (driver, names, errors), codegen_expr.cpp,
// codegen_call.cpp, codegen_stmt.cpp, codegen_flow.cpp, codegen_func.cpp, codegen_comp.cpp,
// codegen_assign.cpp; scope.h holds the identifier tables.
#pragma once

#include "mpyship/compiler/ast.h"
#include "mpyship/compiler/compile_error.h"
#include "mpyship/compiler/module_builder.h"
#include "mpyship/compiler/scope.h"

#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace mpyship::compiler {

// Where a statement starts: the first decorator of a decorated def/class, else its own position.
SourcePos first_token_pos(const Stmt& s);

class CodeGen {
  public:
    CodeGen(ModuleBuilder& builder, const Options& options);
    void generate(const Module& module);

  private:
    enum class Pass : std::uint8_t { scope, code };
    enum class AssignKind : std::uint8_t { store, aug_load, aug_store };
    struct LoopState {
        bool active = false;
        Label break_label = 0;
        Label continue_label = 0;
        std::uint32_t except_level = 0;
        bool break_from_for = false;
    };
    struct DefaultsState {
        bool have_star = false;
        std::uint32_t n_default = 0;
        std::uint32_t n_dict = 0;
    };

    // --- driver (codegen.cpp)
    ScopeId new_scope(ScopeKind kind, const void* node, std::string name);
    void run_pass(ScopeId id, Pass pass);
    void compile_scope_body(ScopeInfo& scope);
    void compile_scope_body_resolving(ScopeInfo& scope);
    void compile_module_scope(const Module& module);
    void compile_function_scope(const FunctionDef& def);
    void assemble_function_scope(const FunctionDef& def);
    static bool refs_globals(const ScopeInfo& scope);
    ViperInfo viper_info(const ScopeInfo& scope); // codegen_viper.cpp
    void note_viper_unit_end(const Stmt& s);
    void check_viper_annotations(const FunctionDef& def);
    void compile_lambda_scope(const Lambda& lambda);
    void compile_class_scope(const ClassDef& cls);
    void finish_signature(ScopeId id);
    [[noreturn]] void error(const std::string& message, SourcePos pos, bool needs_native_arch = false) const;
    [[noreturn]] void error_here(const std::string& message) const;
    bool is_leaf(const Expr& e) const;
    void defer_error(const std::string& message, SourcePos own, bool needs_native_arch = false);
    void error_at(const std::string& message, const Expr& e);
    void resolve_deferred(std::uint32_t line);
    bool deferred_after_child(bool child_has_line, std::uint32_t line);
    void set_line(SourcePos pos);
    Emitter& em() { return *m_emit; }
    bool scope_pass() const { return m_pass == Pass::scope; }

    // --- identifiers (codegen.cpp)
    void load_id(const std::string& name);
    void store_id(const std::string& name);
    void delete_id(const std::string& name);
    void emit_id_op(const std::string& name, int op);
    QstrId name_qstr(IdInfo* id, const std::string& name);
    void declare_global_or_nonlocal(const NameListStmt& stmt);
    // at_leaf: the name of a walrus target (a leaf: its errors are deferred, see defer_error), not a statement
    void declare_global(IdInfo& id, SourcePos pos, bool at_leaf = false);
    void declare_nonlocal(IdInfo& id, SourcePos pos, bool at_leaf = false);
    void raise_or_defer(const std::string& message, SourcePos pos, bool at_leaf);

    // --- expressions (codegen_expr.cpp)
    void compile_expr(const Expr& e);
    void compile_constant(const ConstValue& v);
    void load_const_value(const ConstValue& v); // LOAD_CONST_OBJ; the scope pass skips the conversion
    void compile_name(const Name& n);
    void compile_attribute(const Attribute& a);
    void compile_subscript(const Subscript& s);
    void compile_slice(const Slice& s);
    void compile_bin_op(const BinOp& b);
    void compile_unary_op(const UnaryOp& u);
    void compile_bool_op(const BoolOp& b);
    void compile_compare(const Compare& c);
    void compile_if_exp(const IfExp& e);
    void compile_named_expr(const NamedExpr& e);
    void compile_sequence(const Sequence& s);
    void compile_dict(const Dict& d);
    bool yield_outside_function(const UnaryExpr& e); // true: nothing more to compile
    void compile_yield(const UnaryExpr& e);
    void compile_yield_from_expr(const UnaryExpr& e);
    void compile_await(const UnaryExpr& e);
    void emit_yield_from();
    void compile_condition(const Expr& e, bool jump_if, Label label);

    // --- calls (codegen_call.cpp)
    void compile_call(const Call& c);
    void load_super_args(const Call& super_call);
    void compile_call_args(const ArgumentList& args, bool is_method, std::uint32_t n_extra_pos);
    void compile_chain(const Expr& e);

    // --- statements (codegen_stmt.cpp)
    void compile_block(const StmtList& body);
    void compile_statements(const StmtList& body);
    static std::size_t source_rows(const StmtList& body);
    void compile_stmt(const Stmt& s);
    void compile_expr_stmt(const ExprStmt& s);
    void compile_assign(const Assign& s);
    void compile_aug_assign(const AugAssign& s);
    void compile_ann_assign(const AnnAssign& s);
    void compile_return(const ExprStmt& s);
    void compile_raise(const Raise& s);
    void compile_assert(const Assert& s);
    void compile_import(const Import& s);
    void compile_import_from(const ImportFrom& s);
    std::string import_module_name(const std::string& dotted, bool load_attrs_for_as);
    void compile_break_continue(const Stmt& s);

    // --- flow control (codegen_flow.cpp)
    void compile_if(const If& s);
    void compile_while(const While& s);
    void compile_for(const For& s);
    bool compile_for_range(const For& s);
    void compile_try(const Try& s);
    void compile_try_except(const Try& s);
    void compile_try_finally(const Try& s);
    void compile_handler(const ExceptHandler& h, Label end_label);
    void compile_with(const With& s, std::size_t item);
    void compile_async_for(const For& s);
    void compile_async_with(const With& s, std::size_t item);
    void await_method(const std::string& method);
    void increase_except_level(Label label, int kind);
    void decrease_except_level();

    // --- assignment targets (codegen_assign.cpp)
    void compile_store(const Expr& target, AssignKind kind);
    void compile_store_tuple(const ExprList& elts);
    void compile_store_attr_or_subscr(const Expr& target, AssignKind kind);
    void compile_delete(const Expr& target);

    // --- functions, lambdas and classes (codegen_func.cpp)
    void compile_function_def(const FunctionDef& def);
    void compile_lambda(const Lambda& lambda);
    void compile_class_def(const ClassDef& cls);
    bool compile_decorators(const ExprList& decorators, std::size_t& n_builtin);
    void compile_defaults_and_make(ScopeId child, const ParamList& params);
    void compile_default(const Param& p, DefaultsState& st);
    void make_function(ScopeId child, std::uint32_t n_pos_defaults, std::uint32_t n_kw_defaults);
    void declare_params(const ParamList& params);
    void declare_param(const Param& p, bool& have_star);

    // --- comprehensions (codegen_comp.cpp)
    void compile_comprehension(const Comprehension& c);
    void compile_comprehension_scope(const Comprehension& c);
    void compile_comp_for(const Comprehension& c, std::size_t index);

    // --- state
    ModuleBuilder& m_builder;
    Options m_options;
    std::vector<std::unique_ptr<ScopeInfo>> m_scopes; // indexed by the builder's ScopeId
    std::vector<ScopeId> m_order;                     // creation order
    std::unordered_map<const void*, ScopeId> m_node_scope;
    // Per-scope flags as bytes, not std::vector<bool>: each new scope grows all five, and growing a bit
    // vector costs a fill-insert call each time (~1% of the compile time).
    using ScopeFlags = std::vector<std::uint8_t>;
    ScopeFlags m_async;                 // per scope: an async def
    ScopeFlags m_generator_seen;        // per scope: yields met in the scope pass
    ScopeFlags m_inline_asm;            // per scope: an inline assembler function (no bytecode)
    bool m_next_def_inline_asm = false; // set by compile_decorators for the def being compiled
    ScopeFlags m_native;                // per scope: @micropython.native (bytecode items, then machine code)
    bool m_next_def_native = false;
    bool m_next_def_bytecode = false; // @micropython.bytecode
    ScopeFlags m_viper;               // per scope: @micropython.viper (native scopes the viper emitter types)
    bool m_next_def_viper = false;
    std::vector<ViperUnitEnd> m_viper_unit_ends; // of the viper scope being compiled (codegen_viper.cpp)
    // While a block's statements are compiled: at its end, its unit ends get their block_end.
    class ViperBlock {
      public:
        explicit ViperBlock(CodeGen& gen);
        ~ViperBlock();
        ViperBlock(const ViperBlock&) = delete;
        ViperBlock& operator=(const ViperBlock&) = delete;

      private:
        CodeGen& m_gen;
        std::size_t m_first;
    };
    Pass m_pass = Pass::scope;
    ScopeId m_scope_id = 0;
    ScopeInfo* m_scope = nullptr;
    Emitter* m_emit = nullptr;
    std::unique_ptr<Emitter> m_scratch;
    std::vector<std::size_t> m_item_counts; // per scope: items emitted in the scope pass (code-pass reserve)
    LoopState m_loop;
    std::uint32_t m_line = 0; // line of the innermost structured node, for errors
    // The line mpy-cross reports for an error found at a parse-tree leaf (a name, a small int, an interned
    // string) when another error cuts the compilation short (see defer_error): the scope's own line, then, innermost first, each statement's of a block
    // of two or more statements and each structured item's of a list display of two or more items. It is
    // saved and restored around each such child (BlockLine).
    std::uint32_t m_block_line = 1;
    // An error found at a leaf waits here, with m_block_line at the time (used if another error cuts the
    // compilation short), until a node that marks a line completes (resolve_deferred).
    std::optional<CompileError> m_deferred;
    mutable std::uint32_t m_deferred_fallback = 0; // updated by error() (const)
    struct BlockLine { // m_block_line for one child, restored after it
        BlockLine(std::uint32_t& slot, std::uint32_t line) : m_slot(slot), m_saved(slot) { slot = line; }
        ~BlockLine() { m_slot = m_saved; }
        BlockLine(const BlockLine&) = delete;
        BlockLine& operator=(const BlockLine&) = delete;
        std::uint32_t& m_slot;
        std::uint32_t m_saved;
    };
};

} // namespace mpyship::compiler
