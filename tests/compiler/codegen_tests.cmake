# Code-generation tests: whole programs compiled byte for byte against mpy-cross goldens.
list(APPEND MPYSHIP_COMPILER_TESTS
  compiler/compile_corpus_test.cpp
)
