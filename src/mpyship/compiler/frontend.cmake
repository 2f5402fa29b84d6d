# Front end: lexer, parser to a typed AST, parse-time constant folding (owned by the front-end engineer).
list(APPEND MPYSHIP_COMPILER_SOURCES
  big_int.cpp
  char_stream.cpp
  lexer.cpp
  lexer_string.cpp
  number_literal.cpp
  const_fold.cpp
  huge_fold.cpp
  reference_heap.cpp
  parser.cpp
  parser_qstrs.cpp
  parse_stmt.cpp
  parse_expr.cpp
  parse_atom.cpp
  ast_dump.cpp
  node_pool.cpp
)
