# Front-end tests: lexer tokens, AST dumps, constant folding, and the corpus (parse + error fidelity).
list(APPEND MPYSHIP_COMPILER_TESTS
  compiler/lexer_test.cpp
  compiler/parser_test.cpp
  compiler/const_fold_test.cpp
  compiler/node_pool_test.cpp
  compiler/limb_vector_test.cpp
  compiler/frontend_corpus_test.cpp
)
