# Code generation and the compiler entry point (scope analysis and AST -> emitter calls).
list(APPEND MPYSHIP_COMPILER_SOURCES
  compiler.cpp
)
