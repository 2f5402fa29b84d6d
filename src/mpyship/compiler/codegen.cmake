# Code generation and the compiler entry point (scope analysis and AST -> emitter calls).
list(APPEND MPYSHIP_COMPILER_SOURCES
  compiler.cpp
  scope.cpp
  codegen.cpp
  codegen_expr.cpp
  codegen_call.cpp
  codegen_stmt.cpp
  codegen_flow.cpp
  codegen_assign.cpp
  codegen_func.cpp
  codegen_comp.cpp
  codegen_viper.cpp
  constant_value.cpp
  float_repr.cpp
  float_parse.cpp
  decimal_scale.cpp
)
# Inline assemblers (@micropython.asm_thumb, ...): the shared driver, operand readers, one file per ISA.
list(APPEND MPYSHIP_COMPILER_SOURCES
  inline_asm.cpp
  asm_program.cpp
  asm_operands.cpp
  asm_thumb.cpp
  asm_rv32.cpp
  asm_xtensa.cpp
  arch_flags.cpp
)
