// The architecture-neutral part of the inline assemblers (@micropython.asm_thumb and friends): the
// function's signature (registers as parameters, the return type), its body as a list of instruction
// calls, labels, the `label`/`align`/`data` directives, and two passes over the instructions: the
// first checks every operand and sizes the code (label offsets), the second writes the code with the
// labels known. An architecture supplies an AsmBackend that encodes one instruction.
//
// Errors are SyntaxErrors with mpy-cross's texts, raised at the instruction's line in the function's
// scope; within a function the first pass reports operand errors in program order, and label errors
// ("label 'x' not defined", "branch not in range") come from the second pass.
#pragma once

#include "mpyship/compiler/ast.h"
#include "mpyship/mpy/model.h"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mpyship::compiler::inline_asm {

// One instruction call in the body: `op(args...)`. A null operand stands for a starred argument,
// which no operand reader accepts.
struct Instruction {
    std::string op;
    std::vector<const Expr*> args;
    SourcePos pos;
};

// Where an error is raised: the instruction (its name goes into most messages) and the function.
class Site {
  public:
    Site(std::string_view op, SourcePos pos, const std::string& scope) : m_op(op), m_pos(pos), m_scope(scope) {}
    std::string_view op() const { return m_op; }
    [[noreturn]] void fail(const std::string& message) const;
    // "'OP' " + rest
    [[noreturn]] void fail_op(const std::string& rest) const;

  private:
    std::string_view m_op;
    SourcePos m_pos;
    const std::string& m_scope;
};

// The machine code as it is written: little-endian halfwords and words, raw bytes for data.
class CodeBuffer {
  public:
    std::size_t size() const { return m_bytes.size(); }
    void u8(std::uint8_t v) { m_bytes.push_back(v); }
    void u16(std::uint32_t v);
    void u32(std::uint32_t v);
    void little_endian(std::uint32_t v, unsigned n_bytes);
    void pad_to(std::size_t size);
    mpy::Bytes take() { return std::move(m_bytes); }

  private:
    mpy::Bytes m_bytes;
};

enum class Pass : std::uint8_t { size, emit };

// What an instruction encoder sees besides its operands: the output, the pass, and the labels.
class AsmContext {
  public:
    AsmContext(CodeBuffer& out, Pass pass, const std::map<std::string, std::size_t>& labels)
        : m_out(out), m_pass(pass), m_labels(labels) {}
    CodeBuffer& out() { return m_out; }
    Pass pass() const { return m_pass; }
    std::size_t offset() const { return m_out.size(); }
    // The label's code offset; in the size pass 0 (its offset may not be known yet), in the emit pass
    // an error when it was never defined.
    std::size_t label_offset(const Site& site, const std::string& name) const;
    // The label's offset, or nullopt when it is not defined (yet).
    std::optional<std::size_t> find_label(const std::string& name) const;
    // Numbers the instructions that load from a literal pool (Xtensa's movi) in program order.
    std::uint32_t next_literal() { return m_literals++; }

  private:
    CodeBuffer& m_out;
    Pass m_pass;
    const std::map<std::string, std::size_t>& m_labels;
    std::uint32_t m_literals = 0;
};

class AsmBackend {
  public:
    virtual ~AsmBackend() = default;
    virtual std::string_view name() const = 0;         // "Thumb", "RV32", "Xtensa"
    virtual std::uint32_t max_params() const = 0;      // parameters r0..r(N-1), or a0.. (see param_name)
    virtual std::string param_name(std::uint32_t i) const = 0;
    virtual std::string params_error() const = 0;      // "parameters must be registers in sequence r0 to r3"
    // "can only have up to 4 parameters to Thumb assembly"
    virtual std::string too_many_params_error() const = 0;
    // For an instruction encode() refused: "unsupported Thumb instruction 'OP' with N arguments".
    virtual std::string unsupported_error(const Instruction& ins) const = 0;
    // mpy-cross reports the size pass's errors at the `def` line for this ISA (Xtensa), not at the
    // instruction's line.
    virtual bool size_pass_errors_at_def() const { return false; }
    // `body` is the whole function, for code that goes before the entry (Xtensa's literal pool).
    virtual void prologue(CodeBuffer& out, std::span<const Instruction> body) const = 0;
    virtual void epilogue(CodeBuffer& out) const = 0;
    // Encodes one instruction; false when the architecture has no instruction of that name with that
    // many operands (or of that operand shape), which the driver reports as unsupported.
    virtual bool encode(const Instruction& ins, const Site& site, AsmContext& cx) const = 0;
};

struct AsmCode {
    mpy::Bytes code;
    std::uint32_t n_pos_args = 0;
    std::uint32_t type_sig = 0;
};

// Assembles the body of `def`; `scope_name` is the function's name as errors show it.
AsmCode assemble(const FunctionDef& def, const AsmBackend& backend, const std::string& scope_name);

} // namespace mpyship::compiler::inline_asm
